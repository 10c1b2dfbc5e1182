"""Reading a WordPress export (WXR 1.0 to 1.2) into plain data, safely.

The file is parsed with defusedxml, refusing DTDs, entities and external resources, so an
XML bomb or an external entity fails with a clear message instead of being expanded.
Nothing here touches the database: wpimport.importer writes what this reads.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as iterparse_xml
from django.utils import timezone
from django.utils.text import slugify

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_WP_NS = re.compile(r"^\{http://wordpress\.org/export/([^/]+)/\}")
# An article's address has a four-digit year, and a moment short of the year 9999 has a
# local time in every zone.
_YEARS = range(1000, 9999)


class WXRError(Exception):
    """The file cannot be imported at all; nothing was changed."""


@dataclass
class WPComment:
    id: str
    author: str
    email: str
    date: datetime | None
    content: str
    approved: str
    type: str
    parent: str
    # Why `date` is None when a date field is set but cannot be used; "" if none is set.
    date_problem: str = ""


@dataclass
class WPItem:
    id: str
    guid: str
    title: str
    link: str
    creator: str
    content: str
    excerpt: str
    date: datetime | None
    slug: str
    status: str
    post_type: str
    comment_status: str
    sticky: bool
    categories: list[str] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[WPComment] = field(default_factory=list)
    attachment_url: str = ""
    date_problem: str = ""


@dataclass
class WXRExport:
    """An export's header and attachments, read at once; its items are read one at a time
    from the file, by `items()`."""

    path: Path
    version: str
    site: str
    authors: dict[str, dict[str, str]]
    categories: dict[str, dict[str, str]]
    tags: dict[str, str]
    item_count: int
    attachments: dict[str, WPItem] = field(default_factory=dict)

    def items(self) -> Iterator[WPItem]:
        """Every <item> in the file's order, each read and then let go."""
        ns = _namespaces(self.version)
        for _channel, element in _walk(self.path):
            if element is not None:
                yield _item(element, ns)


def _text(element: Element | None, path: str, ns: dict[str, str]) -> str:
    found = element.find(path, ns) if element is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _wp_date(gmt: str, local: str, field: str) -> tuple[datetime | None, str]:
    """The moment WordPress recorded, from its UTC field or else its local one, or why not.

    WordPress writes "0000-00-00 00:00:00" for a date it has not set (a draft has no UTC
    date until it is published or scheduled); a local date is read in the site's time zone,
    as WordPress itself does when the UTC one is missing. A field that is set but wrong is
    never passed over for the other one: the importer leaves the item out, with the reason.
    """
    found, site_zone = None, timezone.get_default_timezone()
    for name, value, zone in ((f"{field}_gmt", gmt, UTC), (field, local, site_zone)):
        if not value or value.startswith("0000-00-00"):
            continue
        try:
            moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
        except ValueError:
            return None, f"{name} “{value}” is not a date"
        # The year as written first: converting a moment in the year 1 or 9999 can overflow.
        if moment.year not in _YEARS or moment.astimezone(site_zone).year not in _YEARS:
            return None, f"{name} {value} is out of range (years 1000 to 9998)"
        found = found or moment
    return found, ""


def _detect_version(channel: Element) -> str:
    for child in channel:
        match = _WP_NS.match(child.tag)
        if match:
            version = match.group(1)
            wxr_version = channel.find(f"{{http://wordpress.org/export/{version}/}}wxr_version")
            if wxr_version is not None and wxr_version.text:
                version = wxr_version.text.strip()
            if version not in SUPPORTED_VERSIONS:
                raise WXRError(
                    f"Unknown WXR version {version!r}: this importer reads WXR "
                    f"{', '.join(SUPPORTED_VERSIONS)} (WordPress's Tools → Export)."
                )
            return match.group(1)
    raise WXRError("This is not a WordPress export: no WXR (wp:) elements were found.")


def parse_wxr(path: Path | str) -> WXRExport:
    """Read a WXR file's header and attachments safely: no DTDs, no entity expansion, no
    external resources.

    This first pass reads the whole file, so one that is not well-formed, or has an item
    without an ID, is refused before anything is imported; `WXRExport.items()` then reads
    the items again, one at a time. Memory stays flat however big the file is.
    """
    path = Path(path)
    if not path.is_file():
        raise WXRError(f"No such file: {path}")
    channel, item_count, terms, attachments = None, 0, [], []
    for read_channel, element in _walk(path):
        if element is None:
            channel = read_channel
            break
        item_count += 1
        if not _wp_text(element, "post_id"):
            title = _wp_text(element, "title") or _wp_text(element, "guid")
            raise WXRError(f"An <item> has no wp:post_id ({title!r}).")
        terms += [
            (term.get("nicename", ""), html.unescape((term.text or "").strip()))
            for term in element.findall("category")
            if term.get("domain") == "category" and term.get("nicename")
        ]
        if _wp_text(element, "post_type") == "attachment":
            attachments.append(element)
    if channel is None:
        raise WXRError("This is not a WordPress export: there is no RSS <channel>.")
    version = _detect_version(channel)
    ns = _namespaces(version)
    categories = _categories(channel, ns)
    for slug, name in terms:
        categories.setdefault(slug, {"name": name or slug, "description": "", "parent": ""})
    return WXRExport(
        path=path,
        version=version,
        site=_text(channel, "wp:base_blog_url", ns) or _text(channel, "link", ns) or str(path),
        authors=_authors(channel, ns),
        categories=categories,
        tags=_tags(channel, ns),
        item_count=item_count,
        attachments={item.id: item for item in (_item(e, ns) for e in attachments)},
    )


