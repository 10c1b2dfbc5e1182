"""How many public stories a section, tag or author has (or the whole site: the article
sitemap's page count and the sitemap index's lastmod), and when one last changed: kept
in ListingStats so list pages and sitemaps read one row each, whatever the archive's size.

Counting a tag's stories at 100,000 articles read ~4,600 of them on every page view, and
the sitemaps ran one such subquery per tag, author and section (2.6 s for the tags). Here
a row is computed once, then read until one of these:
- a change to a story on the list (every service that changes what a page shows calls
  articles.page_cache.article_pages_purge, which calls `listings_forget`);
- the list's next scheduled story comes out (`next_change`): nothing is written then;
- STATS_SECONDS have passed, for writes that no service made (raw SQL, a bulk load).
A missing or outdated row is recomputed by the reader who finds it, for all the ids asked
about in one query.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import BigIntegerField, Count, F, Max, Min, Value
from django.utils import timezone

from articles.models import Article, ListingStats

STATS_SECONDS = 3600
Kind = ListingStats.Kind
# How each kind's lists find their stories; the site's list is every story.
PATHS = {
    Kind.SECTION: "category_id",
    Kind.TAG: "tags__id",
    Kind.AUTHOR: "bylines__author_id",
    Kind.SITE: None,
}
# The site's one row.
SITE_ID = 0


def listing_stats(kind: str, ids: Iterable[int]) -> dict[int, ListingStats]:
    """The stats of these sections, tags or authors (by id), fresh ones recomputed."""
    ids = sorted(set(ids))
    now = timezone.now()
    rows = {
        row.object_id: row for row in ListingStats.objects.filter(kind=kind, object_id__in=ids)
    }
    outdated = [pk for pk in ids if pk not in rows or _outdated(rows[pk], now)]
    if outdated:
        rows.update(_recompute(kind, outdated, now))
    return rows


def listing_count(kind: str, pk: int) -> int:
    return listing_stats(kind, [pk])[pk].published


def site_stats() -> ListingStats:
    """The stats of every public story on the site."""
    return listing_stats(Kind.SITE, [SITE_ID])[SITE_ID]


def listings_forget(*, sections: Iterable[int], tags: Iterable[int], authors: Iterable[int]):
    """Recompute these lists' stats, and the site's (every story is on it), when next
    read, once the change is committed."""
    wanted = [
        (Kind.SECTION, set(sections)),
        (Kind.TAG, set(tags)),
        (Kind.AUTHOR, set(authors)),
        (Kind.SITE, {SITE_ID}),
    ]

    def forget():
        for kind, ids in wanted:
            if ids:
                ListingStats.objects.filter(kind=kind, object_id__in=ids).delete()

    transaction.on_commit(forget)


def _outdated(row: ListingStats, now) -> bool:
    if row.next_change is not None and row.next_change <= now:
        return True
    return row.computed_at <= now - timedelta(seconds=STATS_SECONDS)


def _recompute(kind: str, ids: list[int], now) -> dict[int, ListingStats]:
    path = PATHS[kind]
    if path:
        on_list, key = {f"{path}__in": ids}, F(path)
    else:  # the site: no join, so no story is counted twice and nothing is grouped
        on_list, key = {}, Value(SITE_ID, output_field=BigIntegerField())
    public = (
        Article.objects.published()
        .filter(**on_list)
        .values(key=key)
        .annotate(n=Count("pk", distinct=bool(path)), last=Max("updated_at"))
        .order_by()
    )
    scheduled = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now, **on_list)
        .values(key=key)
        .annotate(next=Min("published_at"))
        .order_by()
    )
    facts = {row["key"]: row for row in public}
    upcoming = {row["key"]: row["next"] for row in scheduled}
    rows = [
        ListingStats(
            kind=kind,
            object_id=pk,
            published=facts.get(pk, {}).get("n", 0),
            last_updated=facts.get(pk, {}).get("last"),
            next_change=upcoming.get(pk),
            computed_at=now,
        )
        for pk in ids
    ]
    ListingStats.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["published", "last_updated", "next_change", "computed_at"],
    )
    return {row.object_id: row for row in rows}
