"""The Redis view buffer with PostgreSQL behind it: a Redis outage loses no view.

While Redis does not answer, views are recorded in the PostgreSQL buffer instead, and a
fold folds both buffers, each exactly once (PostgreSQL's in one transaction, Redis's by
renaming it aside). When to try Redis again and how its outage is logged is core.outage's
OutageGate, the same as for the cache.

Reader keys claimed in PostgreSQL during an outage are handed over to Redis by the first
fold after it, so a reader counted then is not counted again once Redis is back.
"""

import logging
from datetime import date, datetime

from django.db import transaction
from redis.exceptions import RedisError

from core.outage import OutageGate
from readership.models import ViewDedupe
from readership.stores.base import FoldResult, Pending, Recorded
from readership.stores.database import DatabaseViewStore
from readership.stores.redis import RedisViewStore

logger = logging.getLogger(__name__)

REDIS_ERRORS = (RedisError, OSError)
HANDOVER_BATCH = 10_000


class ResilientViewStore:
    """RedisViewStore while Redis answers, DatabaseViewStore while it does not."""

    def __init__(self, redis: RedisViewStore, database: DatabaseViewStore):
        self.redis = redis
        self.database = database
        self.gate = OutageGate(
            logger,
            down_message="View buffer in Redis unavailable (%s while %s: %s); counting views "
            "in PostgreSQL until it answers again",
            back_message="View buffer in Redis answering again; counting views there",
        )

    def record(
        self, *, article_id: int, key: str, day: date, at: datetime, address: str = ""
    ) -> Recorded:
        view = {"article_id": article_id, "key": key, "day": day, "at": at, "address": address}
        if self.gate.open:
            try:
                recorded = self.redis.record(**view)
            except REDIS_ERRORS as error:
                self.gate.failed("counting a view", error)
            else:
                self.gate.answered()
                return recorded
        return self.database.record(**view)

    def write_batch(self, batch: list[Pending]) -> int:
        if self.gate.open:
            try:
                counted = self.redis.write_batch(batch)
            except REDIS_ERRORS as error:
                self.gate.failed("writing a batch of views", error)
            else:
                self.gate.answered()
                return counted
        return self.database.write_batch(batch)

    def pending(self, article_id: int) -> int:
        """Views of the article in either buffer, not yet folded (Redis's only if it answers)."""
        pending = self.database.pending(article_id)
        if self.gate.open:
            try:
                pending += self.redis.pending(article_id)
            except REDIS_ERRORS as error:
                self.gate.failed("reading pending views", error)
        return pending

    def fold(self, batch_size: int = 10_000) -> FoldResult:
        """Fold the PostgreSQL buffer, then Redis's if it answers."""
        result = self.database.fold(batch_size)
        if self.gate.open:
            try:
                result += self.redis.fold(batch_size)
            except REDIS_ERRORS as error:
                self.gate.failed("folding views", error)
        return result

    def prune_dedupe(self, at: datetime) -> int:
        """Forget expired reader keys; hand the live ones claimed in PostgreSQL to Redis."""
        pruned = self.database.prune_dedupe(at)
        if self.gate.open:
            try:
                while self._hand_over(at) == HANDOVER_BATCH:
                    pass
            except REDIS_ERRORS as error:
                self.gate.failed("handing reader keys over", error)
        return pruned

    @transaction.atomic
    def _hand_over(self, at: datetime) -> int:
        # The rows are deleted only if Redis took them: an error rolls the delete back.
        claims = list(
            ViewDedupe.objects.select_for_update(skip_locked=True)
            .filter(expires_at__gt=at)
            .values_list("key", "expires_at")[:HANDOVER_BATCH]
        )
        if claims:
            self.redis.remember_readers(claims, at)
            ViewDedupe.objects.filter(key__in=[key for key, _until in claims]).delete()
        return len(claims)
