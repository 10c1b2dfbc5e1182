"""The page cache's fast path (articles/middleware.py): an anonymous reader's hit is the
first response again, answered before any other middleware, and only when the whole
stack would have answered it the same way."""

import logging
import os
import uuid

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.test import RequestFactory
from django.urls import reverse

from articles import services
from articles.middleware import SharedPageMiddleware, _chosen_language, _shareable
from articles.models import Article
from articles.page_copies import CachedPage, PageCopies
from readership.recent import recent_readers
from tests.factories import ArticleFactory
from tests.servers import redis_caches, redis_server  # noqa: F401 (a fixture)
from tests.view_helpers import CHROME, needs_redis, total_views

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quiet(settings):
    settings.VIEW_FOLD_INTERVAL = 0
    settings.VIEW_COUNTING_ENABLED = True
    recent_readers.clear()


@pytest.fixture(params=["local memory", pytest.param("redis", marks=needs_redis)])
def page_cache(request, settings):
    """Every rule holds with either cache backend."""
    if request.param == "redis":
        settings.CACHES = redis_caches(os.environ["REDIS_URL"], f"test-pages-{uuid.uuid4().hex}")
    return request.param


@pytest.fixture
def no_tracebacks(caplog):
    caplog.set_level(logging.WARNING)
    yield
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert loud == [], [r.getMessage() for r in loud]


def from_fast_path(response) -> bool:
    # Nothing below SharedPageMiddleware ran: no session, no user, no view.
    request = response.wsgi_request
    return not hasattr(request, "session") and not hasattr(request, "user")


def served_twice(client, url, **extra):
    first = client.get(url, **extra)
    assert first.status_code == 200
    return first, client.get(url, **extra)


def test_the_shared_page_middleware_comes_first():
    assert django_settings.MIDDLEWARE[0] == "articles.middleware.SharedPageMiddleware"


@pytest.mark.parametrize("page", ["home", "article", "section"])
def test_an_anonymous_hit_touches_neither_session_nor_database(
    client, article, page, page_cache, django_assert_num_queries
):
    url = {
        "home": reverse("frontpage:home"),
        "article": article.get_absolute_url(),
        "section": article.category.get_absolute_url(),
    }[page]
    first = client.get(url)
    assert not from_fast_path(first)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert from_fast_path(again)
    assert again.content == first.content


def test_a_hit_carries_exactly_the_headers_of_the_first_response(client, article, page_cache):
    first, again = served_twice(client, article.get_absolute_url())
    assert from_fast_path(again)
    assert dict(again.items()) == dict(first.items())
    for name in ("Content-Security-Policy", "X-Frame-Options", "Cache-Control", "Vary"):
        assert again[name] == first[name]
    assert "Set-Cookie" not in again
    assert first["ETag"]


def test_a_reader_who_has_the_page_gets_304(client, article, page_cache):
    first, _again = served_twice(client, article.get_absolute_url())
    unchanged = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == first["ETag"]
    assert unchanged["Cache-Control"] == first["Cache-Control"]
    other = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_logged_in_readers_are_never_answered_from_the_fast_path(client, article, user):
    client.get(article.get_absolute_url())  # the shared copy exists
    client.force_login(user)
    page = client.get(article.get_absolute_url())
    assert not from_fast_path(page)
    assert "private" in page["Cache-Control"]
    assert user.username in page.content.decode()


def test_any_session_cookie_goes_down_the_stack(client, article):
    client.get(article.get_absolute_url())
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "a" * 32  # no such session
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert not from_fast_path(page)


def test_a_reader_with_messages_to_show_gets_them_on_a_cached_page(client, rf, article):
    client.get(article.get_absolute_url())  # the shared copy exists
    storage = CookieStorage(rf.get("/"))
    storage.add(message_levels.SUCCESS, "Thanks for your comment")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value

    page = client.get(article.get_absolute_url())

    assert not from_fast_path(page)
    assert "Thanks for your comment" in page.content.decode()


def test_other_cookies_still_get_the_shared_copy(client, article):
    client.get(article.get_absolute_url())
    client.cookies["csrftoken"] = "x" * 32
    client.cookies["theme"] = "dark"
    assert from_fast_path(client.get(article.get_absolute_url()))


def test_a_purge_is_seen_by_the_very_next_hit(
    client, article, page_cache, django_capture_on_commit_callbacks
):
    _first, again = served_twice(client, article.get_absolute_url())
    assert from_fast_path(again)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_set_comments(articles=[article], mode=Article.Comments.CLOSED)
    fresh = client.get(article.get_absolute_url())
    assert not from_fast_path(fresh)
    assert "Comments are closed" in fresh.content.decode()
    again = client.get(article.get_absolute_url())
    assert from_fast_path(again)
    assert "Comments are closed" in again.content.decode()


