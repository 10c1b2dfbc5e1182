"""Embeds: a provider's URL alone in a paragraph becomes a click-to-load placeholder."""

import re

import pytest
from django.conf import settings

from articles.embeds import FRAME_ORIGINS, embed_for, embeds_render
from tests.factories import ArticleFactory

PROVIDER_URLS = [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
    ("https://twitter.com/jack/status/20", "https://platform.twitter.com/embed/Tweet.html?id=20&dnt=true"),
    ("https://x.com/NASA/status/1851299018592682234", "https://platform.twitter.com/embed/Tweet.html?id=1851299018592682234&dnt=true"),
    ("https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l", "https://embed.bsky.app/embed/bsky.app/app.bsky.feed.post/3l6oveex3ii2l"),
    ("https://www.instagram.com/p/C1a2b3c4d5e/", "https://www.instagram.com/p/C1a2b3c4d5e/embed/"),
    ("https://www.instagram.com/reel/C1a2b3c4d5e/", "https://www.instagram.com/reel/C1a2b3c4d5e/embed/"),
    ("https://www.tiktok.com/@scout2015/video/6718335390845095173", "https://www.tiktok.com/player/v1/6718335390845095173"),
    ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC"),
    ("https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk", "https://open.spotify.com/embed/episode/4rOoJ6Egrf8K2IrywzwOMk"),
    ("https://soundcloud.com/forss/flickermood", "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2Fflickermood&visual=false"),
    ("https://datawrapper.dwcdn.net/dxbVT/3/", "https://datawrapper.dwcdn.net/dxbVT/3/"),
    ("https://datawrapper.dwcdn.net/dxbVT/", "https://datawrapper.dwcdn.net/dxbVT/"),
]  # fmt: skip

NOT_EMBEDS = [
    "https://example.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com/",  # a provider, but nothing to play
    "https://www.youtube.com/channel/UC1234567890",
    "https://open.spotify.com/user/someone",
    "https://vimeo.com/about",
]

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "data:text/html,<script>alert(1)</script>",
    "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",  # lookalike: provider as subdomain
    "https://evilyoutube.com/watch?v=dQw4w9WgXcQ",
    "https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ",  # user info: the host is evil
    "https://evil.example\\@www.youtube.com/watch?v=dQw4w9WgXcQ",  # browsers see evil.example
    "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
    'https://www.youtube.com/watch?v=dQw4w9WgXcQ"onmouseover=alert(1)',
    "https://www.youtube.com/watch?v=dQw4w9WgX%22Q",
    "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC/../../evil",
    "https://www.tiktok.com/@x/video/1/../../../evil.example",
    "ftp://www.youtube.com/watch?v=dQw4w9WgXcQ",
]


def _link_paragraph(url: str) -> str:
    escaped = url.replace("&", "&amp;")
    return f'<p><a href="{escaped}" rel="noopener noreferrer">{escaped}</a></p>'


@pytest.mark.parametrize(("url", "frame"), PROVIDER_URLS)
def test_each_providers_url_alone_in_a_paragraph_becomes_a_placeholder(url, frame):
    embed = embed_for(url)
    assert embed is not None
    assert embed.frame_src == frame
    for body in (_link_paragraph(url), f"<p>{url.replace('&', '&amp;')}</p>"):
        html = embeds_render(body)
        assert 'class="embed ' in html
        assert f'data-embed-src="{frame.replace("&", "&amp;")}"' in html


@pytest.mark.parametrize(("url", "frame"), PROVIDER_URLS)
def test_every_frame_is_on_an_origin_the_policy_allows(url, frame):
    origin = re.match(r"https://[^/]+", frame)[0]
    assert origin in FRAME_ORIGINS


@pytest.mark.parametrize("url", NOT_EMBEDS)
def test_other_urls_stay_plain_links(url):
    body = _link_paragraph(url)
    assert embed_for(url) is None
    assert embeds_render(body) == body


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_or_lookalike_urls_are_never_embedded(url):
    assert embed_for(url) is None
    for body in (f'<p><a href="{url}">{url}</a></p>', f"<p>{url}</p>"):
        assert "data-embed-src" not in embeds_render(body)


def test_a_provider_link_inside_a_sentence_stays_a_link():
    body = (
        '<p>Watch <a href="https://youtu.be/dQw4w9WgXcQ">https://youtu.be/dQw4w9WgXcQ</a> now.</p>'
    )
    assert embeds_render(body) == body


def test_a_link_whose_words_differ_from_its_address_is_prose_not_an_embed():
    body = '<p><a href="https://youtu.be/dQw4w9WgXcQ">the council meeting on video</a></p>'
    assert embeds_render(body) == body


def test_the_placeholder_links_to_the_original_and_loads_nothing_from_the_provider():
    html = embeds_render(_link_paragraph("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42"))
    assert html.startswith('<figure class="embed embed--video embed--youtube"')
    original = "https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=42"
    assert f'<a class="embed__load" href="{original}" rel="noopener noreferrer">' in html
    assert "Play the video from YouTube" in html
    assert "Loading it connects you to YouTube" in html
    assert f'<a href="{original}" rel="noopener noreferrer">Open on YouTube</a>' in html
    # Nothing that fetches: no iframe, no script, no image from the provider.
    assert "<iframe" not in html
    assert "<script" not in html
    assert "<img" not in html


@pytest.mark.django_db
def test_the_article_page_shows_the_placeholder_and_its_script(client):
    article = ArticleFactory(
        body="<p>Before.</p><p>https://vimeo.com/76979871</p><p>"
        '<a href="https://example.com/report">https://example.com/report</a></p>'
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'data-embed-src="https://player.vimeo.com/video/76979871?dnt=1"' in html
    assert '<a href="https://example.com/report" rel="noopener noreferrer">' in html
    assert "/static/js/embeds.js" in html
    # The editor's text keeps the plain URL: the placeholder is made when the page is.
    article.refresh_from_db()
    assert "embed" not in article.body


@pytest.mark.django_db
def test_the_policy_lets_pages_frame_exactly_the_embed_players(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert sorted(directives["frame-src"]) == [
        "https://datawrapper.dwcdn.net",
        "https://embed.bsky.app",
        "https://open.spotify.com",
        "https://platform.twitter.com",
        "https://player.vimeo.com",
        "https://w.soundcloud.com",
        "https://www.instagram.com",
        "https://www.tiktok.com",
        "https://www.youtube-nocookie.com",
    ]
    assert list(FRAME_ORIGINS) == sorted(directives["frame-src"])
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-ancestors"]
