"""Embeds: a provider's URL alone in a paragraph becomes a click-to-load placeholder.

The placeholder is a link to the original, so it works without JavaScript and tells the
provider nothing until the reader follows it. static/js/embeds.js swaps in the provider's
iframe on click. The iframe address is built here from the ID we matched, never copied
from the URL, and always points at one of FRAME_ORIGINS, which is all the
Content-Security-Policy lets the page frame (newsportal/settings.py reads it from here).

This runs on the sanitised body when the page is rendered (articles_tags.clean_html), so
the editor keeps seeing a plain link and the rendered page is cached like the rest.
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.utils.html import format_html
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Provider:
    name: str
    hosts: frozenset[str]
    # Matched against the path (and query) of the URL; the named groups feed `frame`.
    path: re.Pattern
    frame: str
    # "video", "audio", "post" or "chart": sizes the placeholder and names the button.
    kind: str


def _hosts(*names: str) -> frozenset[str]:
    return frozenset(names)


_SLUG = r"[A-Za-z0-9_-]+"

PROVIDERS = (
    Provider(
        "YouTube",
        _hosts("youtube.com", "www.youtube.com", "m.youtube.com"),
        re.compile(
            r"/(?:watch\?(?:[^#]*&)?v=|shorts/|embed/|live/)(?P<id>[A-Za-z0-9_-]{11})(?:[&?#/].*)?"
        ),
        # The privacy-enhanced host: no cookies until the reader plays the video.
        "https://www.youtube-nocookie.com/embed/{id}",
        "video",
    ),
    Provider(
        "YouTube",
        _hosts("youtu.be"),
        re.compile(r"/(?P<id>[A-Za-z0-9_-]{11})(?:[?#].*)?"),
        "https://www.youtube-nocookie.com/embed/{id}",
        "video",
    ),
    Provider(
        "Vimeo",
        _hosts("vimeo.com", "www.vimeo.com", "player.vimeo.com"),
        re.compile(r"/(?:video/)?(?P<id>[0-9]{1,12})/?(?:[?#].*)?"),
        # dnt=1: Vimeo's player sets no tracking cookies.
        "https://player.vimeo.com/video/{id}?dnt=1",
        "video",
    ),
    Provider(
        "X",
        _hosts("twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com", "www.x.com"),
        re.compile(rf"/{_SLUG}/status(?:es)?/(?P<id>[0-9]{{1,20}})/?(?:[?#].*)?"),
        "https://platform.twitter.com/embed/Tweet.html?id={id}&dnt=true",
        "post",
    ),
    Provider(
        "Bluesky",
        _hosts("bsky.app"),
        re.compile(
            r"/profile/(?P<actor>did:plc:[a-z2-7]{24}|[A-Za-z0-9.-]{1,253})"
            r"/post/(?P<id>[a-z2-7]{13})/?(?:[?#].*)?"
        ),
        "https://embed.bsky.app/embed/{actor}/app.bsky.feed.post/{id}",
        "post",
    ),
    Provider(
        "Instagram",
        _hosts("instagram.com", "www.instagram.com"),
        re.compile(r"/(?P<type>p|reel|tv)/(?P<id>[A-Za-z0-9_-]{5,40})/?(?:[?#].*)?"),
        "https://www.instagram.com/{type}/{id}/embed/",
        "post",
    ),
    Provider(
        "TikTok",
        _hosts("tiktok.com", "www.tiktok.com", "m.tiktok.com"),
        re.compile(r"/@[A-Za-z0-9_.-]{1,60}/video/(?P<id>[0-9]{1,25})/?(?:[?#].*)?"),
        "https://www.tiktok.com/player/v1/{id}",
        "video",
    ),
    Provider(
        "Spotify",
        _hosts("open.spotify.com"),
        re.compile(
            r"/(?:intl-[a-z]{2}(?:-[A-Za-z]{2})?/)?"
            r"(?P<type>track|album|playlist|episode|show|artist)/(?P<id>[A-Za-z0-9]{22})/?(?:[?#].*)?"
        ),
        "https://open.spotify.com/embed/{type}/{id}",
        "audio",
    ),
    Provider(
        "SoundCloud",
        _hosts("soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"),
        re.compile(rf"/(?P<user>{_SLUG})/(?P<track>(?!sets/){_SLUG}|sets/{_SLUG})/?(?:[?#].*)?"),
        "https://w.soundcloud.com/player/?url={soundcloud_url}&visual=false",
        "audio",
    ),
    Provider(
        "Datawrapper",
        _hosts("datawrapper.dwcdn.net"),
        re.compile(r"/(?P<id>[A-Za-z0-9]{5})(?:/(?P<version>[0-9]{1,4}))?/?(?:[?#].*)?"),
        "https://datawrapper.dwcdn.net/{id}/{version}",
        "chart",
    ),
    Provider(
        "Datawrapper",
        _hosts("app.datawrapper.de"),
        re.compile(r"/chart/(?P<id>[A-Za-z0-9]{5})(?:/.*)?"),
        "https://datawrapper.dwcdn.net/{id}/",
        "chart",
    ),
)

# Every origin an embed's iframe can load from: the CSP's frame-src, exactly.
FRAME_ORIGINS = tuple(
    sorted({f"https://{urlsplit(provider.frame).hostname}" for provider in PROVIDERS})
)

# A URL we are willing to look at: http(s), a plain host name (no user, no port), and no
# characters a browser reads differently from Python (backslashes, quotes, spaces).
_URL = re.compile(r"https?://[A-Za-z0-9.-]{1,253}(?:[/?#][^\s\"'<>\\`]*)?", re.IGNORECASE)

# A paragraph holding only a URL, as text or as a link whose text is that URL.
_URL_PARAGRAPH = re.compile(
    r"<p>\s*(?:"
    r'<a href="(?P<href>[^"]+)"[^>]*>(?P<text>[^<]+)</a>'
    r"|(?P<bare>https?://[^<\s]+)"
    r")\s*</p>",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Embed:
    provider: Provider
    url: str
    frame_src: str


def embed_for(url: str) -> Embed | None:
    """The embed a URL stands for, or None when it is not a provider's (or looks hostile)."""
    url = url.strip()
    if not _URL.fullmatch(url):
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    for provider in PROVIDERS:
        if host not in provider.hosts:
            continue
        match = provider.path.fullmatch(target)
        if match:
            return Embed(provider, url, _frame_src(provider, match))
    return None


