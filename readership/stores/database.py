"""The view buffer in PostgreSQL, used when there is no Redis (or Redis is away).

Counting claims the reader key in ViewDedupe and adds one to a random shard row of
ViewBuffer, in one statement; folding moves the buffer into the totals in another.
"""

import random
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from articles.models import Article
from readership.models import AddressReaders, ViewBuffer, ViewDedupe
from readership.stores.base import (
    ADDRESS_LIFETIME,
    FOLD_UPSERTS,
    FoldResult,
    Pending,
    Recorded,
    dedupe_window,
)


def _shard() -> int:
    return random.randrange(settings.VIEW_BUFFER_SHARDS)  # noqa: S311 - not a secret


class DatabaseViewStore:
    """The buffer in PostgreSQL: used when there is no Redis."""

    def record(
        self, *, article_id: int, key: str, day: date, at: datetime, address: str = ""
    ) -> Recorded:
        # One statement: claim the reader key (new, or its window has passed), and only if
        # that worked add one to a random shard row of the buffer. Two requests from one
        # reader racing each other meet on the key's primary key, so only one counts.
        # A new anonymous reader is first added to their address's count for the minute;
        # past VIEW_READERS_PER_ADDRESS the key is not claimed, so that reader can still
        # count in a later minute.
        # Outside a transaction it also turns off waiting for the WAL flush at commit:
        # a crash may lose the last fraction of a second of views, which is cheaper than
        # an fsync per page view.
        async_commit, from_async = "", ""
        if not connection.in_atomic_block:
            async_commit = (
                "async_commit AS MATERIALIZED "
                "(SELECT set_config('synchronous_commit', 'off', true)),"
            )
            from_async = "FROM async_commit"
        sql = f"""
            WITH {async_commit}
            address AS (
                INSERT INTO {AddressReaders._meta.db_table} AS a (key, readers, expires_at)
                SELECT %(address)s, 1, %(address_expires)s
                WHERE %(address)s <> '' AND NOT EXISTS (
                    SELECT 1 FROM {ViewDedupe._meta.db_table}
                    WHERE key = %(key)s AND expires_at > %(at)s
                )
                ON CONFLICT (key) DO UPDATE SET readers = a.readers + 1
                RETURNING readers
            ),
            claim AS (
                INSERT INTO {ViewDedupe._meta.db_table} AS seen (key, expires_at)
                SELECT %(key)s, %(expires)s
                WHERE COALESCE((SELECT readers FROM address), 0) <= %(limit)s
                ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
                WHERE seen.expires_at <= %(at)s
                RETURNING expires_at
            ),
            bump AS (
                INSERT INTO {ViewBuffer._meta.db_table} AS buf (article_id, day, shard, views)
                SELECT %(article)s, %(day)s, %(shard)s, 1 FROM claim
                ON CONFLICT (article_id, day, shard) DO UPDATE SET views = buf.views + 1
                RETURNING 1
            )
            SELECT EXISTS (SELECT 1 FROM bump), COALESCE(
                (SELECT expires_at FROM claim),
                (SELECT expires_at FROM {ViewDedupe._meta.db_table}
                 WHERE key = %(key)s AND expires_at > %(at)s)
            )
            {from_async}
        """  # noqa: S608 - table names come from our models, values are parameters
        params = {
            "key": key,
            "at": at,
            "expires": at + dedupe_window(),
            "article": article_id,
            "day": day,
            "shard": _shard(),
            "address": address,
            "address_expires": at + ADDRESS_LIFETIME,
            "limit": settings.VIEW_READERS_PER_ADDRESS,
        }
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                counted, until = cursor.fetchone()
        except IntegrityError:
            # The article was deleted between loading it and counting.
            return Recorded(False, None)
        return Recorded(counted, until)

    def write_batch(self, batch: list[Pending]) -> int:
        """Record a batch of views in one statement; returns how many counted."""
        # Claim all reader keys and add the claimed views to one shard row per article and
        # day. Keys are claimed in key order, address counts and buffer rows in their own
        # order, so two processes writing batches at once cannot deadlock. A new reader
        # counts if their address's count before the batch, plus their place among the
        # address's new readers in the batch, stays within the bound.
        sql = f"""
            WITH async_commit AS MATERIALIZED (
                SELECT set_config('synchronous_commit', 'off', true)
            ),
            incoming AS (
                SELECT DISTINCT ON (key) key, article_id, day, at, address
                FROM unnest(%(keys)s::varchar[], %(articles)s::bigint[], %(days)s::date[],
                            %(ats)s::timestamptz[], %(addresses)s::varchar[])
                    AS t(key, article_id, day, at, address)
                WHERE EXISTS (SELECT 1 FROM {Article._meta.db_table} a WHERE a.id = t.article_id)
                ORDER BY key, at
            ),
            fresh AS (
                SELECT i.*,
                    row_number() OVER (PARTITION BY i.address ORDER BY i.at, i.key) AS place,
                    COUNT(*) OVER (PARTITION BY i.address) AS arrived
                FROM incoming i
                WHERE NOT EXISTS (
                    SELECT 1 FROM {ViewDedupe._meta.db_table} s
                    WHERE s.key = i.key AND s.expires_at > i.at
                )
            ),
            address AS (
                INSERT INTO {AddressReaders._meta.db_table} AS a (key, readers, expires_at)
                SELECT address, COUNT(*), MAX(at) + %(address_lifetime)s FROM fresh
                WHERE address <> '' GROUP BY address ORDER BY address
                ON CONFLICT (key) DO UPDATE SET readers = a.readers + EXCLUDED.readers
                RETURNING key, readers
            ),
            admitted AS (
                SELECT f.* FROM fresh f LEFT JOIN address a ON a.key = f.address
                WHERE f.address = '' OR a.readers - f.arrived + f.place <= %(limit)s
            ),
            claim AS (
                INSERT INTO {ViewDedupe._meta.db_table} AS seen (key, expires_at)
                SELECT key, at + %(window)s FROM admitted ORDER BY key
                ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
                WHERE seen.expires_at <= EXCLUDED.expires_at - %(window)s
                RETURNING key
            ),
            bump AS (
                INSERT INTO {ViewBuffer._meta.db_table} AS buf (article_id, day, shard, views)
                SELECT i.article_id, i.day, %(shard)s, COUNT(*) FROM admitted i
                JOIN claim c ON c.key = i.key
                GROUP BY i.article_id, i.day ORDER BY i.article_id, i.day
                ON CONFLICT (article_id, day, shard)
                    DO UPDATE SET views = buf.views + EXCLUDED.views
            )
            SELECT (SELECT COUNT(*) FROM claim) FROM async_commit
        """  # noqa: S608 - table names come from our models, values are parameters
        params = {
            "keys": [item.key for item in batch],
            "articles": [item.article_id for item in batch],
            "days": [item.day for item in batch],
            "ats": [item.at for item in batch],
            "addresses": [item.address for item in batch],
            "window": dedupe_window(),
            "address_lifetime": ADDRESS_LIFETIME,
            "limit": settings.VIEW_READERS_PER_ADDRESS,
            "shard": _shard(),
        }
        for attempt in range(2):
            try:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return int(cursor.fetchone()[0])
            except IntegrityError:
                # An article was deleted between the check and the insert: once more
                # leaves it out.
                if attempt:
                    raise
        return 0

    def pending(self, article_id: int) -> int:
        """Views of the article in the buffer, not yet folded."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COALESCE(SUM(views), 0) FROM {ViewBuffer._meta.db_table} "  # noqa: S608
                "WHERE article_id = %s",
                [article_id],
            )
            return cursor.fetchone()[0]

    def fold(self, batch_size: int = 10_000) -> FoldResult:
        total = FoldResult()
        while True:
            result = self._fold_batch(batch_size)
            total += result
            if result.views == 0:
                return total

    @transaction.atomic
    def _fold_batch(self, batch_size: int) -> FoldResult:
        # Delete the batch and add it to the totals in one statement, so the counts are
        # either still in the buffer or in the totals, never both and never neither.
        # SKIP LOCKED leaves rows a reader is incrementing right now for the next batch.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH moved AS (
                    DELETE FROM {ViewBuffer._meta.db_table}
                    WHERE id IN (
                        SELECT id FROM {ViewBuffer._meta.db_table}
                        ORDER BY id LIMIT %(batch)s FOR UPDATE SKIP LOCKED
                    )
                    RETURNING article_id, day, views
                ), {FOLD_UPSERTS}
                SELECT COALESCE(SUM(views), 0), COUNT(DISTINCT article_id) FROM moved
                """,  # noqa: S608
                {"batch": batch_size},
            )
            views, articles = cursor.fetchone()
        return FoldResult(int(views), articles)

    def prune_dedupe(self, at: datetime) -> int:
        """Forget reader keys and address counts whose time is up."""
        AddressReaders.objects.filter(expires_at__lte=at).delete()
        return ViewDedupe.objects.filter(expires_at__lte=at).delete()[0]
