"""Django's Redis cache, where Redis being away is a miss instead of an error.

Everything the project keeps in the cache can be rebuilt: pages from PostgreSQL, sessions
from their database copy (`cached_db`), rate-limit windows start again. So when Redis stops
answering, reads miss, writes are dropped and every page still answers from PostgreSQL.
When to try Redis again after a failure, and how often its outage is logged, is
core.outage.OutageGate, shared with the view buffer.
"""

import logging
from collections.abc import Callable

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from core.outage import OutageGate

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.gate = OutageGate(
            logger, down_message="Cache unavailable (%s on %s: %s); serving without it for now"
        )

    def _call(self, operation: str, fallback, *args, **kwargs):
        if not self.gate.open:
            return fallback
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except CACHE_ERRORS as error:
            self.gate.failed(operation, error)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Accepted and forgotten, like set(): a lock taken with add() (allauth's rate
        # limiter takes one per attempt) is granted, so the limit fails open, not shut.
        return self._call("add", True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read starts again: rate limits fail open, not shut.
        return self._call("incr", delta, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)


class LocalMemoryCache(LocMemCache):
    """Django's per-process cache without its check that each key would suit memcached: a
    Python loop over every character of the key, on each of the dozen reads a rendered
    page makes (the section list, related stories, most read), for a warning about a
    server this cache is not."""

    def validate_key(self, key):
        pass


class FragmentMemoryCache(LocalMemoryCache):
    """This process's rendered pieces of pages (core/fragments.py, `{% piece %}`), kept as
    the strings they are instead of pickled: a hit is a dictionary read, where unpickling
    the story's body and its comment thread on every rendered page cost ~5 % of it. A
    string cannot be changed in place, so keeping the object itself is as safe as a copy."""

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        _require_text(value)
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        _require_text(value)
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key, delta=1, version=None):
        raise TypeError("FragmentMemoryCache keeps rendered text, not counters")

    def piece(self, key: tuple, render: Callable[[], str]) -> str:
        """The text kept under `key`, a tuple of strings (core.fragments.exact_key), or
        `render()`'s, kept. The tuple is the dictionary key itself: no hashing into a
        digest, no key checks (a Python loop over every character), and two keys are the
        same only when their texts are. (A string key, as get() and set() take, never
        equals a tuple.)"""
        with self._lock:
            if not self._has_expired(key):
                self._cache.move_to_end(key, last=False)
                return self._cache[key]
        text = render()
        _require_text(text)
        with self._lock:
            self._set(key, text)
        return text


def _require_text(value) -> None:
    if not isinstance(value, str):
        raise TypeError(f"FragmentMemoryCache keeps rendered text, not {type(value).__name__}")
