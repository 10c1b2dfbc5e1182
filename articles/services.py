"""Writes to articles that carry newsroom rules: publishing, featuring, comments settings,
editorial edits and the corrections appended to a story.

The admin's actions and forms, the WordPress importer and tests all go through these, so
"what makes an article publishable" is decided in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from articles.models import Article, BodyImage, Correction
from articles.notifications import Event, authors_notify
from articles.page_cache import article_pages_purge, pages_purge
from core.exceptions import ServiceError


class ArticleNotPublishable(ServiceError):
    """The article lacks something a published article must have.

    `problems` holds the messages by field name, as article_publish_problems gives them.
    """

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(str(problem) for problem in problems.values()))
        self.problems = problems


def article_publish_problems(
    *, category_id: int | None, standfirst: str, image: object, image_alt: str
) -> dict[str, str]:
    """What stops an article with these values from being published, by field name."""
    problems = {}
    if not category_id:
        problems["category"] = _("A published article needs a section.")
    if not (standfirst or "").strip():
        problems["standfirst"] = _("A published article needs a standfirst.")
    if image and not (image_alt or "").strip():
        problems["image_alt"] = _("Describe the image in its alt text before publishing.")
    return problems


def article_check_publishable(*, article: Article) -> None:
    """Raise ArticleNotPublishable when `article` lacks something a published one needs."""
    problems = article_publish_problems(
        category_id=article.category_id,
        standfirst=article.standfirst,
        image=article.image,
        image_alt=article.image_alt,
    )
    if problems:
        raise ArticleNotPublishable(problems)


RESCHEDULE_TOLERANCE = timedelta(minutes=1)


class ScheduleRefused(ServiceError):
    pass


@transaction.atomic
def article_publish(*, article: Article, at: datetime | None = None, actor=None) -> Article:
    """Publish `article` now, or schedule it when `at` is in the future.

    Raises ArticleNotPublishable (with the problems by field) when a rule is not met. The
    authors get an e-mail (not `actor`, who did it) once the transaction commits.
    """
    article_check_publishable(article=article)
    previous = (article.status, article.published_at)
    article.status = Article.Status.PUBLISHED
    article.published_at = at or timezone.now()
    _save(article, "status", "published_at")
    article_status_notify(article=article, previous=previous, actor=actor)
    return article


@transaction.atomic
def article_schedule(*, article: Article, at: datetime | None, actor=None) -> Article:
    """Schedule `article` to appear by itself at `at`, which must be in the future."""
    if at is None or at <= timezone.now():
        raise ScheduleRefused(_("Pick a publish time in the future to schedule the article."))
    return article_publish(article=article, at=at, actor=actor)


@transaction.atomic
def article_send_back(*, article: Article, note: str = "", actor=None) -> Article:
    """Return an article in review to its authors as a draft, and tell them (with `note`)."""
    if article.status != Article.Status.REVIEW:
        raise ServiceError(_("Only an article in review can be sent back."))
    article.status = Article.Status.DRAFT
    _save(article, "status")
    authors_notify(article=article, event=Event.SENT_BACK, note=note, actor=actor)
    return article


def article_status_notify(
    *, article: Article, previous: tuple[str, datetime | None] | None, actor=None, note=""
) -> None:
    """E-mail the authors when this save published, scheduled or sent back `article`.

    `previous` is (status, published_at) before the save, None for a new article. Saving
    an article that was already out, at the same time, tells no one anything new.
    """
    status, published_at = previous or (Article.Status.DRAFT, None)
    now = timezone.now()
    if article.status == Article.Status.PUBLISHED:
        scheduled = article.published_at > now
        if status == Article.Status.PUBLISHED and published_at is not None:
            # The form keeps whole seconds only, so an unchanged time can move a little.
            unchanged = abs(published_at - article.published_at) < RESCHEDULE_TOLERANCE
            if unchanged or not scheduled and published_at <= now:
                return
        event = Event.SCHEDULED if scheduled else Event.PUBLISHED
    elif status == Article.Status.REVIEW and article.status == Article.Status.DRAFT:
        if actor is not None and not roles.is_editor(actor):
            return  # an author taking their own story back from review
        event = Event.SENT_BACK
    else:
        return
    authors_notify(article=article, event=event, note=note, actor=actor)


@transaction.atomic
def article_save(*, article: Article, purge: bool = True) -> Article:
    """Save `article`, new or changed in many fields at once (the WordPress importer).

    A published or scheduled article must meet the publish rules: raises
    ArticleNotPublishable (a ValidationError by field), with nothing saved, when it does not.
    With `purge=False` the caller drops its cached pages (`article_pages_purge`) before the
    transaction ends: an import does so once for a batch of articles.
    """
    if article.status == Article.Status.PUBLISHED:
        article_check_publishable(article=article)
    article.save()
    if purge:
        article_pages_purge(article)
    return article


@transaction.atomic
def article_unpublish(*, article: Article) -> Article:
    """Take `article` off the site; it goes back to draft and keeps its publish time."""
    article.status = Article.Status.DRAFT
    _save(article, "status")
    return article


@transaction.atomic
def article_archive(*, article: Article) -> Article:
    """Retire `article`: it leaves the site and the lists but is kept."""
    article.status = Article.Status.ARCHIVED
    _save(article, "status")
    return article


@transaction.atomic
def article_feature(*, articles: Iterable[Article], featured: bool) -> int:
    """Put `articles` among (or take them out of) the front page's top stories."""
    return _set_on_each(articles, "is_featured", featured)


