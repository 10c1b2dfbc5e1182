"""Running a live page: start it, post entries (several reporters at once), close it.

Every change purges the article page and moves the entries fragment's version, so readers
polling it see a new entry on their next poll and new readers get it in the page.
"""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Author
from articles.models import Article
from articles.page_cache import pages_purge
from articles.sanitize import plain_text, sanitize_html
from core.exceptions import ServiceError
from liveblog.models import LiveCoverage, LiveEntry
from liveblog.selectors import LIVE_ARTICLES_KEY, fragment_version_key


class LiveCoverageClosed(ServiceError):
    status_code = 409


def _purge(coverage: LiveCoverage) -> None:
    """After the commit: the article page, the entries fragment and the list of live pages."""
    pages_purge([coverage.article.get_absolute_url()])
    keys = [fragment_version_key(coverage.pk), LIVE_ARTICLES_KEY]
    transaction.on_commit(lambda: cache.delete_many(keys))


@transaction.atomic
def live_coverage_start(*, article: Article, started_at: datetime | None = None) -> LiveCoverage:
    """Make `article` a live page. Refuses an article that already is one."""
    if LiveCoverage.objects.filter(article=article).exists():
        raise ServiceError(_("This article is already a live page."))
    coverage = LiveCoverage.objects.create(
        article=article, started_at=started_at or timezone.now()
    )
    _purge(coverage)
    return coverage


@transaction.atomic
def live_coverage_save(*, coverage: LiveCoverage) -> LiveCoverage:
    """Save a change to the live page itself (its start time)."""
    coverage.save()
    _purge(coverage)
    return coverage


@transaction.atomic
def live_coverage_close(*, coverage: LiveCoverage, at: datetime | None = None) -> LiveCoverage:
    """End the coverage: no more entries, readers' pages stop polling, the page stays."""
    coverage = (
        LiveCoverage.objects.select_for_update().select_related("article").get(pk=coverage.pk)
    )
    if not coverage.is_open:
        raise LiveCoverageClosed(_("This live page is already closed."))
    coverage.ended_at = at or timezone.now()
    coverage.save(update_fields=["ended_at"])
    _purge(coverage)
    return coverage


@transaction.atomic
def live_coverage_reopen(*, coverage: LiveCoverage) -> LiveCoverage:
    """Open a closed live page again (the story came back)."""
    coverage = (
        LiveCoverage.objects.select_for_update().select_related("article").get(pk=coverage.pk)
    )
    coverage.ended_at = None
    coverage.save(update_fields=["ended_at"])
    _purge(coverage)
    return coverage


def _checked_body(body: str) -> str:
    body = sanitize_html(body or "")
    if not plain_text(body) and "<img" not in body:
        raise ServiceError(_("A live entry needs some text."))
    return body


@transaction.atomic
def live_entry_post(
    *,
    coverage: LiveCoverage,
    body: str,
    headline: str = "",
    is_key_event: bool = False,
    author: Author | None = None,
) -> LiveEntry:
    """Add an entry to an open live page.

    The page's row is locked while the entry is inserted, so entries of one page are
    committed in id order: a reader asking for "entries after N" can never miss one that
    took a lower id but committed later.
    """
    coverage = (
        LiveCoverage.objects.select_for_update().select_related("article").get(pk=coverage.pk)
    )
    if not coverage.is_open:
        raise LiveCoverageClosed(_("This live page is closed: reopen it to post again."))
    entry = LiveEntry.objects.create(
        coverage=coverage,
        body=_checked_body(body),
        headline=(headline or "").strip(),
        is_key_event=is_key_event,
        author=author,
    )
    _purge(coverage)
    return entry


@transaction.atomic
def live_entry_save(*, entry: LiveEntry) -> LiveEntry:
    """Save a change to an entry already posted (a typo, the key-event flag)."""
    entry.body = _checked_body(entry.body)
    entry.save()
    _purge(entry.coverage)
    return entry


@transaction.atomic
def live_entry_delete(*, entry: LiveEntry) -> None:
    coverage = entry.coverage
    entry.delete()
    _purge(coverage)


def live_coverage_deleted(*, coverage: LiveCoverage) -> None:
    """After the admin deleted a live page: the article is an ordinary story again."""
    _purge(coverage)
