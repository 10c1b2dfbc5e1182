"""Moving a newsroom from WordPress: read a WXR export and import it, idempotently.

What comes across, and what does not (the report names every item left out and why):

- Posts with status "publish" or "future" become published (or scheduled) articles; "draft"
  and "pending" become drafts and articles in review, so work in progress is not lost.
  "private", "trash" and "auto-draft" posts are skipped: they were never public and a
  private post may hold things the newsroom never meant to show.
- Pages, attachments, menu items and other post types are not articles and are skipped;
  attachments are only used as featured images (``_thumbnail_id``) when ``media_dir``
  holds their files.
- Categories become sections. Sections are flat here, so a child category becomes a section
  of its own; a post's first category is its section and its other categories become tags.
- ``wp:author`` entries become bylines (Author profiles without a login).
- Approved comments come across with their reply structure (threads here are one level
  deep, so a reply to a reply joins its thread); spam, unapproved and trashed comments and
  pingbacks/trackbacks are skipped. Commenters become inactive accounts without a login
  or an email address, so their names show and nothing else of theirs is kept. Comments go
  through ``comments.services.comment_import``: a re-run updates their text and thread but
  never their status, so what a moderator hid here stays hidden and the count stays exact.
- HTML is sanitised on the way in; comments become plain text.
- Old addresses (the post's permalink path and ``?p=ID``) redirect to the new ones.

Everything is keyed in ImportedItem on the WordPress site and IDs, so a second run updates
what the first created instead of duplicating it.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as parse_xml
from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.http import HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.text import Truncator, slugify

from accounts.models import Author, User
from articles.images import validate_image_upload
from articles.models import Article, ArticleAuthor, Category, ImportedItem
from articles.sanitize import plain_text, sanitize_html
from comments.models import Comment
from comments.services import CommentError, comment_import

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_WP_NS = re.compile(r"^\{http://wordpress\.org/export/([^/]+)/\}")
_BLOCK_TAG = re.compile(r"<(p|div|h[1-6]|ul|ol|blockquote|figure|table|pre)\b", re.IGNORECASE)
# Letters that Unicode does not decompose into ASCII, for readable slugs.
_TRANSLITERATE = str.maketrans(
    {"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ß": "ss", "œ": "oe", "Œ": "Oe", "ð": "d"}
    | {"Ð": "D", "þ": "th", "Þ": "Th", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"}
)

STATUS_MAP = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
}
COMMENT_TYPES = ("", "comment")
# An arbitrary constant that names the importer's PostgreSQL advisory lock.
IMPORT_LOCK_KEY = 0x5750494D  # "WPIM"


class WXRError(Exception):
    """The file cannot be imported at all; nothing was changed."""


# Reading ----------------------------------------------------------------------------------


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


@dataclass
class WXRExport:
    version: str
    site: str
    authors: dict[str, dict[str, str]]
    categories: dict[str, dict[str, str]]
    tags: dict[str, str]
    items: list[WPItem]


def _text(element: Element | None, path: str, ns: dict[str, str]) -> str:
    found = element.find(path, ns) if element is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _wp_date(gmt: str, local: str) -> datetime | None:
    """WordPress writes "0000-00-00 00:00:00" for dates it has not set (drafts)."""
    for value, tz in ((gmt, UTC), (local, timezone.get_default_timezone())):
        if value and not value.startswith("0000"):
            try:
                return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
            except ValueError:
                continue
    return None


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
    """Read a WXR file safely: no DTDs, no entity expansion, no external resources."""
    path = Path(path)
    if not path.is_file():
        raise WXRError(f"No such file: {path}")
    try:
        tree = parse_xml(path, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ParseError as error:
        raise WXRError(f"The file is not well-formed XML ({error}).") from error
    except DefusedXmlException as error:
        raise WXRError(f"The file uses XML features we refuse for safety ({error}).") from error
    channel = tree.getroot().find("channel")
    if channel is None:
        raise WXRError("This is not a WordPress export: there is no RSS <channel>.")
    ns_version = _detect_version(channel)
    wp = f"http://wordpress.org/export/{ns_version}/"
    ns = {
        "wp": wp,
        "content": CONTENT_NS,
        "dc": DC_NS,
        "excerpt": f"http://wordpress.org/export/{ns_version}/excerpt/",
    }
    site = _text(channel, "wp:base_blog_url", ns) or _text(channel, "link", ns) or str(path)

    authors = {}
    for element in channel.findall("wp:author", ns):
        login = _text(element, "wp:author_login", ns)
        if login:
            authors[login] = {
                "name": _text(element, "wp:author_display_name", ns) or login,
            }
    categories = {}
    for element in channel.findall("wp:category", ns):
        slug = _text(element, "wp:category_nicename", ns)
        if slug:
            categories[slug] = {
                "name": html.unescape(_text(element, "wp:cat_name", ns)) or slug,
                "description": _text(element, "wp:category_description", ns),
                "parent": _text(element, "wp:category_parent", ns),
            }
    tags = {}
    for element in channel.findall("wp:tag", ns):
        slug = _text(element, "wp:tag_slug", ns)
        if slug:
            tags[slug] = html.unescape(_text(element, "wp:tag_name", ns)) or slug

    items = []
    for element in channel.findall("item"):
        item = WPItem(
            id=_text(element, "wp:post_id", ns),
            guid=_text(element, "guid", ns),
            title=html.unescape(_text(element, "title", ns)),
            link=_text(element, "link", ns),
            creator=_text(element, "dc:creator", ns),
            content=_text(element, "content:encoded", ns),
            excerpt=_text(element, "excerpt:encoded", ns),
            date=_wp_date(
                _text(element, "wp:post_date_gmt", ns), _text(element, "wp:post_date", ns)
            ),
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
                categories.setdefault(
                    slug, {"name": name or slug, "description": "", "parent": ""}
                )
            elif term.get("domain") == "post_tag" and (slug or name):
                item.tags.append((slug or slugify(name), name or slug))
        for meta in element.findall("wp:postmeta", ns):
            item.meta[_text(meta, "wp:meta_key", ns)] = _text(meta, "wp:meta_value", ns)
        for comment in element.findall("wp:comment", ns):
            item.comments.append(
                WPComment(
                    id=_text(comment, "wp:comment_id", ns),
                    author=html.unescape(_text(comment, "wp:comment_author", ns)),
                    email=_text(comment, "wp:comment_author_email", ns),
                    date=_wp_date(
                        _text(comment, "wp:comment_date_gmt", ns),
                        _text(comment, "wp:comment_date", ns),
                    ),
                    content=_text(comment, "wp:comment_content", ns),
                    approved=_text(comment, "wp:comment_approved", ns),
                    type=_text(comment, "wp:comment_type", ns),
                    parent=_text(comment, "wp:comment_parent", ns) or "0",
                )
            )
        if not item.id:
            raise WXRError(f"An <item> has no wp:post_id ({item.title or item.guid!r}).")
        items.append(item)
    return WXRExport(
        version=ns_version,
        site=site,
        authors=authors,
        categories=categories,
        tags=tags,
        items=items,
    )


# Importing --------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, what: str, why: str) -> None:
        self.skipped.append((what, why))

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.updated))
        lines = [
            f"{kind}: {self.created[kind]} new, {self.updated[kind]} updated" for kind in kinds
        ]
        if self.skipped:
            lines.append(f"Skipped {len(self.skipped)}:")
            lines += [f"  - {what}: {why}" for what, why in self.skipped]
        return lines


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


class Importer:
    def __init__(
        self,
        export: WXRExport,
        *,
        media_dir: Path | None = None,
        dry_run: bool = False,
        progress: Callable[[Iterable], Iterable] | None = None,
    ):
        self.export = export
        self.source = export.site[:200]
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.dry_run = dry_run
        self.progress = progress or (lambda items: items)
        self.report = ImportReport()
        self.attachments = {i.id: i for i in export.items if i.post_type == "attachment"}
        self._keys: dict[tuple[str, str], int] = {}

    # keys

    def _known(self, kind: str, key: str) -> int | None:
        return self._keys.get((kind, key))

    def _remember(self, kind: str, key: str, object_id: int) -> None:
        ImportedItem.objects.update_or_create(
            source=self.source, kind=kind, key=key, defaults={"object_id": object_id}
        )
        self._keys[(kind, key)] = object_id

    def _count(self, kind: str, created: bool) -> None:
        (self.report.created if created else self.report.updated)[kind] += 1

    # taxonomy and people

    def _unique_slug(self, model, slug: str, max_length: int) -> str:
        base = slug[:max_length] or "item"
        candidate, n = base, 1
        while model.objects.filter(slug=candidate).exists():
            n += 1
            candidate = f"{base[: max_length - 4]}-{n}"
        return candidate

    def section(self, slug: str) -> Category:
        data = self.export.categories.get(slug, {"name": slug, "description": ""})
        known = self._known("category", slug)
        category = Category.objects.filter(pk=known).first() if known else None
        if category is None:
            category = Category.objects.filter(slug=transliterated_slug(slug, 80)).first()
        created = category is None
        if created:
            category = Category(
                slug=self._unique_slug(Category, transliterated_slug(slug, 80), 80)
            )
        category.name = data["name"][:80]
        if data.get("description"):
            category.description = data["description"]
        if Category.objects.filter(name=category.name).exclude(pk=category.pk).exists():
            category = Category.objects.get(name=category.name)
        category.save()
        if known != category.pk:
            self._count("sections", created)
        self._remember("category", slug, category.pk)
        return category

    def author(self, login: str) -> Author | None:
        if not login:
            return None
        known = self._known("author", login)
        author = Author.objects.filter(pk=known).first() if known else None
        created = author is None
        name = self.export.authors.get(login, {}).get("name", login)[:120]
        if created:
            author = Author(slug=self._unique_slug(Author, transliterated_slug(login, 140), 140))
        author.name = name
        author.save()
        if known != author.pk:
            self._count("authors", created)
        self._remember("author", login, author.pk)
        return author

    def commenter(self, comment: WPComment) -> User:
        identity = (comment.email or comment.author or "anonymous").strip().lower()
        key = hashlib.sha256(identity.encode()).hexdigest()[:24]
        known = self._known("commenter", key)
        user = User.objects.filter(pk=known).first() if known else None
        if user is None:
            username = f"wp-{key[:16]}"
            user = User.objects.filter(username=username).first() or User(
                username=username, email=f"{username}@imported.invalid", is_active=False
            )
            user.set_unusable_password()
            self._count("commenters", True)
        user.display_name = (comment.author or "WordPress reader")[:80]
        user.save()
        self._remember("commenter", key, user.pk)
        return user

    # posts

    def run(self) -> ImportReport:
        self._keys = {
            (kind, key): object_id
            for kind, key, object_id in ImportedItem.objects.filter(
                source=self.source
            ).values_list("kind", "key", "object_id")
        }
        items = self.export.items
        for item in self.progress(items):
            self.item(item)
        featured = {item.meta.get("_thumbnail_id") for item in items}
        for attachment in self.attachments.values():
            if attachment.id not in featured:
                self.report.skip(
                    f"attachment {attachment.id} “{attachment.title}”",
                    "media files come across only as featured images of posts",
                )
        return self.report

    def item(self, item: WPItem) -> None:
        label = f"{item.post_type} {item.id} “{item.title or item.guid}”"
        if item.post_type == "attachment":
            return  # Used as featured images by the posts that point at them.
        if item.post_type == "page":
            self.report.skip(label, "pages are not articles; recreate them by hand if needed")
            return
        if item.post_type != "post":
            self.report.skip(label, f"unknown post type “{item.post_type}”")
            return
        if item.status not in STATUS_MAP:
            self.report.skip(label, f"status “{item.status}” is never imported (not public)")
            return
        self.post(item, label)

    def post(self, item: WPItem, label: str) -> None:
        key = item.guid or item.id
        known = self._known("post", key)
        article = Article.objects.filter(pk=known).first() if known else None
        created = article is None
        if created:
            article = Article()
        status = STATUS_MAP[item.status]
        body = wordpress_html(item.content)
        article.title = item.title[:200] or f"Untitled ({item.id})"
        article.body = body
        article.standfirst = standfirst_from(item.excerpt, body)
        article.status = status
        article.published_at = item.date if status == Article.Status.PUBLISHED else None
        article.is_featured = item.sticky
        article.comments_mode = (
            Article.Comments.OPEN if item.comment_status == "open" else Article.Comments.CLOSED
        )
        article.category = self.section(item.categories[0]) if item.categories else None
        slug = transliterated_slug(item.slug or item.title) or f"post-{item.id}"
        article.slug = self._article_slug(article, slug)
        self._attach_image(article, item, label)
        article.save()
        self._remember("post", key, article.pk)
        self._count("articles", created)

        author = self.author(item.creator)
        ArticleAuthor.objects.filter(article=article).exclude(author=author).delete()
        if author is not None:
            ArticleAuthor.objects.get_or_create(article=article, author=author)
        tags = [name for _slug, name in item.tags]
        tags += [self.export.categories.get(s, {}).get("name", s) for s in item.categories[1:]]
        article.tags.set(tags, clear=True)
        if article.status == Article.Status.PUBLISHED:
            self._redirects(article, item)
        self._comments(article, item)

    def _article_slug(self, article: Article, slug: str) -> str:
        day = timezone.localdate(article.published_at) if article.published_at else None
        candidate, n = slug, 1
        clashes = Article.objects.exclude(pk=article.pk)
        while clashes.filter(slug=candidate, publish_date=day).exists():
            n += 1
            candidate = f"{slug[:195]}-{n}"
        return candidate

    def _attach_image(self, article: Article, item: WPItem, label: str) -> None:
        thumbnail = item.meta.get("_thumbnail_id")
        if not thumbnail:
            return
        attachment = self.attachments.get(thumbnail)
        if attachment is None:
            self.report.skip(f"{label} featured image", "its attachment is not in the export")
            return
        if self.media_dir is None:
            self.report.skip(f"{label} featured image", "no --media-dir given")
            return
        relative = (
            attachment.meta.get("_wp_attached_file")
            or urlsplit(attachment.attachment_url).path.split("/uploads/", 1)[-1]
        )
        path = (self.media_dir / relative).resolve()
        if not path.is_relative_to(self.media_dir) or not path.is_file():
            self.report.skip(
                f"{label} featured image", f"file not found under media dir: {relative}"
            )
            return
        if self._known("image", item.id) == int(thumbnail) and article.image:
            return
        alt = attachment.meta.get("_wp_attachment_image_alt") or attachment.excerpt
        if self.dry_run:
            # Files written to storage would outlive the rolled-back transaction.
            self._count("featured images", True)
            return
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            try:
                validate_image_upload(upload)
            except ValidationError as error:
                self.report.skip(f"{label} featured image", " ".join(error.messages))
                return
            article.image = upload
            article.image_alt = (alt or article.title)[:250]
            article.image_caption = html.unescape(plain_text(attachment.excerpt))[:300]
            article.save()
        self._remember("image", item.id, int(thumbnail))
        self._count("featured images", True)

    def _redirects(self, article: Article, item: WPItem) -> None:
        site = Site.objects.get_current()
        new_path = article.get_absolute_url()
        old_paths = {f"/?p={item.id}"}
        if item.link:
            parts = urlsplit(item.link)
            old_paths.add(parts.path + (f"?{parts.query}" if parts.query else ""))
        for old_path in sorted(old_paths):
            if old_path == new_path or len(old_path) > 200:
                continue
            _redirect, created = Redirect.objects.update_or_create(
                site=site, old_path=old_path, defaults={"new_path": new_path}
            )
            self._count("redirects", created)

    def _comments(self, article: Article, item: WPItem) -> None:
        by_id = {c.id: c for c in item.comments}
        imported: dict[str, Comment] = {}
        for comment in sorted(item.comments, key=lambda c: (c.date or timezone.now(), c.id)):
            label = f"comment {comment.id} on post {item.id}"
            if comment.type not in COMMENT_TYPES:
                self.report.skip(label, f"{comment.type}s are not comments")
                continue
            if comment.approved != "1":
                why = {"spam": "marked as spam", "trash": "in the trash"}.get(
                    comment.approved, "never approved"
                )
                self.report.skip(label, why)
                continue
            body = comment_text(comment.content)
            if not body:
                self.report.skip(label, "empty once markup is removed")
                continue
            # Reply to the nearest ancestor that came across (comment_import finds its root).
            parent_id, seen = comment.parent, set()
            while parent_id != "0" and parent_id not in imported and parent_id not in seen:
                seen.add(parent_id)
                parent_id = by_id[parent_id].parent if parent_id in by_id else "0"
            known = self._known("comment", comment.id)
            existing = (
                Comment.objects.select_related("user").filter(pk=known).first() if known else None
            )
            # Only what WordPress says changes on a re-run: a moderator's decision here stays.
            try:
                row = comment_import(
                    article=article,
                    user=existing.user if existing else self.commenter(comment),
                    body=body,
                    parent=imported.get(parent_id),
                    created_at=comment.date,
                    existing=existing,
                )
            except CommentError as error:
                self.report.skip(label, error.message)
                continue
            imported[comment.id] = row
            self._remember("comment", comment.id, row.pk)
            self._count("comments", existing is None)


class _RollBack(Exception):
    pass


def wordpress_import(
    *,
    export: WXRExport,
    media_dir: Path | None = None,
    dry_run: bool = False,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ImportReport:
    """Import `export` in one transaction; with `dry_run` everything is rolled back."""
    importer = Importer(export, media_dir=media_dir, dry_run=dry_run, progress=progress)
    try:
        with transaction.atomic():
            # Two imports at once would both create what neither has seen yet: the second
            # waits here for the first to commit, then finds everything it made.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
            report = importer.run()
            if dry_run:
                raise _RollBack
    except _RollBack:
        report = importer.report
    return report


class WordPressQueryRedirectMiddleware:
    """Send WordPress's "/?p=123" links to the imported article.

    django.contrib.redirects only acts on 404s, and "/" is our front page, so these would
    never reach it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        post_id = request.GET.get("p", "")
        if request.path == "/" and post_id.isdigit() and request.method in ("GET", "HEAD"):
            target = (
                Redirect.objects.filter(site_id=settings.SITE_ID, old_path=f"/?p={post_id}")
                .values_list("new_path", flat=True)
                .first()
            )
            if target:
                return HttpResponsePermanentRedirect(target)
        return self.get_response(request)
