"""The reads of live pages: which articles are live, a page's entries, the fragment's version."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Prefetch

from liveblog.models import LiveCoverage, LiveEntry

# {article id: live page id} for every live page, so an ordinary article page costs no
# query to learn it is not one. Dropped by every service that starts or changes a page.
LIVE_ARTICLES_KEY = "liveblog:articles"
LIVE_ARTICLES_SECONDS = 300
VERSION_SECONDS = 24 * 60 * 60


@dataclass
class LivePage:
    coverage: LiveCoverage
    entries: list[LiveEntry] = field(default_factory=list)

    @property
    def key_events(self) -> list[LiveEntry]:
        return [entry for entry in self.entries if entry.is_key_event]

    @property
    def newest_id(self) -> int:
        return self.entries[0].pk if self.entries else 0


def live_article_ids() -> dict[int, int]:
    ids = cache.get(LIVE_ARTICLES_KEY)
    if ids is None:
        ids = dict(LiveCoverage.objects.values_list("article_id", "pk"))
        cache.set(LIVE_ARTICLES_KEY, ids, LIVE_ARTICLES_SECONDS)
    return ids


def entries_with_authors():
    return LiveEntry.objects.select_related("author").order_by("-id")


def live_page_of(article) -> LivePage | None:
    """The live page run under `article`, with its entries newest first; None if none.

    No query for an article that is not live (the cached id list); two for one that is.
    """
    coverage_id = live_article_ids().get(article.pk)
    if coverage_id is None:
        return None
    coverage = (
        LiveCoverage.objects.filter(pk=coverage_id)
        .prefetch_related(Prefetch("entries", queryset=entries_with_authors()))
        .first()
    )
    if coverage is None:
        return None
    coverage.article = article
    return LivePage(coverage=coverage, entries=list(coverage.entries.all()))


def fragment_version_key(coverage_id: int) -> str:
    return f"liveblog:version:{coverage_id}"


def fragment_version(coverage_id: int) -> str:
    """The current version of a live page's entries; a new entry drops it (services)."""
    key = fragment_version_key(coverage_id)
    token = cache.get(key)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(key, token, VERSION_SECONDS):
            token = cache.get(key) or token
    return token
