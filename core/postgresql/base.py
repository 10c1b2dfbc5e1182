"""Django's PostgreSQL backend, with a health check that costs no round trip when there is
nothing to find, and times read by psycopg's C parser.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request
on a reused connection: on a rendered article, whose page is one statement, that was a
second round trip. A connection the server has closed (a restart, an idle timeout, a
terminated backend) has something to read on its socket: the server's goodbye message or
the end of the stream. So the check first asks the kernel whether the socket is readable,
without waiting: when it is not, nothing has happened to the connection since its last
query and the check is done; when it is, Django's `SELECT 1` runs as before and a dead
connection is replaced before the request uses it.

Django reads every `timestamptz` with a loader built on psycopg's pure-Python one (to set
the time zone it wants on the result), even where psycopg has a C one: each time a story
row carries cost microseconds of regular expressions. The C loader cannot be subclassed, so
`_TimestamptzLoader` calls it and sets the time zone as Django's does.
"""

import functools
import select
from datetime import tzinfo

from django.db.backends.postgresql import base
from psycopg import _cmodule, adapt


def _c_timestamptz_loader():
    return getattr(_cmodule._psycopg, "TimestamptzLoader", None)


@functools.cache
def timestamptz_loader(zone: tzinfo | None) -> type | None:
    """A loader of `timestamptz` giving what Django's gives, for time zone `zone` (None:
    naive); None when this psycopg has no C loader to call."""
    c_loader = _c_timestamptz_loader()
    if c_loader is None:
        return None

    class _TimestamptzLoader(adapt.Loader):
        timezone = zone  # what Django's create_cursor() compares with its own

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._load = c_loader(oid, context).load

        def load(self, data):
            return self._load(data).replace(tzinfo=zone)

    return _TimestamptzLoader


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        loader = timestamptz_loader(self.timezone)
        if loader is not None:
            connection.adapters.register_loader("timestamptz", loader)
        return connection

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and _quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def _quiet(connection) -> bool:
    """Whether the server has said nothing on this idle connection since its last answer
    (nothing to read). A closed or broken connection, or any error asking, is not quiet."""
    if connection.closed or connection.broken:
        return False
    try:
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
