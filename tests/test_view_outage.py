"""Redis going away under the view buffer: views counted meanwhile wait in PostgreSQL and
are folded exactly once, readers get their pages, the outage is logged once, and Redis
coming back is used again without a restart (issue 11, defect 1)."""

import logging
import time
import uuid

import pytest
from django.urls import reverse
from redis.exceptions import RedisError

from readership import writebehind
from readership.counting import view_record
from readership.folding import views_fold
from readership.models import ViewBuffer, ViewDedupe
from readership.recent import recent_readers
from readership.stores import get_store
from tests.factories import ArticleFactory
from tests.servers import redis_server  # noqa: F401 (a fixture)
from tests.view_helpers import (  # noqa: F401 (fixtures)
    CHROME,
    fresh_readership_fixture,
    reader,
    shown_views,
    total_views,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_buffer(settings, redis_server):  # noqa: F811
    """The view buffer in a redis-server of this test's own, which the test may kill."""
    settings.VIEW_STORE = "redis"
    settings.REDIS_URL = redis_server.url
    settings.VIEW_REDIS_PREFIX = f"outage-{uuid.uuid4().hex}:"
    settings.CACHE_RETRY_SECONDS = 0.2
    return redis_server


def buffered_in_postgresql():
    return sum(ViewBuffer.objects.values_list("views", flat=True))


def until_redis_is_used_again(article) -> int:
    """Count new readers until one lands in Redis again; returns how many were counted."""
    deadline = time.monotonic() + 5
    for n in range(1, 1000):
        view_record(request=reader(ip=f"192.0.2.{n}"), article=article)
        try:
            if get_store().redis.pending(article.pk):
                return n
        except RedisError:
            pass  # not up yet
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    pytest.fail("views did not go back to Redis after it came back")


def test_views_counted_while_redis_is_down_are_folded_exactly_once(client, article, redis_buffer):
    for n in range(2):
        assert view_record(request=reader(ip=f"203.0.113.{n}"), article=article)
    assert views_fold().views == 2

    redis_buffer.kill()
    page = article.get_absolute_url()
    beacon = reverse("readership:beacon", kwargs={"pk": article.pk})
    for n in range(3):
        address = f"198.51.100.{n}"
        assert client.get(page, HTTP_USER_AGENT=CHROME, REMOTE_ADDR=address).status_code == 200
        assert client.post(beacon, HTTP_USER_AGENT=CHROME, REMOTE_ADDR=address).status_code == 204
    assert buffered_in_postgresql() == 3
    article.refresh_from_db()
    assert shown_views(article) == 2 + 3

    redis_buffer.start()
    since = until_redis_is_used_again(article)  # the last of them in Redis, any others not
    assert views_fold().views == 3 + since
    assert views_fold().views == 0
    article.refresh_from_db()
    assert article.view_count == 2 + 3 + since
    assert buffered_in_postgresql() == 0


def test_folding_while_redis_is_down_folds_the_postgresql_buffer(article, redis_buffer):
    redis_buffer.kill()
    for n in range(3):
        assert view_record(request=reader(ip=f"203.0.113.{n}"), article=article)

    assert views_fold().views == 3
    article.refresh_from_db()
    assert article.view_count == 3


def test_the_outage_is_logged_once_not_per_view(article, redis_buffer, settings, caplog):
    settings.CACHE_RETRY_SECONDS = 0  # every view tries Redis again, and fails again
    redis_buffer.kill()
    with caplog.at_level(logging.WARNING, logger="readership"):
        for n in range(20):
            view_record(request=reader(ip=f"203.0.113.{n}"), article=article)
        views_fold()

    lines = [r.getMessage() for r in caplog.records if r.name.startswith("readership")]
    assert len(lines) == 1, lines
    assert "View buffer in Redis unavailable" in lines[0]
    assert total_views(article) == 20


def test_a_reader_counted_during_the_outage_does_not_count_again_when_redis_is_back(
    article, redis_buffer
):
    redis_buffer.kill()
    assert view_record(request=reader(), article=article)
    redis_buffer.start()
    since = until_redis_is_used_again(article)

    views_fold()  # hands the reader keys claimed in PostgreSQL over to Redis
    assert not ViewDedupe.objects.exists()
    recent_readers.clear()  # the reader comes back to another process
    assert view_record(request=reader(), article=article) is False
    assert total_views(article) == 1 + since


@pytest.mark.django_db(transaction=True)
def test_a_write_behind_batch_goes_to_postgresql_while_redis_is_down(redis_buffer, settings):
    settings.VIEW_WRITE_BEHIND_MS = 60_000  # only the explicit flush writes
    article = ArticleFactory()
    for n in range(4):
        view_record(request=reader(ip=f"203.0.113.{n}"), article=article)
    redis_buffer.kill()

    assert writebehind.write_behind.flush() == 4
    assert buffered_in_postgresql() == 4
    assert total_views(article) == 4
