"""The view buffers: Redis when REDIS_URL is set (or VIEW_STORE=redis), else PostgreSQL.

The Redis buffer has PostgreSQL's behind it (readership.stores.resilient): while Redis is
away, views are counted in PostgreSQL, and folds fold both.
"""

from functools import cache

from django.conf import settings

from readership.stores.database import DatabaseViewStore
from readership.stores.redis import RedisViewStore
from readership.stores.resilient import ResilientViewStore

_database_store = DatabaseViewStore()


@cache
def _redis_store(url: str, prefix: str) -> ResilientViewStore:
    return ResilientViewStore(RedisViewStore(url, prefix), _database_store)


def get_store() -> DatabaseViewStore | ResilientViewStore:
    """The buffer VIEW_STORE names: "redis", "database", or "auto" (Redis if configured)."""
    backend = settings.VIEW_STORE
    if backend == "redis" or (backend == "auto" and settings.REDIS_URL):
        return _redis_store(settings.REDIS_URL, settings.VIEW_REDIS_PREFIX)
    return _database_store
