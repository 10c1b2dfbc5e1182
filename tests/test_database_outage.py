"""PostgreSQL going away: readers get a short 503 page with Retry-After (htmx a 503 fragment),
each failed request logs one line, /readyz names the database, and the same gunicorn serves
200s again as soon as PostgreSQL is back.

The real test runs gunicorn against a PostgreSQL server of its own (tests/servers.py) and
stops that server; the in-process tests point Django at a closed port.
"""

import contextlib
import http.client
import json
import logging
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse

from core.views import database_unreachable, server_error
from tests.html_checks import parse_page
from tests.proxy_servers import ROOT, Gunicorn
from tests.servers import free_port, postgres_server  # noqa: F401 (a fixture)

# Production settings, but the plain static storage: the manifest one needs a collectstatic
# (a minute of compressing files) that nothing here looks at.
OUTAGE_SETTINGS = """from newsportal.settings import *  # noqa: F403

STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""
# Run by `manage.py shell` against the new server: its schema and one public article.
SETUP = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.factories import ArticleFactory
print(ArticleFactory().get_absolute_url())
"""
FRIENDLY = "back in a moment"

logger = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def site(postgres_server, tmp_path_factory):  # noqa: F811
    """gunicorn (production settings, one worker of two threads) on a database of its own."""
    binary = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
    if not Path(binary).exists():
        pytest.skip("gunicorn is not installed (pip install gunicorn)")
    database_url = postgres_server.create_database("newsportal")
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    directory = tmp_path_factory.mktemp("gunicorn")
    (directory / "outage_settings.py").write_text(OUTAGE_SETTINGS)
    gunicorn = Gunicorn(
        binary,
        directory,
        database_url,
        settings={
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "outage_settings",
            "PYTHONPATH": str(directory),
            "SECRET_KEY": "outage-test-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            # Every page request reaches PostgreSQL (a cached copy would hide the outage).
            "PAGE_CACHE_SECONDS": "0",
            "DATABASE_RETRY_AFTER_SECONDS": "30",
        },
    )
    try:
        yield gunicorn, made.stdout.strip().splitlines()[-1]
    finally:
        gunicorn.stop()


@pytest.fixture
def postgres(postgres_server):  # noqa: F811
    """The site's server, running when the test starts whatever the last test left."""
    if postgres_server.process is None:
        postgres_server.start()
    return postgres_server


def get(port: int, path: str, **headers: str) -> tuple[int, http.client.HTTPMessage, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def worker_pids(gunicorn: Gunicorn) -> list[int]:
    pid = gunicorn.process.pid
    return sorted(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())


def test_a_postgresql_restart_gives_503s_then_200s_from_the_same_gunicorn(site, postgres):
    gunicorn, article_url = site
    # The archive and the article read PostgreSQL on every request; the front page can
    # render from its cached selection (frontpage/selection.py) and stays up.
    pages = [reverse("articles:archive"), article_url]
    for url in pages:
        assert get(gunicorn.port, url)[0] == 200, url
    assert get(gunicorn.port, "/")[0] == 200
    workers = worker_pids(gunicorn)

    postgres.stop()

    for url in pages:
        status, headers, body = get(gunicorn.port, url)
        assert status == 503, (url, body[:500])
        assert headers["Retry-After"] == "30"
        assert "no-store" in headers["Cache-Control"]
        assert FRIENDLY in body
    status, headers, body = get(gunicorn.port, article_url, **{"HX-Request": "true"})
    assert (status, headers["Retry-After"]) == (503, "30")
    assert body.startswith('<p class="form-error" role="alert">')
    assert get(gunicorn.port, "/healthz")[0] == 200
    status, _headers, body = get(gunicorn.port, "/readyz")
    assert status == 503
    assert json.loads(body)["checks"]["database"] is False

    restarted = time.monotonic()
    postgres.start()
    accepting = time.monotonic()
    # The very next request: no stale connection is tried first.
    assert get(gunicorn.port, article_url)[0] == 200
    answered = time.monotonic()
    # docs/operations.md quotes these (pytest -o log_cli=true shows them).
    logger.info(
        "PostgreSQL took %.2f s to accept connections again, the first 200 came %.3f s later",
        accepting - restarted,
        answered - accepting,
    )
    for url in [*pages, *pages, "/readyz"]:
        assert get(gunicorn.port, url)[0] == 200, url
    assert worker_pids(gunicorn) == workers

    log = gunicorn.error_log.read_text()
    # One line per failed request, no tracebacks: 2 pages, 1 htmx request.
    assert log.count("Database unavailable") == 3, log[-3000:]
    assert "Traceback" not in log, log[-3000:]


def test_a_connection_that_breaks_mid_request_gives_503_and_the_next_request_200(site, postgres):
    """The request's first query succeeds, the next waits on a lock while the server goes
    away: that connection fails, is closed after the request, and is not reused."""
    gunicorn, article_url = site
    assert get(gunicorn.port, article_url)[0] == 200
    answer = {}

    with contextlib.ExitStack() as stack:
        locker = stack.enter_context(psycopg.connect(postgres.url("newsportal")))
        watcher = stack.enter_context(psycopg.connect(postgres.url("newsportal"), autocommit=True))
        locker.execute("LOCK TABLE articles_article IN ACCESS EXCLUSIVE MODE")
        reader = threading.Thread(
            target=lambda: answer.update(page=get(gunicorn.port, article_url))
        )
        reader.start()
        deadline = time.monotonic() + 10
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        while watcher.execute(waiting).fetchone() != (1,):
            assert time.monotonic() < deadline, "the page never waited for the lock"
            time.sleep(0.02)
        postgres.stop()
        reader.join(timeout=20)
        stack.pop_all()  # their server is gone; closing them would only raise

    status, headers, body = answer["page"]
    assert status == 503, body[:500]
    assert FRIENDLY in body
    postgres.start()
    # Both of the worker's threads: neither holds on to a dead connection.
    for _ in range(4):
        assert get(gunicorn.port, article_url)[0] == 200


# In-process: Django's connection pointed at a port nobody listens on ----------------------


@pytest.fixture
def database_away(django_db_setup, django_db_blocker, monkeypatch):
    """Every query fails as it does when PostgreSQL is down: the connection is refused."""
    with django_db_blocker.unblock():
        connection.close()
        monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(connection.settings_dict, "PORT", str(free_port()))
        yield
        connection.close()


@pytest.fixture
def reader():
    # Django's test client re-raises a view's exception; a browser gets the response.
    return Client(raise_request_exception=False)


def test_a_page_is_a_503_with_retry_after_while_the_database_is_away(
    reader, database_away, settings, caplog
):
    settings.DATABASE_RETRY_AFTER_SECONDS = 45

    with caplog.at_level(logging.INFO):
        response = reader.get(reverse("frontpage:home"))

    assert response.status_code == 503
    assert response["Retry-After"] == "45"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert FRIENDLY in page
    assert settings.SITE_NAME in page
    assert "/static/css/site.css" in page
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].name == "core.views"
    assert errors[0].exc_info is None
    assert "Database unavailable" in errors[0].getMessage()


