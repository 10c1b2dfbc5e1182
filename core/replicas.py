"""Reads from a streaming replica, writes and a writer's own reads from the primary.

With `REPLICA_DATABASE_URL` set, settings add a `replica` database and this router. Reads
go to the replica unless one of these sends them to the primary (`default`):

- the request is a write (any method but GET, HEAD and OPTIONS), or comes from a reader who
  wrote in the last `REPLICA_STICKY_SECONDS` (a cookie says so; any node can read it), so
  a reader sees their own comment, vote or edit at once, whatever the replica's lag;
- the code is inside a transaction on the primary: a service that reads and then writes
  must read what it is about to change, not a copy that may be behind;
- the replica is lagging more than `REPLICA_MAX_LAG_SECONDS`, or is out of reach: checked
  at most every `REPLICA_CHECK_SECONDS` per process, so a replica that stops is skipped
  within that time, and tried again after it; a safe request whose query failed on the
  replica in between is answered again from the primary (ReplicaFallbackMiddleware).

Migrations run on the primary only; the replica gets them by replication.
"""

import logging
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
STICKY_COOKIE = "np_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Set for the length of a request (or a `primary_reads()` block) that must read its writes.
_on_primary: ContextVar[bool] = ContextVar("newsportal_reads_on_primary", default=False)
# Whether this request has sent a read to the replica, so a failure may be the replica's.
_replica_used: ContextVar[bool] = ContextVar("newsportal_replica_used", default=False)

# Seconds the replica is behind the primary; 0 when it has replayed all it received.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
END
"""


class ReplicaHealth:
    """This process's view of whether the replica may serve reads, refreshed at most
    every REPLICA_CHECK_SECONDS by whichever thread asks first."""

    def __init__(self):
        self._lock = threading.Lock()
        self._usable = True
        self._checked_at = float("-inf")
        self._reason = ""

    def usable(self) -> bool:
        now = time.monotonic()
        if now - self._checked_at < settings.REPLICA_CHECK_SECONDS:
            return self._usable
        if not self._lock.acquire(blocking=False):
            return self._usable  # another thread is checking right now
        try:
            self._checked_at = now
            self._record(*self._probe())
        finally:
            self._lock.release()
        return self._usable

    def failed(self, error: BaseException) -> None:
        """A query on the replica failed: skip it until the next check."""
        with self._lock:
            self._checked_at = time.monotonic()
            self._record(False, f"a query failed: {error}")
        connections[REPLICA].close_if_unusable_or_obsolete()

    def reset(self) -> None:
        with self._lock:
            self._usable, self._checked_at, self._reason = True, float("-inf"), ""

    def _probe(self) -> tuple[bool, str]:
        replica = connections[REPLICA]
        try:
            with replica.cursor() as cursor:
                cursor.execute(LAG_SQL)
                lag = float(cursor.fetchone()[0])
        except DatabaseError as error:
            replica.close()
            return False, f"out of reach: {error}"
        if lag > settings.REPLICA_MAX_LAG_SECONDS:
            return False, f"{lag:.1f} s behind the primary"
        return True, ""

    def _record(self, usable: bool, reason: str) -> None:
        if usable != self._usable:
            if usable:
                logger.warning("Replica usable again: reads go back to it")
            else:
                logger.warning("Replica skipped, reads go to the primary: %s", reason)
        self._usable, self._reason = usable, reason


health = ReplicaHealth()


def reads_on_primary() -> bool:
    return _on_primary.get() or connections[PRIMARY].in_atomic_block


@contextmanager
def primary_reads():
    """Read from the primary inside the block (a command that must see its own writes)."""
    token = _on_primary.set(True)
    try:
        yield
    finally:
        _on_primary.reset(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if reads_on_primary() or not health.usable():
            return PRIMARY
        _replica_used.set(True)
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # One database, two copies of it: any two rows may point at each other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def _sticky(request) -> bool:
    return request.method not in SAFE_METHODS or STICKY_COOKIE in request.COOKIES


def _wrote(request) -> bool:
    # Anonymous writes (the view beacon) need not read themselves back; a logged-in
    # reader's comment, vote, rating or edit must.
    user = getattr(request, "user", None)
    return request.method not in SAFE_METHODS and bool(user and user.is_authenticated)


class ReplicaRoutingMiddleware:
    """Pins a request to the primary when it writes or follows a write (see the module),
    and answers a safe request again from the primary when the replica failed under it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _on_primary.set(_sticky(request))
        used = _replica_used.set(False)
        try:
            response = self.get_response(request)
        finally:
            _on_primary.reset(token)
            _replica_used.reset(used)
        if _wrote(request):
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_exception(self, request, exception):
        if request.method not in SAFE_METHODS or _on_primary.get():
            return None
        if not isinstance(exception, DatabaseError) or not _replica_used.get():
            return None
        if not _replica_broken():
            return None
        health.failed(exception)
        match = request.resolver_match
        if match is None:
            return None
        logger.warning(
            "Replica failed under %s %s: answered from the primary", request.method, request.path
        )
        with primary_reads():
            response = match.func(request, *match.args, **match.kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        return response


def _replica_broken() -> bool:
    replica = connections[REPLICA]
    if replica.connection is None:
        return True
    try:
        return not replica.is_usable()
    except DatabaseError:
        return True
