"""Queries whose SQL the ORM builds once per process.

Building and compiling a queryset with subqueries and JSON arrays costs the ORM a few
milliseconds of CPU (the article page's story, with its polls), yet a hot read makes the
same SQL on every request with other values. So it is compiled once, with marker values
where the request's own go, and each request runs that SQL with its values in the
markers' places (`Prepared.params_for`). articles/reading.py does so for the story.
"""

import re
from dataclasses import dataclass

from django.db.backends.postgresql.base import (
    TIMESTAMPTZ_OID,
    CursorDebugWrapper,
    ServerBindingCursor,
)
from django.db.backends.utils import CursorWrapper
from django.db.models.sql.compiler import SQLCompiler
from psycopg.pq import Format


@dataclass(frozen=True)
class Prepared:
    sql: str
    params: tuple
    slots: tuple  # (position, marker): where each request's own values go

    def params_for(self, values: dict) -> list:
        """The compiled parameters with `values` (marker -> value) in the markers' places."""
        params = list(self.params)
        for position, marker in self.slots:
            params[position] = values[marker]
        return params


def prepare(compiler: SQLCompiler, markers: tuple) -> Prepared:
    """The SQL of a query's `compiler`, built with `markers` (values no request can send)
    among its parameters: each must come through compilation as a parameter (in every
    place it is one), not folded into the SQL text. Every other parameter is the same for
    every request, so it is written into the SQL as a literal: the story's statement had
    113 parameters (mostly its JSON objects' keys), each adapted on every request."""
    sql, params = compiler.as_sql()
    slots = {
        position: marker
        for position, param in enumerate(params)
        for marker in markers
        if type(param) is type(marker) and param == marker
    }
    if set(slots.values()) != set(markers):
        raise AssertionError(f"Each marker must be a parameter of the SQL: {sql}")
    return _with_constants_inlined(compiler.connection, sql, params, slots)


_PLACEHOLDER = re.compile(r"%s|%%")


def _with_constants_inlined(connection, sql: str, params, slots: dict) -> Prepared:
    kept, kept_slots = [], []
    positions = iter(range(len(params)))

    def substitute(placeholder: re.Match) -> str:
        if placeholder.group() == "%%":
            return "%%"
        position = next(positions)
        if position in slots:
            kept_slots.append((len(kept), slots[position]))
            kept.append(params[position])
            return "%s"
        # Still a %-format string after this: a literal's own % is doubled.
        return connection.ops.compose_sql("%s", [params[position]]).replace("%", "%%")

    inlined = _PLACEHOLDER.sub(substitute, sql)
    return Prepared(inlined, tuple(kept), tuple(kept_slots))


class _PlannedOnceCursor(ServerBindingCursor):
    """A cursor whose statements PostgreSQL prepares on first use and keeps for the
    connection (psycopg's `prepare=True`): a hot read's plan is made once per connection,
    where Django's client-side binding has PostgreSQL parse and plan it on every request
    (the story's plan took three times as long as running it)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _PlannedDebugWrapper(CursorDebugWrapper):
    """Logs a statement with its values in place, as Django logs its own: a run of a
    prepared statement leaves psycopg no text for `last_executed_query` to read back (it
    would log None)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return self._execute_with_wrappers(sql, params, many=False, executor=self._execute)


def planned_once_cursor(connection):
    """`connection.cursor()`, with the statements it runs prepared by PostgreSQL once per
    connection where the settings allow it (a `prepare_threshold` in the database's
    OPTIONS: not behind a transaction-mode pooler, where the next transaction may run on
    a server connection that never saw the statement). Queries run through it are logged
    and counted like any other: it is Django's own cursor wrapper."""
    wrapper = connection.cursor()
    client_side = wrapper.cursor
    if connection.vendor != "postgresql" or client_side.connection.prepare_threshold is None:
        return wrapper
    planned = _PlannedOnceCursor(client_side.connection)
    # The loaders Django gave its own cursor (the time zone of timestamps).
    planned.adapters.register_loader(
        TIMESTAMPTZ_OID, client_side.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    )
    client_side.close()
    logged = isinstance(wrapper, CursorDebugWrapper)
    return (_PlannedDebugWrapper if logged else CursorWrapper)(planned, connection)
