"""WordPress's text as ours: slugs, post HTML, comment text and standfirsts."""

import html
import re

from django.utils.text import Truncator, slugify

from articles.sanitize import plain_text, sanitize_html

_BLOCK_TAG = re.compile(r"<(p|div|h[1-6]|ul|ol|blockquote|figure|table|pre)\b", re.IGNORECASE)
# Letters that Unicode does not decompose into ASCII, for readable slugs.
_TRANSLITERATE = str.maketrans(
    {"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ß": "ss", "œ": "oe", "Œ": "Oe", "ð": "d"}
    | {"Ð": "D", "þ": "th", "Þ": "Th", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"}
)


def transliterated_slug(text: str, max_length: int = 200) -> str:
    return slugify(text.translate(_TRANSLITERATE))[:max_length].strip("-")


def wordpress_html(content: str) -> str:
    """WordPress stores paragraphs as blank lines (its wpautop adds <p> on display)."""
    content = content.replace("\r\n", "\n")
    if content.strip() and not _BLOCK_TAG.search(content):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", content) if p.strip()]
        content = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return sanitize_html(content)


def comment_text(content: str) -> str:
    """Comments here are plain text: drop all markup (and scripts' contents), keep words."""
    text = html.unescape(plain_text(content.replace("\n", " \n ")))
    return text.strip()


def standfirst_from(excerpt: str, body: str) -> str:
    source = excerpt or body
    text = html.unescape(plain_text(source))
    return Truncator(text).chars(300)
