"""Paginators whose count does not read the whole archive."""

from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap; above it the estimate is within a few per
# cent, which is all "page 3 of 2,000" needs.
EXACT_COUNT_BELOW = 10_000


class EstimatedCountPaginator(Paginator):
    """The desk's lists: counted exactly up to EXACT_COUNT_BELOW rows (a bounded count,
    which stops there); past that an unfiltered list of the table is counted from the
    planner's statistics (`pg_class.reltuples`, kept by ANALYZE and autovacuum) instead
    of a COUNT(*) over every row, and a filtered one exactly.

    The estimate lags rows added or deleted since the last ANALYZE (autovacuum analyzes
    after about a tenth of the table has changed): the last page links may be a few pages
    off until then; every page is still read exactly, with LIMIT/OFFSET."""

    @cached_property
    def count(self):
        # Only the ids, in the list's order: an index-only range that stops at the bound,
        # never the wide rows.
        ordering = self.object_list.query.order_by or self.object_list.model._meta.ordering
        ids = self.object_list.order_by(*ordering).values("pk")
        bounded = ids[:EXACT_COUNT_BELOW].count()
        if bounded < EXACT_COUNT_BELOW:
            return bounded
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where:
            return max(bounded, table_estimate(self.object_list.model._meta.db_table))
        return super().count


def table_estimate(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return max(row[0], 0) if row else 0


class KnownCountPaginator(Paginator):
    """Pages of a list whose size is already known (articles.listings): no COUNT(*)."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count
