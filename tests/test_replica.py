"""Reads from a real streaming replica (core/replicas.py), and what happens when it lags or stops.

The module starts a PostgreSQL primary and a hot standby made from it by pg_basebackup, on
free loopback ports, and gunicorn (production settings) with REPLICA_DATABASE_URL set.
The replica is caught out by pausing its replay: the primary then unpublishes an article,
and a reader who still sees the article was answered from the replica.
"""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.http_browser import Browser
from tests.proxy_servers import ROOT, Gunicorn
from tests.servers import PostgresServer, postgres_binaries
from tests.test_database_outage import OUTAGE_SETTINGS

SETUP = """
import json
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.factories import PASSWORD, ArticleFactory, UserFactory
article = ArticleFactory()
user = UserFactory()
print(json.dumps({"id": article.pk, "url": article.get_absolute_url(),
                  "login": user.username, "password": PASSWORD}))
"""
MAX_LAG = 3.0
CHECK = 0.25


@pytest.fixture(scope="module")
def servers():
    bin_dir, user = postgres_binaries()
    if not (bin_dir / "pg_basebackup").exists():
        pytest.skip(f"no pg_basebackup in {bin_dir}")
    primary = PostgresServer(
        bin_dir, user, {"wal_level": "replica", "max_wal_senders": "4", "hot_standby": "on"}
    )
    replica = PostgresServer(bin_dir, user, {"hot_standby": "on"})
    try:
        primary.initdb()
        primary.start()
        database_url = primary.create_database("newsportal")
        made = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SETUP],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert made.returncode == 0, made.stderr[-3000:]
        replica.basebackup(primary)
        replica.start()
        yield primary, replica, json.loads(made.stdout.strip().splitlines()[-1])
    finally:
        replica.remove()
        primary.remove()


def start_site(servers, directory: Path, check_seconds: float) -> Gunicorn:
    primary, replica, _made = servers
    binary = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
    if not Path(binary).exists():
        pytest.skip("gunicorn is not installed (pip install gunicorn)")
    (directory / "replica_settings.py").write_text(OUTAGE_SETTINGS)
    return Gunicorn(
        binary,
        directory,
        primary.url("newsportal"),
        settings={
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "replica_settings",
            "PYTHONPATH": str(directory),
            "SECRET_KEY": "replica-test-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "PAGE_CACHE_SECONDS": "0",
            "REPLICA_DATABASE_URL": replica.url("newsportal"),
            "REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
            "REPLICA_CHECK_SECONDS": str(check_seconds),
            "REPLICA_STICKY_SECONDS": "30",
        },
    )


@pytest.fixture(scope="module")
def site(servers, tmp_path_factory):
    gunicorn = start_site(servers, tmp_path_factory.mktemp("gunicorn"), CHECK)
    try:
        yield gunicorn, servers[2]
    finally:
        gunicorn.stop()


def sql(server: PostgresServer, statement: str, *params):
    with psycopg.connect(server.url("newsportal"), autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchone() if cursor.description else None


def caught_up(primary: PostgresServer, replica: PostgresServer) -> None:
    """Wait until the replica has replayed everything the primary has written."""
    (target,) = sql(primary, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        (done,) = sql(replica, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", str(target))
        if done:
            return
        time.sleep(0.05)
    pytest.fail("the replica did not catch up with the primary")


@pytest.fixture
def cluster(servers, site):
    """Both servers running, the replica replaying and caught up, the article published."""
    primary, replica, made = servers
    if replica.process is None:
        replica.start()
    sql(replica, "SELECT pg_wal_replay_resume()")
    sql(primary, "UPDATE articles_article SET status = 'published' WHERE id = %s", made["id"])
    caught_up(primary, replica)
    # The site notices a replica that was away within a check or two.
    time.sleep(CHECK * 4)
    yield primary, replica, site[0], made
    if replica.process is not None:
        sql(replica, "SELECT pg_wal_replay_resume()")


def stale_replica(primary: PostgresServer, replica: PostgresServer, article_id: int) -> None:
    """Pause the replica's replay, then unpublish the article on the primary only."""
    # A fresh commit first, so the replica's lag is measured from now, not from the last
    # write long ago.
    sql(primary, "SELECT txid_current()")
    caught_up(primary, replica)
    sql(replica, "SELECT pg_wal_replay_pause()")
    sql(primary, "UPDATE articles_article SET status = 'draft' WHERE id = %s", article_id)


def status(port: int, path: str, browser: Browser | None = None) -> int:
    return (browser or Browser()).get(port, path)[0]


def test_a_reader_is_answered_from_the_replica(cluster):
    primary, replica, gunicorn, made = cluster
    stale_replica(primary, replica, made["id"])

    # The primary no longer publishes the article; the replica, a moment behind, still does.
    assert status(gunicorn.port, made["url"]) == 200


def test_a_replica_too_far_behind_is_skipped(cluster):
    primary, replica, gunicorn, made = cluster
    stale_replica(primary, replica, made["id"])
    assert status(gunicorn.port, made["url"]) == 200

    deadline = time.monotonic() + MAX_LAG + 10
    while status(gunicorn.port, made["url"]) == 200:
        assert time.monotonic() < deadline, "reads stayed on a replica lagging past the limit"
        time.sleep(0.1)
    assert status(gunicorn.port, made["url"]) == 404


def test_a_reader_who_wrote_reads_the_primary(cluster):
    primary, replica, gunicorn, made = cluster
    writer = Browser()
    writer.log_in(gunicorn.port, made["login"], made["password"])
    assert writer.cookies.get("np_primary") == "1", "a log-in is a write: it pins reads"

    stale_replica(primary, replica, made["id"])

    assert status(gunicorn.port, made["url"], writer) == 404  # the primary's answer
    assert status(gunicorn.port, made["url"]) == 200  # anyone else: the replica's


def test_an_anonymous_write_does_not_pin_reads(cluster):
    _primary, _replica, gunicorn, made = cluster
    reader = Browser()
    reader.get(gunicorn.port, made["url"])
    reader.request(gunicorn.port, "POST", "/healthz", {"x": "1"})
    assert "np_primary" not in reader.cookies


def test_a_stopped_replica_moves_reads_to_the_primary_without_errors(cluster):
    primary, replica, gunicorn, made = cluster
    assert status(gunicorn.port, made["url"]) == 200

    replica.stop()
    stopped = time.monotonic()
    seen = [status(gunicorn.port, made["url"]) for _ in range(5)]
    seen += [status(gunicorn.port, "/") for _ in range(3)]
    assert set(seen) == {200}, seen
    assert time.monotonic() - stopped < 5

    # Back again: it serves reads again (caught out by a paused replay once more).
    replica.start()
    stale_replica(primary, replica, made["id"])
    deadline = time.monotonic() + 10
    while status(gunicorn.port, made["url"]) != 200:
        assert time.monotonic() < deadline, "reads did not go back to the restarted replica"
        time.sleep(0.1)


def test_a_replica_failing_between_checks_is_answered_from_the_primary(cluster, tmp_path):
    primary, replica, _gunicorn, made = cluster
    # A site that would not look at the replica again for an hour: only the fallback of
    # ReplicaRoutingMiddleware stands between the stopped replica and a 503.
    gunicorn = start_site((primary, replica, made), tmp_path, 3600)
    try:
        assert status(gunicorn.port, made["url"]) == 200
        replica.stop()
        assert [status(gunicorn.port, made["url"]) for _ in range(3)] == [200] * 3
        assert status(gunicorn.port, "/") == 200
    finally:
        gunicorn.stop()
