"""What this process remembers about readers it has counted: reloads skip the store."""

import threading
from datetime import datetime


class RecentReaders:
    """Reader keys this process knows are inside their window, and until when.

    A reload then costs no round trip to Redis or PostgreSQL. Only ever says "already
    counted" when the store said so, so it cannot lose a view; at worst, once full, it
    forgets everything and asks the store again.
    """

    def __init__(self, size: int = 20_000):
        self.size = size
        self._until: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def holds(self, key: str, at: datetime) -> bool:
        until = self._until.get(key)
        return until is not None and at < until

    def remember(self, key: str, until: datetime) -> None:
        with self._lock:
            if len(self._until) >= self.size:
                self._until = {}
            self._until[key] = until

    def clear(self) -> None:
        with self._lock:
            self._until = {}


recent_readers = RecentReaders()
