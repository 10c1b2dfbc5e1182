"""The page cache's shared copies: each kept in the cache whole, as it was first sent, and
this process's recently served ones kept in front of it, ready to send.

A copy is only ever served under its page's current version, read from the cache on
every hit (one small key), so a purge (articles.page_cache.pages_purge deletes the
version) reaches every process at once; the copies kept here are bounded in bytes and
never outlive PAGE_CACHE_SECONDS. What a hit saves by them: the cache's round trip for
the page's bytes (tens of KB from Redis) and unpickling them.
"""

import threading
import time
from typing import NamedTuple

from django.core.cache import cache

# Bytes of page content one process keeps ready to send, on top of the cache itself.
RECENT_BYTES = 16 * 1024 * 1024


class CachedPage(NamedTuple):
    """A shared copy: the response exactly as it was sent the first time (every header
    the middleware added), the page version it was made under and until when it may be
    served (time.time()), whether the page takes page numbers (``?page=1`` shares the
    first page's copy only then), and what the view wants to know on a hit.

    Stored as a plain tuple: a hit unpickles strings and bytes only, and a copy in an
    older shape (from an earlier release, in Redis) is simply a miss."""

    version: str
    expires: float
    headers: tuple[tuple[str, str], ...]
    content: bytes
    paginated: bool
    extra: dict

    @classmethod
    def fresh(cls, stored, version) -> "CachedPage | None":
        """The stored copy, if it is one of this shape made under the page's `version`."""
        if (
            version is None
            or type(stored) is not tuple
            or len(stored) != len(cls._fields)
            or stored[0] != version
            or stored[1] <= time.time()
        ):
            return None
        return cls(*stored)


class PendingCopy(NamedTuple):
    """Set on a response as `page_cache_copy` by the view: this response may be shared
    under `key`. articles.middleware.SharedPageMiddleware stores it once every middleware
    has added its headers, so a hit can be answered before any of them runs."""

    key: str
    version: str
    paginated: bool
    extra: dict
    seconds: int  # how long it may be served: PAGE_CACHE_SECONDS, or less (page_expires_at)


class PageCopies:
    def __init__(self, limit: int = RECENT_BYTES):
        self.limit = limit
        self._recent: dict[str, CachedPage] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def lookup(
        self, key: str, version_keys: tuple[str, ...]
    ) -> tuple[CachedPage | None, str | None]:
        """The fresh copy under `key`, if any, and the page's current version (its
        `version_keys` joined; None when one is missing): one round trip to the cache (two
        when this process's copy has just gone stale)."""
        recent = self._recent.get(key)
        if recent is not None and recent.expires > time.time():
            version = _joined(cache.get_many(version_keys), version_keys)
            if version is None or version == recent.version:
                return (recent if version else None), version
            copy = CachedPage.fresh(cache.get(key), version)
        else:
            found = cache.get_many([key, *version_keys])
            version = _joined(found, version_keys)
            copy = CachedPage.fresh(found.get(key), version)
        if copy is not None:
            self._remember(key, copy)
        return copy, version

    def store(self, key: str, copy: CachedPage, seconds: int) -> None:
        cache.set(key, tuple(copy), seconds)
        self._remember(key, copy)

    def _remember(self, key: str, copy: CachedPage) -> None:
        with self._lock:
            old = self._recent.pop(key, None)
            if old is not None:
                self._bytes -= len(old.content)
            self._recent[key] = copy
            self._bytes += len(copy.content)
            while self._bytes > self.limit and self._recent:
                oldest = next(iter(self._recent))
                self._bytes -= len(self._recent.pop(oldest).content)


def _joined(found: dict, version_keys) -> str | None:
    versions = [found.get(key) for key in version_keys]
    return None if None in versions else "|".join(versions)


page_copies = PageCopies()
