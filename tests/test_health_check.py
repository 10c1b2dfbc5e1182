"""The database connection's health check (core/postgresql/base.py): no round trip on a
connection nothing has happened to, and a connection the server closed is still replaced
before the request's first query."""

import time

import psycopg
import pytest
from django.db import connection

from core.postgresql.base import _quiet

pytestmark = pytest.mark.django_db(transaction=True)


def next_request_check(monkeypatch) -> list:
    """Run the health check as Django does at a request's first query; the full checks
    (`SELECT 1`) it made."""
    full = []
    real = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: full.append(1) or real())
    connection.health_check_enabled = True
    connection.health_check_done = False  # what request_started does
    connection.close_if_health_check_failed()
    return full


def terminate(backend_pid: int) -> None:
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


def test_a_quiet_connection_is_not_asked(monkeypatch):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    pid = connection.connection.info.backend_pid

    assert next_request_check(monkeypatch) == []
    assert connection.connection.info.backend_pid == pid


def test_a_connection_the_server_closed_is_replaced_before_it_is_used(monkeypatch):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    terminate(pid)
    deadline = time.monotonic() + 5
    while _quiet(connection.connection):  # the server's goodbye reaches the socket
        assert time.monotonic() < deadline, "the terminated connection never became readable"
        time.sleep(0.01)

    assert next_request_check(monkeypatch) == [1]
    with connection.cursor() as cursor:  # the request's first query: no error
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
