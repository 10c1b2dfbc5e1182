"""Views cannot be bought from one address: whatever user agents it sends, it adds at most
VIEW_READERS_PER_ADDRESS new readers to an article per minute, and real readers behind a
shared address are still counted (issue 11, defect 7)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from readership import clock
from readership.counting import view_record
from readership.recent import recent_readers
from tests.concurrency import run_in_threads
from tests.factories import ArticleFactory, UserFactory
from tests.view_helpers import (  # noqa: F401 (fixtures)
    clock_fixture,
    fresh_readership_fixture,
    reader,
    store_fixture,
    total_views,
)

pytestmark = pytest.mark.django_db

SHARED = "203.0.113.50"


def made_up_agent(n):
    return f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.{n}.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _bound(settings):
    settings.VIEW_READERS_PER_ADDRESS = 30


def test_five_hundred_made_up_user_agents_from_one_address_count_the_bound(
    client, article, store, monkeypatch
):
    # All in one minute (the bound's window), however long 500 requests take here.
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    beacon = reverse("readership:beacon", kwargs={"pk": article.pk})
    for n in range(500):
        response = client.post(beacon, HTTP_USER_AGENT=made_up_agent(n), REMOTE_ADDR=SHARED)
        assert response.status_code == 204
    assert total_views(article) == 30


def test_the_page_path_is_bound_too(client, article, store, settings):
    # The page counts its reader when it is rendered (a cache hit leaves it to the beacon).
    settings.PAGE_CACHE_SECONDS = 0
    for n in range(40):
        client.get(
            article.get_absolute_url(), HTTP_USER_AGENT=made_up_agent(n), REMOTE_ADDR=SHARED
        )
    assert total_views(article) == 30


def test_readers_behind_a_shared_address_count_once_each_through_page_and_beacon(
    client, article, store
):
    # A class of 25 opens the same story in the same minute: page view and beacon each.
    beacon = reverse("readership:beacon", kwargs={"pk": article.pk})
    for n in range(25):
        agent = made_up_agent(n)
        client.get(article.get_absolute_url(), HTTP_USER_AGENT=agent, REMOTE_ADDR=SHARED)
        recent_readers.clear()  # the beacon may reach another process
        client.post(beacon, HTTP_USER_AGENT=agent, REMOTE_ADDR=SHARED)
    assert total_views(article) == 25


def test_a_reader_past_the_bound_counts_in_a_later_minute(article, store, clock):
    for n in range(30):
        assert view_record(request=reader(ip=SHARED, ua=made_up_agent(n)), article=article)
    late = reader(ip=SHARED, ua=made_up_agent(99))
    assert view_record(request=late, article=article) is False
    assert view_record(request=late, article=article) is False
    clock.now += timedelta(seconds=61)
    assert view_record(request=late, article=article) is True
    assert total_views(article) == 31


def test_the_bound_is_per_article_and_per_address(article, store):
    other = ArticleFactory()
    for n in range(31):
        view_record(request=reader(ip=SHARED, ua=made_up_agent(n)), article=article)
    assert view_record(request=reader(ip=SHARED, ua=made_up_agent(0)), article=other)
    assert view_record(request=reader(ip="198.51.100.1", ua=made_up_agent(0)), article=article)
    assert total_views(article) == 31
    assert total_views(other) == 1


def test_logged_in_readers_are_counted_by_account_not_bound_by_address(article, store):
    for n in range(30):
        view_record(request=reader(ip=SHARED, ua=made_up_agent(n)), article=article)
    for _n in range(5):
        assert view_record(request=reader(ip=SHARED, user=UserFactory()), article=article)
    assert total_views(article) == 35


def test_the_bound_is_a_setting(article, store, settings):
    settings.VIEW_READERS_PER_ADDRESS = 0  # no bound
    for n in range(40):
        assert view_record(request=reader(ip=SHARED, ua=made_up_agent(n)), article=article)
    assert total_views(article) == 40


@pytest.mark.django_db(transaction=True)
def test_the_bound_holds_for_fifty_readers_at_once(store):
    article = ArticleFactory()

    def read(n):
        view_record(request=reader(ip=SHARED, ua=made_up_agent(n)), article=article)

    run_in_threads(50, read)
    assert total_views(article) == 30


@pytest.mark.django_db(transaction=True)
def test_the_bound_holds_for_views_written_behind(store, settings):
    settings.VIEW_WRITE_BEHIND_MS = 60_000  # only the explicit flush writes
    article = ArticleFactory()
    for n in range(45):
        view_record(request=reader(ip=SHARED, ua=made_up_agent(n)), article=article)
    for n in range(3):
        view_record(request=reader(ip=f"198.51.100.{n}"), article=article)
    assert total_views(article) == 30 + 3
