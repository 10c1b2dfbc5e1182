"""core/postgresql/base.py: times read by psycopg's C parser, as Django would read them."""

import datetime

import pytest
from django.db import connection

from core.postgresql.base import _c_timestamptz_loader, timestamptz_loader

pytestmark = pytest.mark.django_db

TIMES = "SELECT '2026-12-04 18:56:50.123456+00'::timestamptz, '0001-01-01 00:00+00'::timestamptz"


@pytest.fixture
def c_loader():
    if _c_timestamptz_loader() is None:
        pytest.skip("this psycopg has no C timestamptz loader (psycopg[binary] or [c] has)")


def test_a_connection_reads_times_with_the_c_loader_and_django_s_time_zone(c_loader):
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text
    assert loader is timestamptz_loader(connection.timezone)
    with connection.cursor() as cursor:
        cursor.execute(TIMES)
        late, early = cursor.fetchone()
    assert late == datetime.datetime(2026, 12, 4, 18, 56, 50, 123456, tzinfo=datetime.UTC)
    assert late.tzinfo is connection.timezone
    assert early == datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)


def test_without_time_zones_times_are_naive(c_loader):
    loader = timestamptz_loader(None)(1184)
    loaded = loader.load(b"2026-12-04 18:56:50+00")
    assert loaded == datetime.datetime(2026, 12, 4, 18, 56, 50)  # noqa: DTZ001 - naive
    assert loaded.tzinfo is None
