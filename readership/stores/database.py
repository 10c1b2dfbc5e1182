"""The view buffer in PostgreSQL, used when there is no Redis.

Counting claims the reader key in ViewDedupe and adds one to a random shard row of
ViewBuffer, in one statement; folding moves the buffer into the totals in another.
"""

import random
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from articles.models import Article
from readership.models import ViewBuffer, ViewDedupe
from readership.stores.base import FOLD_UPSERTS, FoldResult, Pending, Recorded, dedupe_window


def _shard() -> int:
    return random.randrange(settings.VIEW_BUFFER_SHARDS)  # noqa: S311 - not a secret


class DatabaseViewStore:
    """The buffer in PostgreSQL: used when there is no Redis."""

    def record(self, *, article_id: int, key: str, day: date, at: datetime) -> Recorded:
        # One statement: claim the reader key (new, or its window has passed), and only if
        # that worked add one to a random shard row of the buffer. Two requests from one
        # reader racing each other meet on the key's primary key, so only one counts.
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
            claim AS (
                INSERT INTO {ViewDedupe._meta.db_table} AS seen (key, expires_at)
                VALUES (%(key)s, %(expires)s)
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
                (SELECT expires_at FROM {ViewDedupe._meta.db_table} WHERE key = %(key)s)
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
        # day. Keys are claimed in key order, and buffer rows in article order, so two
        # processes writing batches at once cannot deadlock.
        sql = f"""
            WITH async_commit AS MATERIALIZED (
                SELECT set_config('synchronous_commit', 'off', true)
            ),
            incoming AS (
                SELECT DISTINCT ON (key) key, article_id, day, at
                FROM unnest(%(keys)s::varchar[], %(articles)s::bigint[], %(days)s::date[],
                            %(ats)s::timestamptz[]) AS t(key, article_id, day, at)
                WHERE EXISTS (SELECT 1 FROM {Article._meta.db_table} a WHERE a.id = t.article_id)
                ORDER BY key, at
            ),
            claim AS (
                INSERT INTO {ViewDedupe._meta.db_table} AS seen (key, expires_at)
                SELECT key, at + %(window)s FROM incoming ORDER BY key
                ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
                WHERE seen.expires_at <= EXCLUDED.expires_at - %(window)s
                RETURNING key
            ),
            bump AS (
                INSERT INTO {ViewBuffer._meta.db_table} AS buf (article_id, day, shard, views)
                SELECT i.article_id, i.day, %(shard)s, COUNT(*) FROM incoming i
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
            "window": dedupe_window(),
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
        return ViewDedupe.objects.filter(expires_at__lte=at).delete()[0]
