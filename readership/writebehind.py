"""Write-behind: views on their way to the buffer, written by a thread in batches.

With VIEW_WRITE_BEHIND_MS > 0, a request only appends to a list, and a thread of the same
process writes what has gathered every that many milliseconds in one statement or
script: a page view then costs microseconds instead of a round trip. The batch is
written again if writing fails, and written at exit, so only a process killed outright
(SIGKILL, out of memory) loses its last fraction of a second of views.
"""

import atexit
import logging
import os
import threading
import time

from django.conf import settings
from django.db import connection

from readership.stores import get_store
from readership.stores.base import Pending

logger = logging.getLogger(__name__)


class WriteBehind:
    """Views on their way to the buffer (PostgreSQL or Redis), written in batches."""

    batch_size = 1000
    max_items = 100_000

    def __init__(self):
        self._items: list[Pending] = []
        self._in_flight: list[Pending] = []
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def enabled(self) -> bool:
        return settings.VIEW_WRITE_BEHIND_MS > 0

    def put(self, item: Pending) -> None:
        with self._lock:
            if len(self._items) >= self.max_items:
                # The database has been away for a long while; keep the newest views.
                logger.error("View write-behind queue full: dropping the oldest views")
                del self._items[: self.batch_size]
            self._items.append(item)
            size = len(self._items)
            if self._pid != os.getpid() or not (self._thread and self._thread.is_alive()):
                self._start()
        if size >= self.batch_size:
            self._wake.set()

    def pending(self, article_id: int) -> int:
        """Views of the article queued here or being written, by distinct reader."""
        with self._lock:
            items = self._items + self._in_flight
            return len({item.key for item in items if item.article_id == article_id})

    def flush(self) -> int:
        """Write everything queued now; returns the views that counted.

        One flush at a time per process, so a flush (and so a fold) that returns has also
        seen the end of a batch another thread was writing.
        """
        counted = 0
        with self._flush_lock:
            while True:
                with self._lock:
                    batch = self._in_flight = self._items[: self.batch_size]
                    del self._items[: self.batch_size]
                if not batch:
                    return counted
                try:
                    counted += get_store().write_batch(batch)
                except Exception:
                    with self._lock:
                        self._items[:0] = batch
                    raise
                finally:
                    with self._lock:
                        self._in_flight = []

    def _start(self) -> None:
        # A forked worker does not inherit the parent's thread: start one per process.
        if self._pid != os.getpid():
            self._pid = os.getpid()
            atexit.register(self._flush_at_exit)
        self._thread = threading.Thread(target=self._run, name="view-write-behind", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while self.enabled():
                self._wake.wait(settings.VIEW_WRITE_BEHIND_MS / 1000)
                self._wake.clear()
                try:
                    self.flush()
                except Exception:
                    logger.exception("Writing buffered views failed; retrying")
                    connection.close()
                    time.sleep(1)
            self.flush()
        finally:
            connection.close()

    def _flush_at_exit(self) -> None:
        try:
            self.flush()
        except Exception:
            logger.exception("Writing buffered views at exit failed")


write_behind = WriteBehind()
