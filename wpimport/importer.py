"""Moving a newsroom from WordPress: import what wpimport.parser read, idempotently.

What comes across, and what does not (the report names every item left out and why):

- Posts with status "publish" or "future" become published (or scheduled) articles, saved
  through ``articles.services.article_save`` and so held to the same publish rules as the
  newsroom's own; one that breaks them (no section, no standfirst) comes in as a draft and
  the report says why. "draft" and "pending" become drafts and articles in review, so work
  in progress is not lost.
  "private", "trash" and "auto-draft" posts are skipped: they were never public and a
  private post may hold things the newsroom never meant to show.
- Pages become the site's standing pages (``pages.Page``, served at /<slug>/): published
  ones public, drafts and pending ones unpublished, private and trashed ones skipped; a
  slug the site already answers (/search/, /2024/) gets a "page-" prefix. Their old
  addresses redirect like a post's. Attachments, menu items and other post types are
  skipped; attachments are only used as featured images (``_thumbnail_id``) when
  ``media_dir`` holds their files.
- Categories become sections. Sections are flat here, so a child category becomes a section
  of its own; a post's first category is its section and its other categories become tags.
- ``wp:author`` entries become bylines (Author profiles without a login).
- Approved comments come across with their reply structure: threads here are one level
  deep, so a reply at any depth joins the thread of its nearest ancestor that came across
  (a top-level comment if none did, and the report says so); spam, unapproved and trashed
  comments and pingbacks/trackbacks are skipped. Commenters become inactive accounts
  without a login or an email address, so their names show and nothing else of theirs is
  kept. Comments go through ``comments.services.comment_import``: a re-run updates their
  text and thread but never their status, so what a moderator hid here stays hidden and
  the count stays exact.
- Dates come from WordPress or the item is skipped: a post or comment whose date is set
  but unreadable or out of range, or a published post or comment with no date at all, is
  left out with the reason (a draft needs none), never dated "now".
- HTML is sanitised on the way in; comments become plain text.
- Old addresses (the post's permalink path and ``?p=ID``) redirect to the new ones while
  the article is public; a draft's or a scheduled post's answer 404 until then.

Everything is keyed in ImportedItem on the WordPress site and IDs, so a second run updates
what the first created instead of duplicating it.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.models import Tag, TaggedItem

from accounts.models import Author, User
from articles.images import validate_image_upload
from articles.models import Article, ArticleAuthor, Category
from articles.page_cache import article_pages_purge
from articles.sanitize import plain_text
from articles.services import ArticleNotPublishable, article_save
from comments.models import Comment
from comments.services import (
    CommentError,
    ImportedComment,
    comment_import,
    comments_import,
    comments_recount,
)
from core.slugs import unique_slug
from pages.models import Page, validate_page_slug
from pages.services import page_save
from wpimport.convert import comment_text, standfirst_from, transliterated_slug, wordpress_html
from wpimport.models import ImportedItem, OldAddress, old_path
from wpimport.parser import WPComment, WPItem, WXRExport
from wpimport.report import ImportReport
from wpimport.threads import parents_first, thread_parent, why_left_out

STATUS_MAP = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
}
# Posts whose keys are written, and whose articles' cached pages are dropped, together.
BATCH_SIZE = 100
# An arbitrary constant that names the importer's PostgreSQL advisory lock.
IMPORT_LOCK_KEY = 0x5750494D  # "WPIM"


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
        self.attachments = export.attachments
        self._keys: dict[tuple[str, str], int] = {}
        # Written in one statement per batch of posts (_remembered_save), not one per row.
        self._unsaved_keys: dict[tuple[str, str], int] = {}
        # Sections, bylines, tags and commenters met in this run: each is looked up (and
        # updated from the export) once, then costs no query.
        self._sections: dict[str, Category] = {}
        self._authors: dict[str, Author | None] = {}
        self._tags: dict[str, Tag] = {}
        # With the name they were saved with: a commenter who signs differently is renamed.
        self._commenters: dict[str, User] = {}
        # The articles of the batch of posts under way: their cached pages are dropped
        # together, once their bylines and tags are set.
        self._batch: list[Article] = []

    # keys

    def _known(self, kind: str, key: str) -> int | None:
        return self._keys.get((kind, key))

    def _remember(self, kind: str, key: str, object_id: int) -> None:
        if self._keys.get((kind, key)) != object_id:
            self._unsaved_keys[(kind, key)] = object_id
        self._keys[(kind, key)] = object_id

    def _remembered_save(self) -> None:
        """Write the keys remembered since the last call, in one upsert."""
        if not self._unsaved_keys:
            return
        ImportedItem.objects.bulk_create(
            [
                ImportedItem(source=self.source, kind=kind, key=key, object_id=object_id)
                for (kind, key), object_id in self._unsaved_keys.items()
            ],
            update_conflicts=True,
            unique_fields=["source", "kind", "key"],
            update_fields=["object_id"],
        )
        self._unsaved_keys.clear()

    def _count(self, kind: str, created: bool) -> None:
        (self.report.created if created else self.report.updated)[kind] += 1

    # taxonomy and people

    def section(self, slug: str) -> Category:
        if slug not in self._sections:
            self._sections[slug] = self._section_save(slug)
        return self._sections[slug]

    def _section_save(self, slug: str) -> Category:
        data = self.export.categories.get(slug, {"name": slug, "description": ""})
        known = self._known("category", slug)
        category = Category.objects.filter(pk=known).first() if known else None
        if category is None:
            category = Category.objects.filter(slug=transliterated_slug(slug, 80)).first()
        created = category is None
        if created:
            category = Category(
                slug=unique_slug(
                    transliterated_slug(slug, 80), among=Category.objects.all(), max_length=80
                )
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
        if login not in self._authors:
            self._authors[login] = self._author_save(login) if login else None
        return self._authors[login]

    def _author_save(self, login: str) -> Author:
        known = self._known("author", login)
        author = Author.objects.filter(pk=known).first() if known else None
        created = author is None
        name = self.export.authors.get(login, {}).get("name", login)[:120]
        if created:
            slug = unique_slug(
                transliterated_slug(login, 140), among=Author.objects.all(), max_length=140
            )
            author = Author(slug=slug)
        author.name = name
        author.save()
        if known != author.pk:
            self._count("authors", created)
        self._remember("author", login, author.pk)
        return author

    def commenters(self, comments: list[WPComment]) -> list[User]:
        """The accounts of the people who wrote `comments`, in the same order: found,
        renamed or created in three statements at most, however many there are."""
        identities = [_commenter_identity(comment) for comment in comments]
        # The name last signed wins, as it would one comment at a time.
        names = dict(identities)
        unsaved = {
            key: name
            for key, name in names.items()
            if key not in self._commenters or self._commenters[key].display_name != name
        }
        if unsaved:
            self._commenters_save(unsaved)
        return [self._commenters[key] for key, _name in identities]

    def _commenters_save(self, names: dict[str, str]) -> None:
        known = {key: self._known("commenter", key) for key in names}
        usernames = {key: f"wp-{key[:16]}" for key in names}
        found = User.objects.filter(
            Q(pk__in=[pk for pk in known.values() if pk]) | Q(username__in=usernames.values())
        )
        by_pk = {user.pk: user for user in found}
        by_username = {user.username: user for user in by_pk.values()}
        new, changed = [], []
        for key, name in names.items():
            user = by_pk.get(known[key]) if known[key] else None
            if user is None:
                username = usernames[key]
                user = by_username.get(username) or User(
                    username=username, email=f"{username}@imported.invalid", is_active=False
                )
                user.set_unusable_password()
                self._count("commenters", True)
            user.display_name = name
            (changed if user.pk else new).append(user)
            self._commenters[key] = user
        User.objects.bulk_create(new)
        User.objects.bulk_update(changed, ["display_name", "password"])
        for key in names:
            self._remember("commenter", key, self._commenters[key].pk)

    def _tag_list(self, names: list[str]) -> list[Tag]:
        """Tags by name, each once, created when missing (as taggit's `set` would)."""
        missing = [name for name in dict.fromkeys(names) if name not in self._tags]
        if missing:
            self._tags.update((tag.name, tag) for tag in Tag.objects.filter(name__in=missing))
            for name in missing:
                if name not in self._tags:
                    self._tags[name] = Tag.objects.create(name=name)
        return list({self._tags[name].pk: self._tags[name] for name in names}.values())

    # posts

    def run(self) -> ImportReport:
        self._keys = {
            (kind, key): object_id
            for kind, key, object_id in ImportedItem.objects.filter(
                source=self.source
            ).values_list("kind", "key", "object_id")
        }
        featured = set()
        for number, item in enumerate(self.progress(self.export.items()), 1):
            self.item(item)
            featured.add(item.meta.get("_thumbnail_id"))
            if number % BATCH_SIZE == 0:
                self._batch_finish()
        self._batch_finish()
        for attachment in self.attachments.values():
            if attachment.id not in featured:
                self.report.skip(
                    f"attachment {attachment.id} “{attachment.title}”",
                    "media files come across only as featured images of posts",
                )
        return self.report

    def _batch_finish(self) -> None:
        self._remembered_save()
        if self._batch:
            article_pages_purge(*self._batch)
            self._batch = []

    def item(self, item: WPItem) -> None:
        label = f"{item.post_type} {item.id} “{item.title or item.guid}”"
        if item.post_type == "attachment":
            return  # Used as featured images by the posts that point at them.
        if item.post_type == "page":
            if item.status not in STATUS_MAP:
                self.report.skip(label, f"status “{item.status}” is never imported (not public)")
                return
            self.page(item, label)
            return
        if item.post_type != "post":
            self.report.skip(label, f"unknown post type “{item.post_type}”")
            return
        if item.status not in STATUS_MAP:
            self.report.skip(label, f"status “{item.status}” is never imported (not public)")
            return
        if item.date_problem:
            self.report.skip(label, item.date_problem)
            return
        if item.date is None and STATUS_MAP[item.status] == Article.Status.PUBLISHED:
            # Article.save() would make it "now": a story's date must come from WordPress.
            self.report.skip(label, "it has no date (post_date_gmt and post_date are not set)")
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
        day = timezone.localdate(article.published_at) if article.published_at else None
        article.slug = unique_slug(
            slug,
            among=Article.objects.exclude(pk=article.pk).filter(publish_date=day),
            max_length=200,
        )
        # A post seen for the first time brings all its comments at once; the article's
        # row is then written once, already counting them.
        first_time = not any(self._known("comment", c.id) for c in item.comments)
        planned = self._comments_planned(item) if first_time else []
        if created:
            article.comment_count = len(planned)
        with self._featured_image(article, item, label):
            self._save(article, label)
        self._remember("post", key, article.pk)
        self._count("articles", created)
        self._byline(article, self.author(item.creator), created=created)
        tags = [name for _slug, name in item.tags]
        tags += [self.export.categories.get(s, {}).get("name", s) for s in item.categories[1:]]
        self._tags_set(article, tags, created=created)
        self._old_addresses(item, article=article)
        if first_time:
            self._comments_add(article, item, planned)
            if planned and not created:
                comments_recount(article_ids=[article.pk])
        else:
            self._comments(article, item)
        self._batch.append(article)

    @staticmethod
    def _byline(article: Article, author: Author | None, *, created: bool) -> None:
        if not created:
            ArticleAuthor.objects.filter(article=article).exclude(author=author).delete()
        if author is not None:
            ArticleAuthor.objects.bulk_create(
                [ArticleAuthor(article=article, author=author)], ignore_conflicts=True
            )

    def _tags_set(self, article: Article, names: list[str], *, created: bool) -> None:
        """The article's tags become `names`, in two statements."""
        tags = self._tag_list(names)
        if not created:
            TaggedItem.objects.filter(
                content_type=self._article_type, object_id=article.pk
            ).exclude(tag__in=tags).delete()
        TaggedItem.objects.bulk_create(
            [
                TaggedItem(content_type=self._article_type, object_id=article.pk, tag=tag)
                for tag in tags
            ],
            ignore_conflicts=True,
        )

    @cached_property
    def _article_type(self) -> ContentType:
        return ContentType.objects.get_for_model(Article)

    def page(self, item: WPItem, label: str) -> None:
        key = item.guid or item.id
        known = self._known("page", key)
        page = Page.objects.filter(pk=known).first() if known else None
        created = page is None
        if created:
            page = Page(slug=self._page_slug(item))
        page.title = item.title[:200] or f"Untitled ({item.id})"
        page.body = wordpress_html(item.content)
        page.description = html.unescape(plain_text(item.excerpt))[:300]
        page.is_published = item.status == "publish"
        try:
            page_save(page=page)
        except ValidationError as error:
            self.report.skip(label, " ".join(error.messages))
            return
        self._remember("page", key, page.pk)
        self._count("pages", created)
        self._old_addresses(item, page=page)

    @staticmethod
    def _page_slug(item: WPItem) -> str:
        base = transliterated_slug(item.slug or item.title, 80) or f"page-{item.id}"
        try:
            validate_page_slug(base)
        except ValidationError:
            # /search/, /2024/ ...: the site answers that address itself.
            base = f"page-{base}"[:80]
        return unique_slug(base, among=Page.objects.all(), max_length=80)

    def _save(self, article: Article, label: str) -> None:
        """Save through the publish rules; a post they refuse comes in as a draft instead
        of being lost, keeping its publish time for when an editor has finished it."""
        # Its cached pages are dropped with the batch's (_batch_finish), bylines and tags set.
        try:
            article_save(article=article, purge=False)
        except ArticleNotPublishable as refusal:
            article.status = Article.Status.DRAFT
            article_save(article=article, purge=False)
            self.report.draft(label, refusal.message)

    @contextmanager
    def _featured_image(self, article: Article, item: WPItem, label: str) -> Iterator[None]:
        """Put the post's featured image on `article`, its file open while the `with` block
        saves the article."""
        source = self._image_source(item, label)
        thumbnail = item.meta.get("_thumbnail_id")
        if source is None or (self._known("image", item.id) == int(thumbnail) and article.image):
            yield
            return
        path, attachment = source
        if self.dry_run:
            # Files written to storage would outlive the rolled-back transaction.
            self._count("featured images", True)
            yield
            return
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            try:
                validate_image_upload(upload)
            except ValidationError as error:
                self.report.skip(f"{label} featured image", " ".join(error.messages))
                yield
                return
            alt = attachment.meta.get("_wp_attachment_image_alt") or attachment.excerpt
            article.image = upload
            article.image_alt = (alt or article.title)[:250]
            article.image_caption = html.unescape(plain_text(attachment.excerpt))[:300]
            yield
        self._remember("image", item.id, int(thumbnail))
        self._count("featured images", True)

    def _image_source(self, item: WPItem, label: str) -> tuple[Path, WPItem] | None:
        """The file and attachment of the post's featured image, if both can be found."""
        thumbnail = item.meta.get("_thumbnail_id")
        if not thumbnail:
            return None
        attachment = self.attachments.get(thumbnail)
        if attachment is None:
            self.report.skip(f"{label} featured image", "its attachment is not in the export")
            return None
        if self.media_dir is None:
            self.report.skip(f"{label} featured image", "no --media-dir given")
            return None
        relative = (
            attachment.meta.get("_wp_attached_file")
            or urlsplit(attachment.attachment_url).path.split("/uploads/", 1)[-1]
        )
        path = (self.media_dir / relative).resolve()
        if not path.is_relative_to(self.media_dir) or not path.is_file():
            self.report.skip(
                f"{label} featured image", f"file not found under media dir: {relative}"
            )
            return None
        return path, attachment

    def _old_addresses(
        self, item: WPItem, *, article: Article | None = None, page: Page | None = None
    ) -> None:
        """Keep the item's WordPress addresses: they redirect while its article or page is
        public (checked when asked, so a draft or scheduled post gives nothing away)."""
        paths = {f"/?p={item.id}"} | ({f"/?page_id={item.id}"} if page is not None else set())
        if item.link:
            paths.add(old_path(item.link))
        longest = OldAddress._meta.get_field("path").max_length
        paths = sorted(path for path in paths if len(path) <= longest)
        taken = set(OldAddress.objects.filter(path__in=paths).values_list("path", flat=True))
        OldAddress.objects.bulk_create(
            [OldAddress(path=path, article=article, page=page) for path in paths],
            update_conflicts=True,
            unique_fields=["path"],
            update_fields=["article", "page"],
        )
        for path in paths:
            self._count("redirects", path not in taken)

    def _comment_kept(
        self, item: WPItem, comment: WPComment, left_out: dict[str, str]
    ) -> tuple[str, str] | None:
        """The report's label and the text of a comment that comes across; None (reported,
        and noted in `left_out` for its replies' threads) for one that does not."""
        label = f"comment {comment.id} on post {item.id}"
        body = comment_text(comment.content)
        why = why_left_out(comment, body)
        if why:
            self.report.skip(label, why)
            left_out[comment.id] = why
            return None
        return label, body

    def _comments_planned(self, item: WPItem) -> list[tuple[WPComment, str, str | None]]:
        """The comments of `item` that come across, parents first, each with its text and
        the WordPress ID of the comment whose thread it joins (None: it starts one); the
        report says which are left out, and why, and which move in their thread."""
        by_id = {c.id: c for c in item.comments}
        planned: dict[str, tuple[WPComment, str, str | None]] = {}
        left_out: dict[str, str] = {}
        for comment in parents_first(item.comments):
            kept = self._comment_kept(item, comment, left_out)
            if kept is None:
                continue
            label, body = kept
            parent_id, note = thread_parent(
                comment, by_id=by_id, imported=planned, left_out=left_out
            )
            if note:
                self.report.rethread(label, note)
            planned[comment.id] = (comment, body, parent_id)
        return list(planned.values())

    def _comments_add(
        self, article: Article, item: WPItem, planned: list[tuple[WPComment, str, str | None]]
    ) -> None:
        """Bring in the planned comments of a post met for the first time, all at once."""
        if not planned:
            return
        users = self.commenters([comment for comment, _body, _parent in planned])
        position = {comment.id: n for n, (comment, _body, _parent) in enumerate(planned)}
        rows = comments_import(
            article=article,
            comments=[
                ImportedComment(
                    user=user,
                    body=body,
                    created_at=comment.date,
                    parent=position[parent_id] if parent_id else None,
                )
                for (comment, body, parent_id), user in zip(planned, users, strict=True)
            ],
        )
        for (comment, _body, _parent), row in zip(planned, rows, strict=True):
            self._remember("comment", comment.id, row.pk)
            self._count("comments", True)

    def _comments(self, article: Article, item: WPItem) -> None:
        """Update the comments of a post an earlier run brought in, one by one: what a
        moderator or the comment's author did here stays (comment_import)."""
        by_id = {c.id: c for c in item.comments}
        imported: dict[str, Comment] = {}
        left_out: dict[str, str] = {}
        created = 0
        for comment in parents_first(item.comments):
            kept = self._comment_kept(item, comment, left_out)
            if kept is None:
                continue
            label, body = kept
            parent_id, note = thread_parent(
                comment, by_id=by_id, imported=imported, left_out=left_out
            )
            known = self._known("comment", comment.id)
            existing = (
                Comment.objects.select_related("user").filter(pk=known).first() if known else None
            )
            # Only what WordPress says changes on a re-run: a moderator's decision here stays.
            try:
                row = comment_import(
                    article=article,
                    user=existing.user if existing else self.commenters([comment])[0],
                    body=body,
                    parent=imported.get(parent_id),
                    created_at=comment.date,
                    existing=existing,
                    counted=False,
                )
            except CommentError as error:
                self.report.skip(label, error.message)
                left_out[comment.id] = error.message
                continue
            if note:
                self.report.rethread(label, note)
            imported[comment.id] = row
            self._remember("comment", comment.id, row.pk)
            self._count("comments", existing is None)
            created += existing is None
        if created:
            # Once per article, not once per comment: each would rewrite the wide row.
            comments_recount(article_ids=[article.pk])


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
        return importer.report
    # Fresh statistics for the planner: an import can grow the tables tenfold at once.
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE articles_article, comments_comment, taggit_taggeditem, "
            "articles_articleauthor, wpimport_importeditem"
        )
    return report


def _commenter_identity(comment: WPComment) -> tuple[str, str]:
    """The key a commenter is kept under (a hash: their address is not kept), and their
    name as this comment signs it."""
    identity = (comment.email or comment.author or "anonymous").strip().lower()
    key = hashlib.sha256(identity.encode()).hexdigest()[:24]
    return key, (comment.author or "WordPress reader")[:80]
