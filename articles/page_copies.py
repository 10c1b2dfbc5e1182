"""The page cache's shared copies: each kept in the cache whole, as it was first sent, and
this process's recently served ones kept in front of it, ready to send.

A copy is only ever served under its page's current version, read from the cache, so a
purge (articles.page_cache.pages_purge deletes the version: `versions_delete`) reaches
every process; the copies kept here are bounded in bytes and never outlive
PAGE_CACHE_SECONDS. What a hit saves by them: the cache's round trip for the page's bytes
(tens of KB from Redis) and unpickling them.

The versions read are remembered for PAGE_VERSION_MEMO_SECONDS (1 s with Redis), so a
busy page's hits make no round trip at all: that round trip was most of what a Redis hit
cost (45 % of the bare-Django floor with it, over 100 % without). The price: another
process's purge shows here up to that much later; the purging process forgets at once,
and a caching proxy's fetch (which follows its own purge at once, and is then kept for
max-age) always asks the cache.
"""

import threading
import time
from typing import NamedTuple

from django.conf import settings
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
    def __init__(self, limit: int = RECENT_BYTES, memo_seconds: float | None = None):
        self.limit = limit
        self._memo_seconds = memo_seconds
        self._recent: dict[str, CachedPage] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        # Version key -> (its value, until when it is believed without asking the cache).
        self._versions: dict[str, tuple[str, float]] = {}
        # Counts forgets, so versions read before one are not remembered after it.
        self._forgets = 0

    @property
    def memo_seconds(self) -> float:
        if self._memo_seconds is None:
            return settings.PAGE_VERSION_MEMO_SECONDS
        return self._memo_seconds

    def lookup(
        self, key: str, version_keys: tuple[str, ...], *, remembered: bool = True
    ) -> tuple[CachedPage | None, str | None]:
        """The fresh copy under `key`, if any, and the page's current version (its
        `version_keys` joined; None when one is missing): no round trip to the cache while
        the versions are remembered and this process holds the copy, else one (two when
        this process's copy has just gone stale). `remembered=False` asks the cache for
        the versions in any case: for a caching proxy's fetch, which it keeps."""
        now = time.time()
        recent = self._recent.get(key)
        if recent is not None and recent.expires <= now:
            recent = None
        version = self._remembered(version_keys, now) if remembered else None
        found = None
        if version is None:
            forgets = self._forgets
            found = cache.get_many(version_keys if recent else [key, *version_keys])
            version = _joined(found, version_keys)
            if version is None:
                return None, None
            if forgets == self._forgets:
                self._memorise(found, version_keys, now)
        if recent is not None and recent.version == version:
            return recent, version
        stored = found.get(key) if found is not None and recent is None else cache.get(key)
        copy = CachedPage.fresh(stored, version)
        if copy is not None:
            self._remember(key, copy)
        return copy, version

    def forget_versions(self, version_keys) -> None:
        """Stop believing these versions: this process has just deleted them."""
        self._forgets += 1
        for version_key in version_keys:
            self._versions.pop(version_key, None)

    def forget(self) -> None:
        """Drop every copy and version this process remembers (the tests' cache.clear())."""
        with self._lock:
            self._recent.clear()
            self._bytes = 0
        self._forgets += 1
        self._versions.clear()

    def _remembered(self, version_keys, now: float) -> str | None:
        if not self.memo_seconds:
            return None
        versions = []
        for version_key in version_keys:
            memo = self._versions.get(version_key)
            if memo is None or memo[1] <= now:
                return None
            versions.append(memo[0])
        return "|".join(versions)

    def _memorise(self, found: dict, version_keys, now: float) -> None:
        seconds = self.memo_seconds
        if seconds:
            for version_key in version_keys:
                self._versions[version_key] = (found[version_key], now + seconds)

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


def versions_delete(version_keys) -> None:
    """End these page versions everywhere: in the cache, and in this process's memory of
    them at once (other processes stop believing theirs within PAGE_VERSION_MEMO_SECONDS)."""
    version_keys = list(version_keys)
    cache.delete_many(version_keys)
    page_copies.forget_versions(version_keys)