def test_with_the_page_cache_off_every_page_is_rendered(client, article, page_cache, settings):
    """PAGE_CACHE_SECONDS=0 keeps no copy, so none is looked for: not even one kept before
    the setting changed is served, by the fast path or by the view."""
    url = article.get_absolute_url()
    _first, again = served_twice(client, url)
    assert from_fast_path(again)
    settings.PAGE_CACHE_SECONDS = 0
    Article.objects.filter(pk=article.pk).update(title="A headline changed in place")
    fresh = client.get(url)
    assert not from_fast_path(fresh)
    assert "A headline changed in place" in fresh.content.decode()
    assert fresh["Cache-Control"] == "public, max-age=0"  # and a proxy keeps none either


def test_head_is_answered_from_the_copy_and_a_head_miss_stores_the_whole_page(
    client, article, page_cache
):
    head = client.head(article.get_absolute_url())  # a miss: rendered, stored
    assert head.status_code == 200
    assert head.content == b""
    page = client.get(article.get_absolute_url())
    assert from_fast_path(page)
    assert article.title in page.content.decode()
    again = client.head(article.get_absolute_url())
    assert from_fast_path(again)
    assert again.content == b""
    assert again["Content-Length"] == page["Content-Length"]


def test_a_hit_counts_nothing_and_its_beacon_counts_the_reader_once(client, article):
    url = article.get_absolute_url()
    beacon = reverse("readership:beacon", kwargs={"pk": article.pk})
    client.get(url, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.1")  # rendered: counted
    client.post(beacon, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.1")  # the same reader
    assert total_views(article) == 1

    hit = client.get(url, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.2")
    assert from_fast_path(hit)
    assert total_views(article) == 1
    client.post(beacon, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.2")
    client.post(beacon, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.2")
    assert total_views(article) == 2


# What the rest of the stack would refuse or redirect is never answered from the copy ---


def test_campaign_tags_and_page_one_share_the_copy(client, long_section):
    url = long_section.get_absolute_url()
    client.get(url)
    for query in ("utm_source=newsletter", "fbclid=abc&utm_medium=social", "page=1"):
        assert from_fast_path(client.get(f"{url}?{query}")), query


@pytest.mark.parametrize(
    "query",
    [
        "x=1",
        "page=02",
        "page=1&page=1",
        "utm_source=a&debug=1",
        "page=%00",
        "%ff=1",
        "&".join(f"p{n}=1" for n in range(1500)),
    ],
)
def test_made_up_or_hostile_queries_go_down_the_stack(client, long_section, query):
    url = long_section.get_absolute_url()
    client.get(url)
    response = client.get(f"{url}?{query}")
    assert not from_fast_path(response)


def test_page_one_of_a_page_without_pages_is_left_to_the_view(client, article):
    client.get(article.get_absolute_url())
    assert not from_fast_path(client.get(article.get_absolute_url() + "?page=1"))


def test_a_cached_page_with_too_many_parameters_is_still_400(client, article, no_tracebacks):
    client.get(article.get_absolute_url())
    many = "&".join(f"utm_{n}=1" for n in range(1500))
    assert client.get(f"{article.get_absolute_url()}?{many}").status_code == 400


def test_a_request_the_guard_refuses_is_refused_even_when_cached(client, article, no_tracebacks):
    client.get(article.get_absolute_url())
    response = client.get(article.get_absolute_url(), CONTENT_LENGTH="lots")
    assert response.status_code == 400


def test_an_unknown_host_is_400_even_when_cached(client, article):
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url(), HTTP_HOST="evil.example").status_code == 400


def test_plain_http_is_still_redirected_to_https(client, article, settings):
    settings.SECURE_SSL_REDIRECT = True  # read when the client builds its middleware
    client.get(article.get_absolute_url(), secure=True)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert from_fast_path(client.get(article.get_absolute_url(), secure=True))


def test_an_old_wordpress_address_on_the_cached_front_page_still_redirects(client, article):
    from wpimport.models import OldAddress

    OldAddress.objects.create(path="/?p=42", article=article)
    client.get("/")
    response = client.get("/?p=42")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_post_is_never_answered_from_the_copy(client, article):
    client.get(article.get_absolute_url())
    assert client.post(article.get_absolute_url()).status_code == 405


# Language ---------------------------------------------------------------------------------


@pytest.fixture
def two_languages(settings):
    settings.LANGUAGES = [("en-gb", "English"), ("fr", "French")]
    settings.LANGUAGE_CODE = "en-gb"


def test_each_language_has_its_own_copy(client, article, two_languages):
    url = article.get_absolute_url()
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert french["Content-Language"] == "fr"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert english["Content-Language"] == "en-gb"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="fr-CA,fr")["Content-Language"] == "fr"
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    chosen = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB")
    assert from_fast_path(chosen)
    assert chosen["Content-Language"] == "fr"


@pytest.mark.parametrize(
    ("cookie", "accept"),
    [
        (None, ""),
        (None, "fr"),
        (None, "fr-CA,fr;q=0.8"),
        (None, "de,en;q=0.5"),
        (None, "de"),
        (None, "*"),
        (None, "en-US"),
        ("fr", "en-GB"),
        ("xx", "fr"),
        ("fr-ca", ""),
        (None, "x" * 600),
    ],
)
def test_the_language_is_chosen_as_locale_middleware_chooses_it(two_languages, cookie, accept):
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=accept)
    if cookie is not None:
        request.COOKIES[django_settings.LANGUAGE_COOKIE_NAME] = cookie
    LocaleMiddleware(lambda r: None).process_request(request)
    assert _chosen_language(cookie, accept) == request.LANGUAGE_CODE
    assert SharedPageMiddleware(lambda r: None)._language(request) == request.LANGUAGE_CODE


# What is never stored -------------------------------------------------------------------


def offered(**headers) -> tuple:
    request = RequestFactory().get("/")
    response = HttpResponse("page", headers=headers)
    return request, response


def test_a_response_that_sets_a_cookie_is_not_shared():
    request, response = offered()
    assert _shareable(request, response)
    response.set_cookie("csrftoken", "x")
    assert not _shareable(request, response)


def test_a_response_with_a_csp_nonce_is_not_shared():
    request, response = offered()
    request._csp_nonce = "abc123"
    assert not _shareable(request, response)
    request, response = offered(**{"Content-Security-Policy": "script-src 'nonce-abc123'"})
    assert not _shareable(request, response)


@pytest.mark.parametrize(
    ("headers", "shared"),
    [
        ({"Vary": "Cookie, Accept-Language"}, True),
        ({"Vary": "Cookie, HX-Request"}, False),
        ({"Vary": "Accept-Encoding"}, False),
        ({"Cache-Control": "public, max-age=60"}, True),
        ({"Cache-Control": "private"}, False),
        ({"Cache-Control": "no-store"}, False),
    ],
)
def test_only_responses_the_key_fully_decides_are_shared(headers, shared):
    request, response = offered(**headers)
    assert _shareable(request, response) is shared


def test_a_page_that_used_a_csrf_token_is_not_stored(client, article):
    # A page rendering a form gets its CSRF cookie: such a page is personal.
    from django.middleware.csrf import get_token

    request, response = offered()
    get_token(request)
    assert not _shareable(request, response)


# The copies kept in each process ----------------------------------------------------------


def copy_of(version: str, content: bytes = b"page", expires: float = 1e12) -> CachedPage:
    return CachedPage(version, expires, (("Content-Type", "text/html"),), content, False, {})


def test_a_copy_from_an_older_release_or_another_version_is_a_miss():
    assert CachedPage.fresh({"content": b"x", "version": "v1"}, "v1") is None
    assert CachedPage.fresh(tuple(copy_of("v1")), "v2") is None
    assert CachedPage.fresh(tuple(copy_of("v1")), None) is None
    assert CachedPage.fresh(tuple(copy_of("v1", expires=1.0)), "v1") is None
    assert CachedPage.fresh(tuple(copy_of("v1")), "v1") == copy_of("v1")


def test_a_copy_kept_here_follows_a_newer_one_stored_by_another_process(page_cache):
    from django.core.cache import cache

    copies = PageCopies(memo_seconds=0)  # with one, within it (the tests below)
    cache.set("pagever:x", "v1")
    copies.store("page:x", copy_of("v1", b"old"), 60)
    assert copies.lookup("page:x", ("pagever:x",)) == (copy_of("v1", b"old"), "v1")
    # Another process re-rendered the page after a purge:
    cache.set("pagever:x", "v2")
    cache.set("page:x", tuple(copy_of("v2", b"new")))
    assert copies.lookup("page:x", ("pagever:x",)) == (copy_of("v2", b"new"), "v2")
    cache.delete("pagever:x")  # purged
    assert copies.lookup("page:x", ("pagever:x",)) == (None, None)


def test_the_copies_kept_here_are_bounded_in_bytes(page_cache):
    from django.core.cache import cache

    copies = PageCopies(limit=250)
    cache.set("pagever:x", "v1")
    for n in range(5):
        copies.store(f"page:{n}", copy_of("v1", b"x" * 100), 60)
    assert list(copies._recent) == ["page:3", "page:4"]
    assert copies._bytes == 200


def test_an_expired_copy_is_not_served(page_cache, monkeypatch):
    import time

    from django.core.cache import cache

    copies = PageCopies()
    cache.set("pagever:x", "v1")
    copies.store("page:x", copy_of("v1", expires=time.time() + 60), 60)
    assert copies.lookup("page:x", ("pagever:x",))[0] is not None
    monkeypatch.setattr(time, "time", lambda: 2e12)
    assert copies.lookup("page:x", ("pagever:x",))[0] is None


@pytest.fixture
def own_redis(settings, redis_server):  # noqa: F811
    settings.CACHES = redis_caches(redis_server.url, "memo-test")
    return redis_server


def redis_reads(server) -> int:
    """How many reads (GET and MGET) the Redis server has answered."""
    import redis

    stats = redis.Redis.from_url(server.url).info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("get", "mget"))


def test_remembered_versions_spare_the_round_trip_until_they_expire(own_redis, monkeypatch):
    import time

    from django.core.cache import cache

    copies = PageCopies(memo_seconds=1.0)
    cache.set("pagever:x", "v1")
    copies.store("page:x", copy_of("v1"), 60)
    assert copies.lookup("page:x", ("pagever:x",))[1] == "v1"
    before = redis_reads(own_redis)
    for _ in range(50):
        assert copies.lookup("page:x", ("pagever:x",))[0] == copy_of("v1")
    assert redis_reads(own_redis) == before
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 1.01)
    copies.lookup("page:x", ("pagever:x",))
    assert redis_reads(own_redis) == before + 1