@transaction.atomic
def article_set_comments(*, articles: Iterable[Article], mode: str) -> int:
    """Open, close or hide the comments of `articles`."""
    if mode not in Article.Comments.values:
        raise ServiceError(_("Unknown comments setting “%(mode)s”.") % {"mode": mode})
    return _set_on_each(articles, "comments_mode", mode)


def _save(article: Article, *fields: str) -> None:
    """Save the changed fields and drop the cached pages that show the article."""
    article.save(update_fields=[*fields, "updated_at"])
    article_pages_purge(article)


def _set_on_each(articles: Iterable[Article], field: str, value) -> int:
    """Set `field` on the articles that differ, purge their pages together; how many changed."""
    changed = [article for article in articles if getattr(article, field) != value]
    for article in changed:
        setattr(article, field, value)
        article.save(update_fields=[field, "updated_at"])
    if changed:
        article_pages_purge(*changed)
    return len(changed)


@transaction.atomic
def body_image_upload(
    *, image, alt: str, caption: str = "", credit: str = "", user=None
) -> BodyImage:
    """Store a picture for article bodies, upright and without metadata, with renditions.

    `image` has passed the upload checks (articles.images.validate_image_upload).
    """
    if not (alt or "").strip():
        raise ServiceError(_("Describe the picture in its alt text."))
    upload = BodyImage(
        image=image, alt=alt.strip(), caption=caption, credit=credit, uploaded_by=user
    )
    upload.save()
    return upload


# What readers see as the story: a change to one of these is an editorial edit, which
# moves the public "Updated" time. Status, featuring, comments and SEO fields are not.
EDITORIAL_FIELDS = frozenset(
    {
        "title",
        "standfirst",
        "body",
        "image",
        "image_alt",
        "image_caption",
        "image_credit",
        "category",
        "tags",
    }
)


def article_is_edit(changed_fields: Iterable[str]) -> bool:
    """Whether changing `changed_fields` (form field names) is an editorial edit."""
    return not EDITORIAL_FIELDS.isdisjoint(changed_fields)


@transaction.atomic
def article_mark_edited(*, article: Article, at: datetime | None = None) -> Article:
    """Record an editorial edit of `article`: its public "Updated" time becomes `at` (now).

    Written with update(), so nothing else on the row is saved again; purges the pages.
    """
    article.edited_at = at or timezone.now()
    Article.objects.filter(pk=article.pk).update(edited_at=article.edited_at)
    article_pages_purge(article)
    return article


def corrections_page_purge() -> None:
    pages_purge([reverse("articles:corrections")])


@transaction.atomic
def correction_save(*, correction: Correction) -> Correction:
    """Append a correction or update note to its story, or change one's wording.

    A new note is an editorial edit of the story (its "Updated" time moves); the story's
    pages and the corrections page are purged either way.
    """
    note = (correction.note or "").strip()
    if not note:
        raise ServiceError(_("A correction needs a note saying what changed."))
    if "\x00" in note:
        raise ServiceError(_("The note holds a character that cannot be stored (NUL)."))
    correction.note = note
    is_new = correction.pk is None
    correction.save()
    if is_new:
        article_mark_edited(article=correction.article)
    else:
        article_pages_purge(correction.article)
    corrections_page_purge()
    return correction


@transaction.atomic
def correction_delete(*, correction: Correction) -> None:
    """Take a note off its story (a note added by mistake); the pages are purged."""
    article = correction.article
    correction.delete()
    article_pages_purge(article)
    corrections_page_purge()
