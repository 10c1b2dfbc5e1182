"""The body allowlist: hostile HTML in, only safe markup out; reading time from the text."""

import pytest

from articles.sanitize import reading_time, sanitize_html, word_count
from tests.factories import ArticleFactory

HOSTILE = [
    '<script>alert(1)</script>',
    '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<svg onload="alert(1)"><circle r=1></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example"><input name=x></form>',
    '<style>body{background:url(javascript:alert(1))}</style>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<body onload=alert(1)>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<div onmouseover="alert(1)">hover</div>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<!--<script>alert(1)</script>-->',
    '<img src="javascript:alert(1)">',
    '<a href="https://ok.example" onclick="steal()">ok</a>',
]  # fmt: skip

FORBIDDEN = [
    "<script", "onerror", "onload", "onclick", "onmouseover", "javascript:", "vbscript:",
    "data:text", "<iframe", "<object", "<embed", "<form", "<input", "<style", "style=",
    "<meta", "<base", "<svg", "<!--",
]  # fmt: skip


@pytest.mark.parametrize("html", HOSTILE)
def test_hostile_html_loses_everything_that_could_run(html):
    cleaned = sanitize_html(html).lower()
    for bad in FORBIDDEN:
        assert bad not in cleaned, (bad, cleaned)


def test_editorial_markup_is_kept():
    html = (
        "<h2>Heading</h2><h3>Sub</h3><p><strong>b</strong> <em>i</em></p>"
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>quote</p></blockquote>"
        '<figure><img src="/media/x.jpg" alt="A cat"><figcaption>Cap</figcaption></figure>'
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>"
        '<p><a href="https://example.org/page">link</a> <a href="/local/">local</a></p>'
    )
    cleaned = sanitize_html(html)
    for kept in (
        "<h2>Heading</h2>",
        "<h3>Sub</h3>",
        "<ul><li>one</li></ul>",
        "<blockquote>",
        "<figure>",
        "<figcaption>Cap</figcaption>",
        "<table>",
        "<th>h</th>",
        'alt="A cat"',
        'href="https://example.org/page"',
        'href="/local/"',
    ):
        assert kept in cleaned, kept


def test_links_get_a_safe_rel_and_images_lazy_loading():
    cleaned = sanitize_html(
        '<a href="https://x.example" rel="opener">x</a><img src="/a.jpg" alt="">'
    )
    assert 'rel="noopener noreferrer"' in cleaned
    assert 'loading="lazy"' in cleaned


def test_an_h1_in_the_body_becomes_an_h2_so_the_headline_stays_the_only_h1():
    assert sanitize_html("<h1>Big</h1>") == "<h2>Big</h2>"


def test_the_body_is_sanitised_when_an_article_is_saved(section):
    article = ArticleFactory(
        category=section, body='<p onclick="x()">Hi</p><script>alert(1)</script>'
    )
    article.refresh_from_db()
    assert article.body == "<p>Hi</p>"


def test_reading_time_is_derived_from_the_sanitised_words(section):
    words = " ".join(["word"] * 700)
    article = ArticleFactory(category=section, body=f"<p>{words}</p><script>{words}</script>")
    assert article.reading_time == 4  # 700 words at 230 a minute, the script not counted
    assert reading_time("") == 1
    assert word_count("<p>Don’t stop-start, please.</p>") == 3


def test_body_written_behind_saves_back_is_still_cleaned_on_the_page(client, section):
    from articles.models import Article

    article = ArticleFactory(category=section)
    Article.objects.filter(pk=article.pk).update(
        body='<p>ok</p><script>alert("bulk")</script><img src=x onerror=alert(1)>'
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'alert("bulk")' not in html and "onerror" not in html
    assert "<p>ok</p>" in html
