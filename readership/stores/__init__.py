"""The view buffers: Redis when REDIS_URL is set (or VIEW_STORE=redis), else PostgreSQL."""

from functools import cache

from django.conf import settings

from readership.stores.database import DatabaseViewStore
from readership.stores.redis import RedisViewStore

_database_store = DatabaseViewStore()


@cache
def _redis_store(url: str, prefix: str) -> RedisViewStore:
    return RedisViewStore(url, prefix)


def get_store() -> DatabaseViewStore | RedisViewStore:
    """The buffer VIEW_STORE names: "redis", "database", or "auto" (Redis if configured)."""
    backend = settings.VIEW_STORE
    if backend == "redis" or (backend == "auto" and settings.REDIS_URL):
        return _redis_store(settings.REDIS_URL, settings.VIEW_REDIS_PREFIX)
    return _database_store
