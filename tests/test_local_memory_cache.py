"""core.cache.LocalMemoryCache: the cache without Redis, minus memcached's key check."""

import warnings

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import CacheKeyWarning
from django.core.cache.backends.locmem import LocMemCache

from core.cache import FragmentMemoryCache, LocalMemoryCache

KEY = "piece:" + "long key, with spaces " * 12  # too long for memcached, and spaced


def test_a_key_memcached_would_refuse_is_kept_without_a_warning():
    cache = LocalMemoryCache("test-local", {})
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        cache.set(KEY, {"rows": [1, 2]})
        assert cache.get(KEY) == {"rows": [1, 2]}
    with pytest.warns(CacheKeyWarning):  # what Django's own does for each read
        LocMemCache("test-django", {}).get(KEY)


def test_the_per_process_caches_are_the_local_one():
    assert isinstance(caches["template_fragments"], FragmentMemoryCache)
    assert issubclass(FragmentMemoryCache, LocalMemoryCache)
    if not settings.REDIS_URL:
        assert type(caches["default"]) is LocalMemoryCache
