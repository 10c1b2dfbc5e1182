"""The allowlist for editors' HTML, and what we derive from the cleaned text.

Everything not listed here is dropped by nh3 (Rust's ammonia): scripts, styles, event
handlers, iframes, forms and any URL whose scheme is not in ``URL_SCHEMES``.
"""

import math
import re

import nh3

ALLOWED_TAGS = {
    # No h1: the headline is the page's only h1.
    "h2", "h3", "h4", "h5", "h6",
    "p", "br", "hr", "div", "span",
    "strong", "b", "em", "i", "u", "s", "small", "mark", "sub", "sup",
    "abbr", "cite", "q", "code", "pre", "kbd", "time",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "a", "img", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "width", "height", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "time": {"datetime"},
    "ol": {"start", "reversed", "type"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
}

URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Words per minute of an ordinary adult reading news on a screen.
READING_SPEED_WPM = 230

_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)


def sanitize_html(html: str) -> str:
    """Return ``html`` reduced to the tags, attributes and URL schemes we allow."""
    if not html:
        return ""
    # An h1 in the body becomes an h2 rather than losing its heading.
    html = _H1.sub(r"<\1h2", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        # Editors link out to other sites; the linked page must not get window.opener.
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
        strip_comments=True,
    )


def plain_text(html: str) -> str:
    """The visible words of ``html``, with tags removed (entities stay escaped)."""
    text = nh3.clean(html or "", tags=set())
    return re.sub(r"\s+", " ", text).strip()


def word_count(html: str) -> int:
    return len(_WORD.findall(plain_text(html)))


def reading_time(html: str) -> int:
    """Whole minutes to read ``html``; at least one."""
    return max(1, math.ceil(word_count(html) / READING_SPEED_WPM))
