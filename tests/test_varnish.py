"""The proxy cache (deploy/varnish) in front of the live site,; the purge client (core/purge.py).

Real binaries on free loopback ports (tests/proxy_servers.py): varnishd running the project's
VCL in front of gunicorn, both sharing a Redis of their own with this test process, so a
purge made here drops the app's copies there too. The VCL's rules about what it may store are
also checked against a small fake backend that answers with whatever headers a test wants.
Without varnishd (Debian: apt-get install varnish varnish-modules) those tests are skipped.
"""

import http.client
import http.server
import logging
import re
import shutil
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from articles import page_cache
from articles.services import article_save, article_unpublish
from core import purge
from ratings.services import rating_set
from readership.models import ViewBuffer
from tests.factories import ArticleFactory, AuthorFactory, UserFactory
from tests.proxy_servers import (
    ROOT,
    VARNISH_DIR,
    Gunicorn,
    Varnish,
    system_binary,
)
from tests.servers import RedisServer, redis_caches
from tools.loopback import free_port, loopback_site_vcl

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
CACHE_PREFIX = "varnish-test"
# A soft purge's background fetch finishes within this on any machine (a bound on the
# wait, not a speed measured: the hard purge's test needs no clock at all).
SOFT_PURGE_DEADLINE = 10.0


