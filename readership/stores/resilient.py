"""The Redis view buffer with PostgreSQL behind it: a Redis outage loses no view.

While Redis does not answer, views are recorded in the PostgreSQL buffer instead, and a
fold folds both buffers, each exactly once (PostgreSQL's in one transaction, Redis's by
renaming it aside). After a failure Redis is skipped for CACHE_RETRY_SECONDS, so readers
do not wait on a dead server, then tried again: Redis coming back needs no restart. The
outage is logged once per CACHE_ERROR_LOG_SECONDS, not once per view.

Reader keys claimed in PostgreSQL during an outage are handed over to Redis by the first
fold after it, so a reader counted then is not counted again once Redis is back.
"""

import logging
import threading
import time
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from redis.exceptions import RedisError

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
        self._lock = threading.Lock()
        self._skip_until = 0.0
        self._logged_at = float("-inf")
        self._down = False

    def available(self) -> bool:
        """False while Redis is being skipped after a failure."""
        return time.monotonic() >= self._skip_until

    def _failed(self, action: str, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._skip_until = now + settings.CACHE_RETRY_SECONDS
            self._down = True
            if now - self._logged_at < settings.CACHE_ERROR_LOG_SECONDS:
                return
            self._logged_at = now
        logger.warning(
            "View buffer in Redis unavailable (%s while %s: %s); counting views in "
            "PostgreSQL until it answers again",
            type(error).__name__,
            action,
            error,
        )

    def _answered(self) -> None:
        if self._down:
            self._down = False
            logger.warning("View buffer in Redis answering again; counting views there")

    def record(
        self, *, article_id: int, key: str, day: date, at: datetime, address: str = ""
    ) -> Recorded:
        view = {"article_id": article_id, "key": key, "day": day, "at": at, "address": address}
        if self.available():
            try:
                recorded = self.redis.record(**view)
            except REDIS_ERRORS as error:
                self._failed("counting a view", error)
            else:
                self._answered()
                return recorded
        return self.database.record(**view)

    def write_batch(self, batch: list[Pending]) -> int:
        if self.available():
            try:
                counted = self.redis.write_batch(batch)
            except REDIS_ERRORS as error:
                self._failed("writing a batch of views", error)
            else:
                self._answered()
                return counted
        return self.database.write_batch(batch)

    def pending(self, article_id: int) -> int:
        """Views of the article in either buffer, not yet folded (Redis's only if it answers)."""
        pending = self.database.pending(article_id)
        if self.available():
            try:
                pending += self.redis.pending(article_id)
            except REDIS_ERRORS as error:
                self._failed("reading pending views", error)
        return pending

    def fold(self, batch_size: int = 10_000) -> FoldResult:
        """Fold the PostgreSQL buffer, then Redis's if it answers."""
        result = self.database.fold(batch_size)
        if self.available():
            try:
                result += self.redis.fold(batch_size)
            except REDIS_ERRORS as error:
                self._failed("folding views", error)
        return result

    def prune_dedupe(self, at: datetime) -> int:
        """Forget expired reader keys; hand the live ones claimed in PostgreSQL to Redis."""
        pruned = self.database.prune_dedupe(at)
        if self.available():
            try:
                while self._hand_over(at) == HANDOVER_BATCH:
                    pass
            except REDIS_ERRORS as error:
                self._failed("handing reader keys over", error)
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