def test_an_htmx_request_gets_the_error_fragment_with_503(reader, database_away):
    response = reader.get(reverse("frontpage:home"), headers={"HX-Request": "true"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.content.decode().startswith('<p class="form-error" role="alert">')


def test_a_query_in_a_middleware_is_a_503_too(reader, database_away):
    # WordPress links ("/?p=123") are looked up by a middleware, before any view runs.
    response = reader.get("/", {"p": "123"})

    assert response.status_code == 503
    assert FRIENDLY in response.content.decode()


def test_a_logged_in_readers_session_is_a_503_not_a_500(reader, database_away):
    reader.cookies["sessionid"] = "x" * 32

    response = reader.get(reverse("accounts:profile"))

    assert response.status_code == 503


def test_readyz_names_the_database_and_healthz_stays_up(reader, database_away):
    assert reader.get("/healthz").status_code == 200
    response = reader.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] is False


def test_the_next_request_after_the_database_is_back_is_a_200(reader, database_away, monkeypatch):
    assert reader.get(reverse("frontpage:home")).status_code == 503

    monkeypatch.undo()

    assert reader.get(reverse("frontpage:home")).status_code == 200


def test_other_errors_keep_the_500_page(reader, db, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("frontpage.views.FrontPageView.get_context_data", broken)

    response = reader.get(reverse("frontpage:home"))

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert FRIENDLY not in response.content.decode()


def refused_connection() -> psycopg.OperationalError:
    """What psycopg raises when nothing listens on the port."""
    try:
        psycopg.connect(host="127.0.0.1", port=free_port(), connect_timeout=1)
    except psycopg.OperationalError as error:
        return error
    raise AssertionError("something answered on a free port")


def test_a_refused_connection_counts_as_the_database_being_away():
    assert database_unreachable(refused_connection())
    assert not database_unreachable(ValueError("a bug"))
    assert not database_unreachable(None)


@pytest.mark.django_db
def test_a_statement_timeout_is_a_bug_to_fix_not_an_outage():
    with pytest.raises(OperationalError) as timeout, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")

    assert not database_unreachable(timeout.value)


def test_the_error_pages_need_no_database(rf, db, django_assert_num_queries):
    error = refused_connection()
    with django_assert_num_queries(0):
        assert server_error(rf.get("/")).status_code == 500
        try:
            raise error
        except psycopg.OperationalError:
            response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert not parse_page(response.content.decode()).problems()
