"""Redis going away mid-test: pages keep answering from PostgreSQL, nobody is logged out,
the outage is logged once, and Redis coming back is used again without a restart."""

import logging
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.servers import redis_caches, redis_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings, redis_server):  # noqa: F811
    settings.CACHES = redis_caches(
        redis_server.url, "outage-test", socket_connect_timeout=0.5, socket_timeout=0.5
    )
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CACHE_RETRY_SECONDS = 0.2
    cache.set("probe", "up")
    assert cache.get("probe") == "up"
    return redis_server


def reading_pages(article):
    return [
        reverse("frontpage:home"),
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        reverse("articles:archive"),
        reverse("articles:feed-rss"),
        reverse("sitemap-index"),
    ]


def test_reading_pages_answer_while_redis_is_down(client, article, redis_cache, caplog):
    for url in reading_pages(article):
        assert client.get(url).status_code == 200, url
    redis_cache.kill()

    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for _round in range(3):
            for url in reading_pages(article):
                assert client.get(url).status_code == 200, url
        assert client.get("/no-such-page/").status_code == 404

    outage_lines = [r for r in caplog.records if r.name == "core.cache"]
    assert len(outage_lines) == 1
    assert "Cache unavailable" in outage_lines[0].getMessage()


def test_readyz_names_the_cache_as_down_but_keeps_the_node_in(client, redis_cache):
    redis_cache.kill()

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": True, "cache": False},
    }


def test_a_logged_in_reader_stays_logged_in_through_the_outage(client, redis_cache):
    user = UserFactory(password="correct horse battery")  # noqa: S106
    assert client.login(username=user.username, password="correct horse battery")  # noqa: S106
    profile = reverse("accounts:profile")
    assert client.get(profile).status_code == 200

    redis_cache.kill()

    response = client.get(profile)
    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_redis_coming_back_is_used_again_without_a_restart(client, article, redis_cache):
    redis_cache.kill()
    client.get(reverse("frontpage:home"))
    assert cache.get("probe") is None

    redis_cache.start()
    deadline = time.monotonic() + 5
    while cache.get("back") is None and time.monotonic() < deadline:
        cache.set("back", "yes")
        time.sleep(0.05)

    assert cache.get("back") == "yes"
    assert client.get(reverse("frontpage:home")).status_code == 200


def test_readers_can_log_in_and_sign_up_while_redis_is_down(client, redis_cache):
    user = UserFactory(password="correct horse battery")  # noqa: S106
    redis_cache.kill()

    response = client.post(
        reverse("account_login"),
        {"login": user.username, "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200

    client.logout()
    response = Client().post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "username": "newreader",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    assert response.status_code == 302