def _frame_src(provider: Provider, match: re.Match) -> str:
    values = {key: value or "" for key, value in match.groupdict().items()}
    if "track" in values:
        canonical = f"https://soundcloud.com/{values['user']}/{values['track']}"
        values["soundcloud_url"] = quote(canonical, safe="")
    if provider.name == "Datawrapper" and values.get("version"):
        values["version"] += "/"
    return provider.frame.format(**values)


def embeds_render(body: str) -> str:
    """Replace each paragraph of ``body`` (sanitised HTML) that is a provider's URL."""
    if "http" not in body:
        return body
    return _URL_PARAGRAPH.sub(_placeholder_or_unchanged, body)


def _placeholder_or_unchanged(match: re.Match) -> str:
    if match["bare"]:
        url = html.unescape(match["bare"])
    else:
        url = html.unescape(match["href"])
        # A link whose words differ from its address is the editor's prose, not an embed.
        if html.unescape(match["text"]).strip() != url:
            return match[0]
    embed = embed_for(url)
    if embed is None:
        return match[0]
    return placeholder_html(embed)


def placeholder_html(embed: Embed) -> str:
    provider = embed.provider.name
    action = {
        "video": _("Play the video from %(provider)s"),
        "audio": _("Play the audio from %(provider)s"),
        "post": _("Show the post from %(provider)s"),
        "chart": _("Show the chart from %(provider)s"),
    }[embed.provider.kind] % {"provider": provider}
    notice = _(
        "Loading it connects you to %(provider)s, which may set cookies and see your address."
    ) % {"provider": provider}
    return format_html(
        '<figure class="embed embed--{kind} embed--{slug}"'
        ' data-embed-src="{src}" data-embed-title="{title}">'
        '<a class="embed__load" href="{url}" rel="noopener noreferrer">'
        '<span class="embed__action">{action}</span>'
        '<span class="embed__notice">{notice}</span></a>'
        '<figcaption class="embed__caption">'
        '<a href="{url}" rel="noopener noreferrer">{open}</a></figcaption>'
        "</figure>",
        kind=embed.provider.kind,
        slug=embed.provider.name.lower(),
        src=embed.frame_src,
        title=action,
        url=embed.url,
        action=action,
        notice=notice,
        open=_("Open on %(provider)s") % {"provider": provider},
    )
