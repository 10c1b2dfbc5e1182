"""Folding: move buffered views into Article.view_count and the daily buckets.

`manage.py fold_views` runs it (by cron on busy sites); otherwise the first request that
counts a view after VIEW_FOLD_INTERVAL seconds does. Both stores fold with upserts in one
transaction, so a view is either still in the buffer or in the totals.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from readership import clock
from readership.stores import get_store
from readership.stores.base import FoldResult
from readership.writebehind import write_behind

logger = logging.getLogger(__name__)

# When this process next asks the shared cache whether a fold is due (time.monotonic()).
next_fold_check = 0.0


def views_fold(*, batch_size: int = 10_000) -> FoldResult:
    """Move buffered views into Article.view_count and ArticleViewDay; prune old keys."""
    write_behind.flush()
    store = get_store()
    result = store.fold(batch_size)
    store.prune_dedupe(clock.now())
    return result


def fold_if_due() -> None:
    """Fold at most every VIEW_FOLD_INTERVAL seconds, from whichever request comes first.

    Saves running cron for small sites; with the interval at 0, run `fold_views` by cron.
    """
    global next_fold_check
    interval = settings.VIEW_FOLD_INTERVAL
    if not interval or time.monotonic() < next_fold_check:
        return
    # Ask the shared cache only once per interval per process, not on every view.
    next_fold_check = time.monotonic() + interval
    if not cache.add("views:fold-due", 1, interval):
        return
    try:
        views_fold()
    except Exception:
        # The reader's page must not fail because of bookkeeping; the next fold retries.
        logger.exception("Folding buffered views failed")
