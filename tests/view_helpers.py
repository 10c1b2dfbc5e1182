"""What the view-counting tests share: readers, the two buffers, a clock to move by hand.

A test module imports the fixtures it uses (`store_fixture` is the `store` fixture, and so
on) along with `fresh_readership_fixture`, which starts each test as a fresh process.
"""

import os
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone

from readership import clock as readership_clock
from readership import writebehind
from readership.folding import fold_timer, views_fold
from readership.recent import recent_readers
from readership.stores import get_store

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="the Redis buffer is tested only when REDIS_URL is set (redis://127.0.0.1:6379/0)",
)


@pytest.fixture(name="_fresh_readership", autouse=True)
def fresh_readership_fixture(settings):
    settings.VIEW_COUNTING_ENABLED = True
    # Each test starts as a fresh process would: nothing remembered about readers.
    recent_readers.clear()
    yield
    # A test that turned the fold timer on must not leave it folding under the next one.
    fold_timer.stop()


def redis_keys(prefix):
    return list(get_store().redis.client.scan_iter(f"{prefix}*"))


@pytest.fixture(name="store", params=["database", pytest.param("redis", marks=needs_redis)])
def store_fixture(request, settings):
    """Run the test against both buffers; Redis only where REDIS_URL names one."""
    settings.VIEW_STORE = request.param
    if request.param == "database":
        yield request.param
        return
    prefix = f"test-views-{uuid.uuid4().hex}:"
    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.VIEW_REDIS_PREFIX = prefix
    yield request.param
    keys = redis_keys(prefix)
    if keys:
        get_store().redis.client.delete(*keys)


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch):
    """A clock the test moves by hand: `clock.now += timedelta(...)`."""

    class Clock:
        # Noon: reader keys change with the day, so a test that moves the clock on by
        # minutes must not start just before midnight.
        now = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)

    fake = Clock()
    monkeypatch.setattr(readership_clock, "now", lambda: fake.now)
    return fake


def reader(ip="203.0.113.7", ua=CHROME, method="get", user=None, **headers):
    request = getattr(RequestFactory(), method)("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=ua, **headers)
    request.user = user or AnonymousUser()
    return request


def shown_views(article):
    """The folded total plus what is still buffered or queued: what a fold would give."""
    pending = get_store().pending(article.pk) + writebehind.write_behind.pending(article.pk)
    return article.view_count + pending


def total_views(article):
    views_fold()
    article.refresh_from_db()
    return article.view_count
