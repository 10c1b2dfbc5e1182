"""Two sites on one Redis keep their views apart: every key the project writes there
carries CACHE_KEY_PREFIX, the view buffer's included (issue 11, defect 9)."""

import runpy
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from readership.counting import view_record
from readership.folding import views_fold
from readership.stores import get_store
from tests.factories import ArticleFactory
from tests.servers import redis_server  # noqa: F401 (a fixture)
from tests.view_helpers import (  # noqa: F401 (fixtures)
    CHROME,
    fresh_readership_fixture,
    reader,
)

pytestmark = pytest.mark.django_db

SETTINGS = Path(__file__).resolve().parents[1] / "newsportal" / "settings.py"


def site_settings(monkeypatch, cache_key_prefix: str, redis_url: str) -> dict:
    """What newsportal/settings.py makes of a site's environment."""
    with monkeypatch.context() as env:
        env.setenv("CACHE_KEY_PREFIX", cache_key_prefix)
        env.setenv("REDIS_URL", redis_url)
        env.delenv("VIEW_REDIS_PREFIX", raising=False)
        return runpy.run_path(str(SETTINGS))


def become(settings, site: dict) -> None:
    """Run as the site whose settings these are."""
    settings.CACHES = site["CACHES"]
    settings.REDIS_URL = site["REDIS_URL"]
    settings.VIEW_REDIS_PREFIX = site["VIEW_REDIS_PREFIX"]
    settings.VIEW_STORE = "auto"


@pytest.fixture
def sites(monkeypatch, redis_server):  # noqa: F811
    return {
        name: site_settings(monkeypatch, name, redis_server.url) for name in ("site-a", "site-b")
    }


def test_the_view_buffer_takes_the_cache_key_prefix(monkeypatch):
    site = site_settings(monkeypatch, "site-a", "redis://127.0.0.1:1/0")
    assert site["CACHES"]["default"]["KEY_PREFIX"] == "site-a"
    assert site["VIEW_REDIS_PREFIX"] == "site-a:"


def test_two_sites_on_one_redis_fold_only_their_own_views(settings, sites):
    article = ArticleFactory()
    become(settings, sites["site-a"])
    for n in range(3):
        assert view_record(request=reader(ip=f"203.0.113.{n}"), article=article)

    become(settings, sites["site-b"])
    assert get_store().pending(article.pk) == 0
    assert views_fold().views == 0

    become(settings, sites["site-a"])
    assert views_fold().views == 3
    article.refresh_from_db()
    assert article.view_count == 3


def test_every_key_a_site_writes_to_redis_carries_its_prefix(client, settings, sites):
    article = ArticleFactory()
    become(settings, sites["site-a"])
    settings.PAGE_CACHE_SECONDS = 300
    client.get("/", HTTP_USER_AGENT=CHROME)
    client.get(article.get_absolute_url(), HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.1")
    client.post(
        reverse("readership:beacon", kwargs={"pk": article.pk}),
        HTTP_USER_AGENT=CHROME,
        REMOTE_ADDR="203.0.113.2",
    )
    views_fold()
    view_record(request=reader(ip="203.0.113.3"), article=article)  # left in the buffer

    keys = [key.decode() for key in get_store().redis.client.scan_iter("*")]
    assert keys
    assert [key for key in keys if not key.startswith("site-a:")] == []


def test_a_buffer_left_under_an_older_prefix_is_folded_on_request(settings, sites):
    article = ArticleFactory()
    become(settings, sites["site-a"])
    settings.VIEW_REDIS_PREFIX = "newsportal:"  # what an earlier release used for every site
    view_record(request=reader(), article=article)

    become(settings, sites["site-a"])
    assert views_fold().views == 0
    call_command("fold_views", redis_prefix="newsportal:")
    article.refresh_from_db()
    assert article.view_count == 1