def test_a_purge_shows_at_once_here_and_within_the_memo_in_another_process(own_redis, settings):
    """Two processes on one Redis: this one (page_copies, which versions_delete tells) and
    another (its own PageCopies, with only Redis between them)."""
    import time

    from django.core.cache import cache

    from articles.page_copies import page_copies, versions_delete

    settings.PAGE_VERSION_MEMO_SECONDS = 0.3
    here, there = page_copies, PageCopies()
    cache.set("pagever:x", "v1")
    for copies in (here, there):
        copies.store("page:x", copy_of("v1"), 60)
        assert copies.lookup("page:x", ("pagever:x",))[0] == copy_of("v1")
    purged = time.monotonic()
    versions_delete(["pagever:x"])
    assert here.lookup("page:x", ("pagever:x",)) == (None, None)
    while there.lookup("page:x", ("pagever:x",))[0] is not None:
        assert time.monotonic() - purged < 0.3 + 0.2, "the other process kept the old copy"
        time.sleep(0.01)
    assert time.monotonic() - purged >= 0.25  # it did believe its memory meanwhile


def test_a_caching_proxys_fetch_never_gets_a_copy_another_process_purged(
    client, own_redis, settings
):
    """Varnish fetches a page right after its purge and keeps what it gets for max-age:
    that fetch must see a purge another process made a moment ago."""
    from django.core.cache import cache

    from articles.page_cache import version_key

    settings.PAGE_VERSION_MEMO_SECONDS = 60
    article = ArticleFactory()
    url = article.get_absolute_url()
    served_twice(client, url, HTTP_USER_AGENT=CHROME)
    Article.objects.filter(pk=article.pk).update(title="Corrected headline")
    cache.delete(version_key(url))  # another process's purge: this one still believes
    reader = client.get(url, HTTP_USER_AGENT=CHROME)
    assert from_fast_path(reader) and "Corrected headline" not in reader.content.decode()
    proxy = client.get(url, HTTP_USER_AGENT=CHROME, HTTP_X_VARNISH="32770")
    assert not from_fast_path(proxy) and "Corrected headline" in proxy.content.decode()


def test_without_a_memo_every_lookup_asks_the_cache(own_redis):
    from django.core.cache import cache

    copies = PageCopies(memo_seconds=0)
    cache.set("pagever:x", "v1")
    copies.store("page:x", copy_of("v1"), 60)
    before = redis_reads(own_redis)
    for _ in range(5):
        copies.lookup("page:x", ("pagever:x",))
    assert redis_reads(own_redis) == before + 5


@pytest.fixture
def long_section(section):
    ArticleFactory.create_batch(25, category=section)
    return section