def _walk(path: Path) -> Iterator[tuple[Element | None, Element | None]]:
    """The file's <item>s with their <channel>, each as soon as it is read, and then
    (channel, None): the channel keeps its header (authors, categories, tags) but not the
    items, which are dropped from the tree once the caller is done with them."""
    stack: list[Element] = []
    channel = None
    try:
        for event, element in iterparse_xml(
            path,
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        ):
            if event == "start":
                stack.append(element)
                if len(stack) == 2 and element.tag == "channel":
                    channel = element
                continue
            stack.pop()
            if len(stack) == 2 and element.tag == "item" and stack[1] is channel:
                yield channel, element
                channel.remove(element)
    except ParseError as error:
        raise WXRError(f"The file is not well-formed XML ({error}).") from error
    except DefusedXmlException as error:
        raise WXRError(f"The file uses XML features we refuse for safety ({error}).") from error
    yield channel, None


def _namespaces(version: str) -> dict[str, str]:
    return {
        "wp": f"http://wordpress.org/export/{version}/",
        "content": CONTENT_NS,
        "dc": DC_NS,
        "excerpt": f"http://wordpress.org/export/{version}/excerpt/",
    }


def _wp_text(element: Element, name: str) -> str:
    """The text of the child `name` of `element`: in any WXR version's namespace, or in
    none (title, guid), before the version is known."""
    for child in element:
        tag = _WP_NS.sub("", child.tag)
        if tag == name:
            return (child.text or "").strip()
    return ""


def _authors(channel: Element, ns: dict[str, str]) -> dict[str, dict[str, str]]:
    authors = {}
    for element in channel.findall("wp:author", ns):
        login = _text(element, "wp:author_login", ns)
        if login:
            authors[login] = {
                "name": _text(element, "wp:author_display_name", ns) or login,
            }
    return authors


def _categories(channel: Element, ns: dict[str, str]) -> dict[str, dict[str, str]]:
    categories = {}
    for element in channel.findall("wp:category", ns):
        slug = _text(element, "wp:category_nicename", ns)
        if slug:
            categories[slug] = {
                "name": html.unescape(_text(element, "wp:cat_name", ns)) or slug,
                "description": _text(element, "wp:category_description", ns),
                "parent": _text(element, "wp:category_parent", ns),
            }
    return categories


def _tags(channel: Element, ns: dict[str, str]) -> dict[str, str]:
    tags = {}
    for element in channel.findall("wp:tag", ns):
        slug = _text(element, "wp:tag_slug", ns)
        if slug:
            tags[slug] = html.unescape(_text(element, "wp:tag_name", ns)) or slug
    return tags


def _item(element: Element, ns: dict[str, str]) -> WPItem:
    date, date_problem = _wp_date(
        _text(element, "wp:post_date_gmt", ns), _text(element, "wp:post_date", ns), "post_date"
    )
    item = WPItem(
        id=_text(element, "wp:post_id", ns),
        guid=_text(element, "guid", ns),
        title=html.unescape(_text(element, "title", ns)),
        link=_text(element, "link", ns),
        creator=_text(element, "dc:creator", ns),
        content=_text(element, "content:encoded", ns),
        excerpt=_text(element, "excerpt:encoded", ns),
        date=date,
        date_problem=date_problem,
        slug=unquote(_text(element, "wp:post_name", ns)),
        status=_text(element, "wp:status", ns),
        post_type=_text(element, "wp:post_type", ns) or "post",
        comment_status=_text(element, "wp:comment_status", ns),
        sticky=_text(element, "wp:is_sticky", ns) == "1",
        attachment_url=_text(element, "wp:attachment_url", ns),
    )
    for term in element.findall("category"):
        slug = term.get("nicename", "")
        name = html.unescape((term.text or "").strip())
        if term.get("domain") == "category" and slug:
            item.categories.append(slug)
        elif term.get("domain") == "post_tag" and (slug or name):
            item.tags.append((slug or slugify(name), name or slug))
    for meta in element.findall("wp:postmeta", ns):
        item.meta[_text(meta, "wp:meta_key", ns)] = _text(meta, "wp:meta_value", ns)
    item.comments = [_comment(comment, ns) for comment in element.findall("wp:comment", ns)]
    return item


def _comment(element: Element, ns: dict[str, str]) -> WPComment:
    date, date_problem = _wp_date(
        _text(element, "wp:comment_date_gmt", ns),
        _text(element, "wp:comment_date", ns),
        "comment_date",
    )
    return WPComment(
        id=_text(element, "wp:comment_id", ns),
        author=html.unescape(_text(element, "wp:comment_author", ns)),
        email=_text(element, "wp:comment_author_email", ns),
        date=date,
        content=_text(element, "wp:comment_content", ns),
        approved=_text(element, "wp:comment_approved", ns),
        type=_text(element, "wp:comment_type", ns),
        parent=_text(element, "wp:comment_parent", ns) or "0",
        date_problem=date_problem,
    )
