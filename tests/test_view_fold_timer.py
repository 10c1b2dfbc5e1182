"""Folding on a timer, off the request path: the shown count catches up whatever traffic
follows, no reader's request pays for a fold, one fold runs at a time, and the timer
stops cleanly with its process (issue 11, defect 16)."""

import http.client
import shutil
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from articles.models import Article
from readership import folding
from readership.counting import view_record
from readership.folding import FOLD_LOCK, views_fold
from tests.factories import ArticleFactory
from tests.proxy_servers import Gunicorn
from tests.view_helpers import (  # noqa: F401 (fixtures)
    CHROME,
    fresh_readership_fixture,
    reader,
)

pytestmark = pytest.mark.django_db(transaction=True)


def view_count(article, *, becomes: int, within: float) -> int:
    """The article's folded total, waiting up to `within` seconds for it to reach `becomes`."""
    deadline = time.monotonic() + within
    while True:
        count = Article.objects.get(pk=article.pk).view_count
        if count == becomes or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def test_views_are_folded_on_the_timer_with_no_request_after_them(client, settings):
    settings.VIEW_STORE = "database"
    settings.VIEW_FOLD_INTERVAL = 0.3
    # Every reader's page is rendered: a page-cache hit is counted by its beacon instead.
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory()
    for n in range(20):
        address = f"198.51.100.{n}"
        client.get(article.get_absolute_url(), HTTP_USER_AGENT=CHROME, REMOTE_ADDR=address)
    # Nobody reads anything after the twentieth reader.
    assert view_count(article, becomes=20, within=5) == 20


def test_no_readers_request_pays_for_a_fold(client, settings, monkeypatch):
    settings.VIEW_STORE = "database"
    settings.VIEW_FOLD_INTERVAL = 60
    folded_in = []
    real_fold = folding.views_fold

    def watched_fold(**kwargs):
        folded_in.append(threading.current_thread().name)
        return real_fold(**kwargs)

    monkeypatch.setattr(folding, "views_fold", watched_fold)
    article = ArticleFactory()
    beacon = reverse("readership:beacon", kwargs={"pk": article.pk})
    for n in range(5):
        address = f"198.51.100.{n}"
        client.get(article.get_absolute_url(), HTTP_USER_AGENT=CHROME, REMOTE_ADDR=address)
        client.post(beacon, HTTP_USER_AGENT=CHROME, REMOTE_ADDR=address)
    assert threading.current_thread().name not in folded_in


def test_only_one_fold_runs_at_a_time(settings):
    settings.VIEW_STORE = "database"
    article = ArticleFactory()
    view_record(request=reader(), article=article)
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"] or 5432, user=database["USER"],
        dbname=database["NAME"], autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_advisory_lock(%s)", [FOLD_LOCK])  # another process folds
        assert views_fold(wait=False).views == 0
        other.execute("SELECT pg_advisory_unlock(%s)", [FOLD_LOCK])
    assert views_fold(wait=False).views == 1


def test_the_timer_thread_stops_promptly_and_folds_what_is_left(settings):
    settings.VIEW_STORE = "database"
    settings.VIEW_FOLD_INTERVAL = 60
    article = ArticleFactory()
    view_record(request=reader(), article=article)
    timer = folding.fold_timer
    assert timer.running()

    started = time.monotonic()
    timer._stop_at_exit()  # what the worker's exit runs
    assert time.monotonic() - started < 5
    assert not timer.running()
    assert Article.objects.get(pk=article.pk).view_count == 1


def test_a_gunicorn_worker_folds_on_its_timer_and_stops_cleanly(monkeypatch, tmp_path):
    binary = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
    if not Path(binary).exists():
        pytest.skip("gunicorn is not installed (pip install gunicorn)")
    article = ArticleFactory()
    # As in production: views written behind by a thread, folded by another.
    monkeypatch.setenv("VIEW_STORE", "database")
    monkeypatch.setenv("VIEW_WRITE_BEHIND_MS", "100")
    monkeypatch.setenv("VIEW_FOLD_INTERVAL", "0.5")
    monkeypatch.setenv("PAGE_CACHE_SECONDS", "0")  # each reader's page rendered and counted
    name = connection.settings_dict["NAME"]
    database_url = urlsplit(settings.DATABASE_URL)._replace(path=f"/{name}").geturl()
    server = Gunicorn(binary, tmp_path, database_url)
    try:
        for n in range(3):
            page = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            page.request(
                "GET",
                article.get_absolute_url(),
                headers={"User-Agent": CHROME, "X-Real-IP": f"198.51.100.{n}"},
            )
            assert page.getresponse().status == 200
            page.close()
        assert view_count(article, becomes=3, within=10) == 3
    finally:
        started = time.monotonic()
        server.process.terminate()
        server.process.wait(timeout=20)
        stopped_in = time.monotonic() - started
    log = server.error_log.read_text()
    assert server.process.returncode == 0, log[-3000:]
    assert stopped_in < 10
    assert "Traceback" not in log, log[-3000:]
