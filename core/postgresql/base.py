"""Django's PostgreSQL backend, with a health check that costs no round trip when there is
nothing to find.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request
on a reused connection: on a rendered article, whose page is one statement, that was a
second round trip. A connection the server has closed (a restart, an idle timeout, a
terminated backend) has something to read on its socket: the server's goodbye message or
the end of the stream. So the check first asks the kernel whether the socket is readable,
without waiting: when it is not, nothing has happened to the connection since its last
query and the check is done; when it is, Django's `SELECT 1` runs as before and a dead
connection is replaced before the request uses it.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
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
