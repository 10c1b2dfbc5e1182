"""Folding: move buffered views into Article.view_count and the daily buckets.

Every process that has counted a view folds every VIEW_FOLD_INTERVAL seconds from a thread
of its own (FoldTimer), never inside a reader's request; `manage.py fold_views` does the
same from cron. A PostgreSQL advisory lock lets one fold run at a time across all
processes and machines. Both stores fold with upserts in one transaction, so a view is
either still in the buffer or in the totals.
"""

import atexit
import logging
import os
import random
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection

from readership import clock
from readership.stores import get_store
from readership.stores.base import FoldResult
from readership.writebehind import write_behind

logger = logging.getLogger(__name__)

# The advisory lock folds take: any fixed 64-bit number no other lock of ours uses.
FOLD_LOCK = 0x6E70_7669_6577_73  # "npviews"


@contextmanager
def _fold_lock(*, wait: bool):
    """Hold the fold lock; yields False when `wait` is off and another fold holds it."""
    if settings.DATABASE_POOLED:
        # Behind a transaction pooler a session lock would stay on whichever server
        # connection took it, for good. The lock only saves work: folds side by side are
        # still exact (each batch takes its rows with SKIP LOCKED; Redis has its own lock).
        yield True
        return
    # Inside the caller's transaction (tests, a management shell) the lock goes with it, so
    # an error cannot leave it held on a connection that lives on.
    scope = "_xact" if connection.in_atomic_block else ""
    function = f"pg{'' if wait else '_try'}_advisory{scope}_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [FOLD_LOCK])
        # The waiting functions return nothing once they hold the lock.
        held = cursor.fetchone()[0] is not False
    try:
        yield held
    finally:
        if held and not scope:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [FOLD_LOCK])
            except DatabaseError:
                # The connection broke: PostgreSQL let go of the lock with it.
                connection.close()


def views_fold(*, batch_size: int = 10_000, wait: bool = True) -> FoldResult:
    """Move buffered views into Article.view_count and ArticleViewDay; prune old keys.

    One fold runs at a time; with `wait` off, a fold that finds another running returns
    at once with nothing folded.
    """
    write_behind.flush()
    with _fold_lock(wait=wait) as held:
        if not held:
            return FoldResult()
        store = get_store()
        result = store.fold(batch_size)
        store.prune_dedupe(clock.now())
        return result


class FoldTimer:
    """A thread per process that folds every VIEW_FOLD_INTERVAL seconds, whatever traffic.

    Started by the first counted view of a process (a forked worker starts its own), so a
    process that never counts starts nothing. It stops at exit, folding once more so that
    views counted just before a worker is recycled do not wait for another process.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._pid == os.getpid()

    def ensure_started(self) -> None:
        """Start the thread in this process if it is not running; cheap when it is."""
        if self.running() or not settings.VIEW_FOLD_INTERVAL:
            return
        with self._lock:
            if self.running():
                return
            if self._pid != os.getpid():
                self._pid = os.getpid()
                atexit.register(self._stop_at_exit)
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="view-fold-timer", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        """Stop the thread and wait for a fold under way to end."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def fold(self) -> None:
        """One fold on the timer: skipped if another is running, logged if it fails."""
        try:
            views_fold(wait=False)
        except Exception:
            logger.exception("Folding buffered views failed; the next interval tries again")
            connection.close()

    def _run(self) -> None:
        stop = self._stop
        try:
            # Spread the processes' folds over the interval instead of firing together.
            while (interval := settings.VIEW_FOLD_INTERVAL) and not stop.wait(
                interval * random.uniform(0.9, 1.1)  # noqa: S311 - not a secret
            ):
                # As a request would: drop this thread's connection if it broke or aged.
                close_old_connections()
                self.fold()
        finally:
            connection.close()

    def _stop_at_exit(self) -> None:
        if not self.running():
            return
        self.stop()
        self.fold()


fold_timer = FoldTimer()