def fetch(port, path, *, method="GET", headers=None, source="127.0.0.1", body=None):
    """(status, headers with lower-case names, body) of one request to 127.0.0.1:`port`."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request(
            method, path, body=body, headers={"User-Agent": BROWSER_UA, **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# The purge client alone --------------------------------------------------------------------


def test_the_purge_client_does_nothing_without_proxies(settings, monkeypatch):
    settings.PROXY_PURGE_URLS = []
    monkeypatch.setattr(purge, "_send", lambda *a: pytest.fail("no proxy to send to"))

    assert purge.proxy_purge(["article-1"]) == 0


def test_a_proxy_that_is_down_is_logged_and_the_save_goes_through(
    settings, article, caplog, django_capture_on_commit_callbacks
):
    settings.PROXY_PURGE_URLS = [f"http://127.0.0.1:{free_port()}/"]  # nothing listens
    article.title = "Corrected headline"

    with caplog.at_level(logging.WARNING, logger="core.purge"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            article_save(article=article)

    assert callbacks
    article.refresh_from_db()
    assert article.title == "Corrected headline"
    (failure,) = [r.getMessage() for r in caplog.records if r.name == "core.purge"]
    assert f"article-{article.pk}" in failure and "failed" in failure


def test_a_proxy_refusing_the_purge_is_logged(settings, monkeypatch, caplog):
    settings.PROXY_PURGE_URLS = ["http://127.0.0.1:6081/"]
    monkeypatch.setattr(purge, "_send", lambda *args: 405)

    with caplog.at_level(logging.WARNING, logger="core.purge"):
        assert purge.proxy_purge(["front"]) == 0

    assert "answered 405" in caplog.records[-1].getMessage()


@pytest.fixture
def sent(settings, monkeypatch):
    """The purges the client sends, as (header, keys), to a proxy that confirms each."""
    settings.PROXY_PURGE_URLS = ["http://proxy.invalid:6081/"]
    purges = []
    monkeypatch.setattr(
        purge, "_send", lambda url, header, keys: purges.append((header, keys)) or 200
    )
    return purges


def test_purges_run_after_the_commit_with_every_key_the_story_shows_on(
    sent, section, author, django_capture_on_commit_callbacks
):
    story = ArticleFactory(category=section, authors=[author])
    story.tags.add("budget")
    tag_id = story.tags.get().pk

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article_unpublish(article=story)
    assert sent == [] and callbacks
    for callback in callbacks:
        callback()

    ((header, keys),) = sent
    assert header == "xkey-purge"
    assert set(keys.split()) == {
        f"article-{story.pk}",
        f"section-{section.pk}",
        f"tag-{tag_id}",
        f"author-{author.pk}",
        "front",
        "archive",
        "feed",
        "sitemap",
        "content",
    }


def test_a_rating_refreshes_only_the_story_page_softly(
    sent, article, user, django_capture_on_commit_callbacks
):

    with django_capture_on_commit_callbacks(execute=True):
        rating_set(article=article, user=user, stars=4)

    assert sent == [("xkey-softpurge", f"article-{article.pk}")]


def test_each_cacheable_page_names_what_it_shows(client, article, section, author):
    article.tags.add("budget")
    tag = article.tags.get()
    expected = {
        reverse("frontpage:home"): "front",
        article.get_absolute_url(): f"article-{article.pk}",
        section.get_absolute_url(): f"section-{section.pk}",
        reverse("articles:tag", kwargs={"slug": tag.slug}): f"tag-{tag.pk}",
        reverse("articles:author", kwargs={"slug": author.slug}): f"author-{author.pk}",
        reverse("articles:archive"): "archive",
        reverse("articles:feed-rss"): "feed",
        reverse("sitemap-index"): "sitemap",
    }
    # Every page also carries "site", which what all pages show (the banner) purges.
    pages = [path for path, key in expected.items() if key != "sitemap"]
    expected.update({path: " ".join(sorted([expected[path], "site"])) for path in pages})
    for path, keys in expected.items():
        for _fresh_then_cached in range(2):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response[purge.XKEY_HEADER] == keys, path


def test_an_edit_drops_the_apps_copies_of_the_date_archives_too(
    client, article, django_capture_on_commit_callbacks
):
    day = article.publish_date
    archives = [
        reverse("articles:archive"),
        reverse("articles:archive-year", kwargs={"year": f"{day.year:04d}"}),
        reverse(
            "articles:archive-day",
            kwargs={
                "year": f"{day.year:04d}",
                "month": f"{day.month:02d}",
                "day": f"{day.day:02d}",
            },
        ),
    ]
    for path in archives:
        client.get(path)
    article.title = "A headline fixed after publishing"

    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article)

    for path in archives:
        assert "A headline fixed after publishing" in client.get(path).content.decode(), path


def test_a_sitemap_from_the_apps_cache_says_how_old_it_is(client, article, monkeypatch):
    sitemap = reverse("news-sitemap")
    assert "age" not in client.get(sitemap)  # just rendered
    now = time.time()
    monkeypatch.setattr(page_cache, "time", SimpleNamespace(time=lambda: now + 100))

    response = client.get(sitemap)

    # The proxy keeps it only as long as the app's copy has left (300 s in all).
    assert 100 <= int(response["Age"]) <= 101
    assert "max-age=300" in response["Cache-Control"]


def test_a_signed_in_readers_page_names_no_keys(reader_client, article):
    response = reader_client.get(article.get_absolute_url())

    assert "private" in response["Cache-Control"]
    assert purge.XKEY_HEADER not in response


def test_the_site_has_one_language_so_the_vcl_may_drop_accept_language():
    # deploy/varnish/newsportal.vcl unsets Accept-Language: with a second language the
    # proxy would have to keep a copy per language instead.
    assert len(settings.LANGUAGES) == 1
    assert settings.SESSION_COOKIE_NAME == "sessionid"
    assert "(sessionid|messages)=" in (VARNISH_DIR / "newsportal.vcl").read_text()


def test_compose_runs_varnish_between_nginx_and_gunicorn():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    varnish = services["varnish"]
    site_vcl = (VARNISH_DIR / "site.vcl").read_text()
    backend = dict(re.findall(r'\.(host|port) = "([^"]+)";', site_vcl))
    subnet = compose["networks"]["newsportal"]["ipam"]["config"][0]["subnet"]
    address, bits = subnet.split("/")

    command = " ".join(varnish["command"])

    assert "./deploy/varnish:/etc/varnish:ro" in varnish["volumes"]
    assert "-f /etc/varnish/newsportal.vcl -p vcl_path=/etc/varnish" in command
    assert "-a :80 " in command and varnish["expose"] == ["80"]
    assert backend == {"host": "web", "port": services["web"]["expose"][0]}
    assert services["proxy"]["environment"]["NEWSPORTAL_UPSTREAM"] == "varnish:80"
    assert services["web"]["environment"]["PROXY_PURGE_URLS"] == "http://varnish:80/"
    # The web containers purge, nginx writes X-Real-IP: both on the stack's network.
    assert site_vcl.count(f'"{address}"/{bits};') == 2
    for name in ("web", "proxy", "varnish"):
        assert "newsportal" in services[name]["networks"]


# Real varnishd ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def varnishd():
    return system_binary("varnishd", "apt-get install varnish varnish-modules")


def test_the_vcl_compiles_with_varnishd_c(varnishd, tmp_path):
    result = Varnish(varnishd, tmp_path, loopback_site_vcl(8000)).check()

    if "xkey" in result.stderr and "Could not" in result.stderr:
        pytest.skip("the xkey vmod is missing (Debian: apt-get install varnish-modules)")
    assert result.returncode == 0, result.stderr
    assert "vcl_recv" in result.stderr  # -C prints the compiled C there


def test_composes_site_vcl_compiles_too(varnishd, tmp_path):
    # Its backend is compose's `web`, a name only compose resolves: here, loopback.
    site = (VARNISH_DIR / "site.vcl").read_text().replace('"web"', '"127.0.0.1"')

    result = Varnish(varnishd, tmp_path, site).check()

    assert result.returncode == 0, result.stderr


class FakeBackend(http.server.BaseHTTPRequestHandler):
    """Answers /<anything>?<header>=<value>&... with those headers and a counter, so a
    test sees whether the proxy asked again."""

    answered = 0
    failing: set[str] = set()  # paths answered with a bare 500

    def do_GET(self):  # noqa: N802 (http.server's name)
        FakeBackend.answered += 1
        query = urlsplit(self.path).query
        body = str(FakeBackend.answered).encode()
        if urlsplit(self.path).path in self.failing:
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        for item in filter(None, query.split("&")):
            name, _sep, value = item.partition("=")
            self.send_header(name, value.replace("+", " "))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def fake_site(varnishd, tmp_path_factory):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeBackend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy = Varnish(
        varnishd,
        tmp_path_factory.mktemp("varnish-fake"),
        loopback_site_vcl(server.server_address[1]),
    )
    proxy.start()
    yield proxy
    proxy.stop()
    server.shutdown()


def twice(port, path, **kwargs):
    first = fetch(port, path, **kwargs)
    second = fetch(port, path, **kwargs)
    return first, second


@pytest.mark.parametrize(
    "headers",
    [
        "",  # Django's default: no Cache-Control at all
        "Cache-Control=private,+max-age=60",
        "Cache-Control=no-cache",
        "Cache-Control=no-store",
        "Cache-Control=public,+max-age=60&Set-Cookie=csrftoken=abc",
    ],
)
def test_the_proxy_never_keeps_what_the_app_did_not_mark_public(fake_site, headers):
    first, second = twice(fake_site.port, f"/page/?{headers}")

    assert first[0] == second[0] == 200
    assert second[1]["x-cache"] == "miss" and first[2] != second[2]


def test_the_proxy_keeps_what_the_app_marked_public_and_hides_its_keys(fake_site):
    path = "/page/?Cache-Control=public,+max-age=60&xkey=front+article-1"
    first, second = twice(fake_site.port, path)

    assert (first[1]["x-cache"], second[1]["x-cache"]) == ("miss", "hit")
    assert first[2] == second[2]
    assert "xkey" not in first[1] and "xkey" not in second[1]


def test_a_purge_drops_only_the_copies_filed_under_its_keys(fake_site):
    kept = "/kept/?Cache-Control=public,+max-age=60&xkey=section-1"
    dropped = "/dropped/?Cache-Control=public,+max-age=60&xkey=article-7+front"
    twice(fake_site.port, kept)
    twice(fake_site.port, dropped)

    status, _headers, body = fetch(
        fake_site.port, "/", method="PURGE", headers={"xkey-purge": "article-7"}
    )

    assert status == 200 and b"Purged 1 objects" in body
    assert fetch(fake_site.port, dropped)[1]["x-cache"] == "miss"
    assert fetch(fake_site.port, kept)[1]["x-cache"] == "hit"


def test_only_the_purge_acl_may_purge_and_never_through_the_front_proxy(varnishd, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeBackend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = Varnish(
        varnishd, tmp_path, loopback_site_vcl(server.server_address[1], purgers='"127.0.0.1"')
    )
    proxy.start()
    try:
        purge_request = {"method": "PURGE", "headers": {"xkey-purge": "front"}}
        assert fetch(proxy.port, "/", **purge_request)[0] == 200
        # Another address (127.0.0.2 is loopback too, but not in the ACL).
        assert fetch(proxy.port, "/", source="127.0.0.2", **purge_request)[0] == 405
        relayed = {
            "method": "PURGE",
            "headers": {"xkey-purge": "front", "X-Real-IP": "203.0.113.9"},
        }
        assert fetch(proxy.port, "/", **relayed)[0] == 405
    finally:
        proxy.stop()
        server.shutdown()


def test_stale_copies_are_served_while_the_app_fails_or_is_down(varnishd, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeBackend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = Varnish(varnishd, tmp_path, loopback_site_vcl(server.server_address[1]))
    proxy.start()
    failing, down = "/failing/", "/down/"
    query = "?Cache-Control=public,+max-age=1"
    try:
        copies = {path: fetch(proxy.port, path + query)[2] for path in (failing, down)}
        FakeBackend.failing.add(failing)
        time.sleep(1.5)  # both copies are past their max-age

        # Each stale answer starts a background fetch: neither the 500 it gets nor, once
        # the server is gone, no answer at all may replace the copy.
        for path, stop_server in ((failing, False), (down, True)):
            if stop_server:
                server.shutdown()
                server.server_close()
            for _attempt in range(3):
                status, _headers, body = fetch(proxy.port, path + query)
                assert (status, body) == (200, copies[path]), path
                time.sleep(0.2)
    finally:
        FakeBackend.failing.clear()
        proxy.stop()
        server.server_close()


def test_readers_cookies_other_than_the_session_are_dropped_so_they_share_a_copy(fake_site):
    path = "/shared/?Cache-Control=public,+max-age=60&Vary=Cookie,+Accept-Language"
    fetch(
        fake_site.port, path, headers={"Cookie": "csrftoken=one; _ga=x", "Accept-Language": "de"}
    )

    status, headers, _body = fetch(
        fake_site.port, path, headers={"Cookie": "_ga=y", "Accept-Language": "fr"}
    )

    assert status == 200 and headers["x-cache"] == "hit"
    for cookie in ("sessionid=abc", "messages=xyz", "csrftoken=1; sessionid=abc"):
        assert fetch(fake_site.port, path, headers={"Cookie": cookie})[1]["x-cache"] == "miss"
    assert (
        fetch(fake_site.port, path, headers={"Authorization": "Basic eDp5"})[1]["x-cache"]
        == "miss"
    )


@pytest.mark.parametrize(
    "path", ["/admin/x/", "/accounts/login/", "/ratings/1/form/", "/comments/1/"]
)
def test_personal_and_action_paths_are_never_looked_up(fake_site, path):
    first, second = twice(fake_site.port, path + "?Cache-Control=public,+max-age=60")

    assert second[1]["x-cache"] == "miss" and first[2] != second[2]


def test_posts_go_to_the_app_every_time(fake_site):
    FakeBackend.answered = 0
    path = "/post/?Cache-Control=public,+max-age=60"
    # The fake backend has no do_POST: a 501 from it proves the POST reached it.
    first, second = twice(fake_site.port, path, method="POST", body=b"x=1")

    assert first[0] == second[0] == 501


def test_the_campaign_tags_share_the_copy_of_the_plain_address(fake_site):
    base = "/campaign/?Cache-Control=public,+max-age=60"
    fetch(fake_site.port, base)

    tagged = fetch(fake_site.port, base + "&utm_source=news&fbclid=abc")

    assert tagged[1]["x-cache"] == "hit"


# The live site through varnishd --------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_redis(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    server = RedisServer(binary, tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def site(varnishd, shared_redis, django_db_setup, tmp_path_factory):
    """varnishd in front of gunicorn, which purges it; (varnish, gunicorn)."""
    binary = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
    if not Path(binary).exists():
        pytest.skip("gunicorn is not installed (pip install gunicorn)")
    name = connection.settings_dict["NAME"]
    database_url = urlsplit(settings.DATABASE_URL)._replace(path=f"/{name}").geturl()
    varnish_port = free_port()
    app = Gunicorn(
        binary,
        tmp_path_factory.mktemp("gunicorn"),
        database_url,
        {
            "REDIS_URL": shared_redis.url,
            "CACHE_KEY_PREFIX": CACHE_PREFIX,
            "PROXY_PURGE_URLS": f"http://127.0.0.1:{varnish_port}/",
            "VIEW_STORE": "database",
            "VIEW_WRITE_BEHIND_MS": "0",
            "VIEW_FOLD_INTERVAL": "0",
        },
    )
    proxy = Varnish(
        varnishd, tmp_path_factory.mktemp("varnish"), loopback_site_vcl(app.port), varnish_port
    )
    proxy.start()
    yield proxy, app
    proxy.stop()
    app.stop()


@pytest.fixture
def live(site, settings, shared_redis):
    """This process purges what gunicorn caches: the same Redis, the same proxy."""
    proxy, _app = site
    settings.CACHES = redis_caches(shared_redis.url, CACHE_PREFIX)
    settings.PROXY_PURGE_URLS = [f"http://127.0.0.1:{proxy.port}/"]
    cache.clear()
    # Copies of an earlier test's pages (its rows are gone, its ids may come back).
    fetch(proxy.port, "/", method="PURGE", headers={"xkey-purge": "front"})
    return site


def story(**kwargs):
    author = AuthorFactory()
    return ArticleFactory(authors=[author], **kwargs)


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_article_page_is_a_hit_the_second_time(live):
    proxy, app = live
    article = story(title="Bridge reopens after repairs")
    path = article.get_absolute_url()

    first, second = twice(proxy.port, path)

    assert first[0] == second[0] == 200
    assert (first[1]["x-cache"], second[1]["x-cache"]) == ("miss", "hit")
    assert b"Bridge reopens after repairs" in second[2]
    assert "xkey" not in first[1] and "xkey" not in second[1]
    assert "public" in second[1]["cache-control"]
    assert len(app.seen(f'"GET {path} ')) == 1


@pytest.mark.django_db(transaction=True)
def test_a_published_edit_is_visible_through_the_proxy_as_soon_as_the_save_returns(live):
    proxy, _app = live
    article = story(title="Council approves the budget")
    pages = [
        article.get_absolute_url(),
        reverse("frontpage:home"),
        article.category.get_absolute_url(),
    ]
    for path in pages:
        twice(proxy.port, path)
        assert fetch(proxy.port, path)[1]["x-cache"] == "hit"

    article.title = "Council rejects the budget"
    # Autocommit: the purge runs right after the commit, before the save returns, so the
    # very next reader of each page gets the new text (well within issue 12's second).
    article_save(article=article)

    for path in pages:
        status, headers, body = fetch(proxy.port, path)
        assert status == 200 and b"Council rejects the budget" in body, path
        assert headers["x-cache"] == "miss"


@pytest.mark.django_db(transaction=True)
def test_an_unpublished_story_is_gone_from_the_proxy_at_once(live):
    proxy, _app = live
    article = story(title="A story that must come down")
    path = article.get_absolute_url()
    twice(proxy.port, path)

    article_unpublish(article=article)

    assert fetch(proxy.port, path)[0] == 404
    assert b"A story that must come down" not in fetch(proxy.port, reverse("frontpage:home"))[2]


@pytest.mark.django_db(transaction=True)
def test_a_new_rating_shows_through_the_proxy_after_one_background_fetch(live):
    proxy, _app = live
    article = story()
    path = article.get_absolute_url()
    twice(proxy.port, path)

    rating_set(article=article, user=UserFactory(), stars=5)
    saved = time.monotonic()

    # A soft purge: a reader may get the old copy once while the new one is fetched.
    while b"1 rating" not in fetch(proxy.port, path)[2]:
        assert time.monotonic() - saved < SOFT_PURGE_DEADLINE
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_readers_pages_are_never_cached(live):
    proxy, _app = live
    article = story()
    reader = UserFactory(username="margot")
    client = Client()
    client.force_login(reader)
    cookie = {"Cookie": f"csrftoken=x; sessionid={client.cookies['sessionid'].value}"}
    path = article.get_absolute_url()
    twice(proxy.port, path)  # the anonymous copy is in the cache

    first, second = twice(proxy.port, path, headers=cookie)

    assert first[1]["x-cache"] == second[1]["x-cache"] == "miss"
    assert "private" in second[1]["cache-control"]
    assert b"margot" in second[2]
    assert b"margot" not in fetch(proxy.port, path)[2]
    profile = twice(proxy.port, reverse("accounts:profile"), headers=cookie)
    assert [r[1]["x-cache"] for r in profile] == ["miss", "miss"]


@pytest.mark.django_db(transaction=True)
def test_the_admin_and_the_log_in_page_are_never_cached(live):
    proxy, _app = live
    for path in ("/admin/login/", reverse("account_login")):
        first, second = twice(proxy.port, path)
        assert first[0] == 200 and second[1]["x-cache"] == "miss", path
        assert "set-cookie" in second[1], path  # each reader gets their own CSRF cookie


def views_of(article) -> int:
    return sum(ViewBuffer.objects.filter(article=article).values_list("views", flat=True))


@pytest.mark.django_db(transaction=True)
def test_views_through_the_proxy_count_each_reader_once(live):
    proxy, _app = live
    article = story()
    path = article.get_absolute_url()
    beacon = reverse("readership:beacon", args=[article.pk])

    def reader(address):
        return {"X-Real-IP": address}

    # A link checker's HEAD fills the cache with a GET to Django, which counts nobody.
    head = fetch(proxy.port, path, method="HEAD", headers=reader("198.51.100.9"))
    assert head[0] == 200 and views_of(article) == 0
    fetch(proxy.port, "/", method="PURGE", headers={"xkey-purge": f"article-{article.pk}"})
    # The first reader's request reaches Django (a miss), which counts it; their beacon
    # then finds them already counted.
    assert fetch(proxy.port, path, headers=reader("198.51.100.1"))[1]["x-cache"] == "miss"
    assert fetch(proxy.port, beacon, method="POST", headers=reader("198.51.100.1"))[0] == 204
    assert views_of(article) == 1
    # The second reader gets the copy: Django never sees the page, only the beacon.
    assert fetch(proxy.port, path, headers=reader("198.51.100.2"))[1]["x-cache"] == "hit"
    assert views_of(article) == 1
    fetch(proxy.port, beacon, method="POST", headers=reader("198.51.100.2"))
    fetch(proxy.port, beacon, method="POST", headers=reader("198.51.100.2"))
    assert views_of(article) == 2
