import os
import re
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from readership import stores, writebehind
from readership.counting import view_record
from readership.folding import views_fold
from readership.keys import reader_key
from readership.models import ArticleViewDay, ViewBuffer, ViewDedupe
from readership.recent import recent_readers
from readership.stores import get_store
from readership.stores.database import DatabaseViewStore
from tests.concurrency import run_in_threads
from tests.factories import ArticleFactory, UserFactory
from tests.view_helpers import (  # noqa: F401 (fixtures)
    CHROME,
    clock_fixture,
    fresh_readership_fixture,
    needs_redis,
    reader,
    shown_views,
    store_fixture,
    total_views,
)

BROWSERS = [
    CHROME,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "WhatsApp/2.23.20.0",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0.0.0",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "",
]


@pytest.mark.parametrize("ua", BROWSERS)
def test_a_person_reading_in_a_browser_is_counted(article, store, ua):
    assert view_record(request=reader(ua=ua), article=article) is True
    assert total_views(article) == 1


@pytest.mark.parametrize("ua", BOTS)
def test_bots_crawlers_and_link_previews_are_not_counted(article, store, ua):
    assert view_record(request=reader(ua=ua), article=article) is False
    assert total_views(article) == 0


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
        {"HTTP_X_PURPOSE": "preview"},
        {"HTTP_X_MOZ": "prefetch"},
    ],
)
def test_prefetches_are_not_counted(article, store, header):
    assert view_record(request=reader(**header), article=article) is False
    assert total_views(article) == 0


def test_head_requests_are_not_counted(article, store):
    assert view_record(request=reader(method="head"), article=article) is False
    assert total_views(article) == 0


def test_drafts_scheduled_stories_and_staff_are_not_counted(article, store, staff_user):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    scheduled = ArticleFactory(published_at=timezone.now() + timedelta(days=1))
    assert view_record(request=reader(), article=draft) is False
    assert view_record(request=reader(), article=scheduled) is False
    assert view_record(request=reader(user=staff_user), article=article) is False
    assert total_views(article) == 0


def test_staff_are_counted_when_configured(article, store, staff_user, settings):
    settings.VIEW_COUNT_STAFF = True
    assert view_record(request=reader(user=staff_user), article=article) is True


def test_nothing_is_counted_when_counting_is_switched_off(article, store, settings):
    settings.VIEW_COUNTING_ENABLED = False
    assert view_record(request=reader(), article=article) is False
    assert total_views(article) == 0


def test_a_reload_inside_the_window_is_not_counted_again(article, store, clock):
    assert view_record(request=reader(), article=article) is True
    clock.now += timedelta(minutes=29)
    assert view_record(request=reader(), article=article) is False
    assert total_views(article) == 1


def test_another_process_does_not_count_the_same_reader_again(article, store):
    assert view_record(request=reader(), article=article) is True
    recent_readers.clear()  # what this process remembers is gone; the store knows
    assert view_record(request=reader(), article=article) is False
    assert total_views(article) == 1


def test_the_same_reader_after_the_window_is_counted_again(article, store, clock):
    assert view_record(request=reader(), article=article) is True
    clock.now += timedelta(minutes=31)
    assert view_record(request=reader(), article=article) is True
    assert view_record(request=reader(), article=article) is False
    assert total_views(article) == 2


def test_the_window_is_a_setting(article, store, clock, settings):
    settings.VIEW_DEDUPE_WINDOW = 60
    assert view_record(request=reader(), article=article) is True
    clock.now += timedelta(seconds=61)
    assert view_record(request=reader(), article=article) is True


def test_different_readers_and_articles_count_separately(article, store, user):
    other = ArticleFactory()
    assert view_record(request=reader(ip="203.0.113.1"), article=article)
    assert view_record(request=reader(ip="203.0.113.2"), article=article)
    assert view_record(request=reader(ip="203.0.113.1", ua=BROWSERS[1]), article=article)
    assert view_record(request=reader(ip="203.0.113.1"), article=other)
    assert view_record(request=reader(user=user), article=article)
    # A logged-in reader is the same reader from any address.
    assert not view_record(request=reader(ip="198.51.100.9", user=user), article=article)
    assert total_views(article) == 4


def test_no_ip_address_is_stored(article, store, settings):
    view_record(request=reader(ip="203.0.113.77"), article=article)
    if store == "database":
        stored = " ".join(ViewDedupe.objects.values_list("key", flat=True))
    else:
        keys = get_store().redis.client.scan_iter(f"{settings.VIEW_REDIS_PREFIX}*")
        stored = " ".join(key.decode() for key in keys)
    assert stored
    assert "203.0.113.77" not in stored


def test_views_not_yet_folded_wait_in_the_buffer(article, store):
    Article.objects.filter(pk=article.pk).update(view_count=770)
    article.refresh_from_db()
    view_record(request=reader(), article=article)
    assert article.view_count == 770
    assert shown_views(article) == 771
    views_fold()
    article.refresh_from_db()
    assert article.view_count == 771
    assert shown_views(article) == 771


def test_fold_writes_the_daily_bucket_and_empties_the_buffer(article, store, clock):
    for n in range(3):
        view_record(request=reader(ip=f"203.0.113.{n}"), article=article)
    clock.now += timedelta(days=1)
    view_record(request=reader(), article=article)
    result = views_fold()
    assert (result.views, result.articles) == (4, 1)
    days = dict(ArticleViewDay.objects.filter(article=article).values_list("day", "views"))
    today = timezone.localdate(clock.now)
    assert days == {today - timedelta(days=1): 3, today: 1}
    assert not ViewBuffer.objects.exists()
    assert get_store().pending(article.pk) == 0
    assert views_fold().views == 0


def test_a_second_fold_adds_to_the_existing_bucket(article, store):
    view_record(request=reader(ip="203.0.113.1"), article=article)
    views_fold()
    view_record(request=reader(ip="203.0.113.2"), article=article)
    views_fold()
    assert ArticleViewDay.objects.get(article=article).views == 2
    article.refresh_from_db()
    assert article.view_count == 2


def test_fold_skips_views_of_articles_deleted_meanwhile(store, author):
    doomed, kept = ArticleFactory(), ArticleFactory()
    view_record(request=reader(), article=doomed)
    view_record(request=reader(), article=kept)
    Article.objects.filter(pk=doomed.pk).delete()
    assert views_fold().views >= 1
    assert total_views(kept) == 1


def test_expired_reader_keys_are_pruned_by_the_fold(article, clock, settings):
    settings.VIEW_STORE = "database"
    view_record(request=reader(), article=article)
    assert ViewDedupe.objects.count() == 1
    clock.now += timedelta(minutes=31)
    views_fold()
    assert ViewDedupe.objects.count() == 0


def test_fold_is_all_or_nothing(article, settings):
    settings.VIEW_STORE = "database"
    for n in range(5):
        view_record(request=reader(ip=f"203.0.113.{n}"), article=article)
    with pytest.raises(RuntimeError), transaction.atomic():
        DatabaseViewStore().fold()
        raise RuntimeError("the process dies before the fold commits")
    assert ViewBuffer.objects.aggregate(total=Sum("views"))["total"] == 5
    assert total_views(article) == 5


@needs_redis
def test_a_redis_batch_taken_by_a_fold_that_died_is_folded_next_time(article, settings):
    settings.VIEW_STORE = "redis"
    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.VIEW_REDIS_PREFIX = f"test-views-{uuid.uuid4().hex}:"
    store = get_store().redis
    try:
        for n in range(3):
            view_record(request=reader(ip=f"203.0.113.{n}"), article=article)
        keys = [store.buffer, store.pending_totals, store.folding, store.folding_totals]
        assert store._take(keys=keys) == 1  # the fold took the batch, then the process died
        view_record(request=reader(ip="203.0.113.99"), article=article)
        assert shown_views(article) == 4
        assert views_fold().views == 4
        assert total_views(article) == 4
    finally:
        keys = list(store.client.scan_iter(f"{settings.VIEW_REDIS_PREFIX}*"))
        if keys:
            store.client.delete(*keys)


@pytest.mark.django_db(transaction=True)
def test_buffered_views_survive_a_restart(store):
    article = ArticleFactory()
    for n in range(3):
        view_record(request=reader(ip=f"203.0.113.{n}"), article=article)
    # A new process: no cached store objects, a new database connection.
    stores._redis_store.cache_clear()
    connection.close()
    assert shown_views(article) == 3
    assert total_views(article) == 3


def test_counting_a_view_never_folds_in_the_readers_request(article, store, settings):
    # Folding happens on a timer (tests/test_view_fold_timer.py), off the request path.
    settings.VIEW_FOLD_INTERVAL = 60
    view_record(request=reader(ip="203.0.113.1"), article=article)
    view_record(request=reader(ip="203.0.113.2"), article=article)
    article.refresh_from_db()
    assert article.view_count == 0
    assert shown_views(article) == 2


@pytest.mark.django_db(transaction=True)
def test_totals_are_exact_after_fifty_concurrent_readers_and_folds(store):
    article = ArticleFactory()

    def read(n):
        assert view_record(request=reader(ip=f"10.0.{n // 200}.{n % 200}"), article=article)
        if n % 10 == 0:
            views_fold()  # folds racing with readers lose nothing

    run_in_threads(50, read)
    views_fold()
    article.refresh_from_db()
    assert article.view_count == 50
    assert ArticleViewDay.objects.filter(article=article).aggregate(s=Sum("views"))["s"] == 50
    assert shown_views(article) == 50


@pytest.mark.django_db(transaction=True)
def test_one_reader_racing_fifty_times_counts_once(store):
    article = ArticleFactory()

    def read(n):
        view_record(request=reader(), article=article)

    run_in_threads(50, read)
    assert total_views(article) == 1


# The beacon --------------------------------------------------------------------------------


def beacon_url(article):
    return reverse("readership:beacon", kwargs={"pk": article.pk})


def test_the_beacon_counts_a_view(client, article, store):
    response = client.post(beacon_url(article), HTTP_USER_AGENT=CHROME)
    assert response.status_code == 204
    assert "no-cache" in response["Cache-Control"]
    assert total_views(article) == 1


def test_the_beacon_accepts_only_post(client, article):
    assert client.get(beacon_url(article), HTTP_USER_AGENT=CHROME).status_code == 405
    assert client.head(beacon_url(article), HTTP_USER_AGENT=CHROME).status_code == 405
    assert total_views(article) == 0


def test_the_beacon_needs_no_csrf_token(article, store):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(beacon_url(article), HTTP_USER_AGENT=CHROME)
    assert response.status_code == 204
    assert total_views(article) == 1


def test_the_beacon_ignores_bots_and_cross_site_posts(client, article, store):
    client.post(beacon_url(article), HTTP_USER_AGENT=BOTS[0])
    client.post(beacon_url(article), HTTP_USER_AGENT=CHROME, HTTP_SEC_FETCH_SITE="cross-site")
    assert total_views(article) == 0


def test_the_beacon_of_a_draft_or_missing_article_is_404(client, db):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    assert client.post(beacon_url(draft), HTTP_USER_AGENT=CHROME).status_code == 404
    assert client.post("/articles/999999/view", HTTP_USER_AGENT=CHROME).status_code == 404


def test_beacon_and_page_view_together_count_once(client, article, store):
    view_record(request=reader(ip="127.0.0.1"), article=article)  # the page view, on a cache miss
    client.post(beacon_url(article), HTTP_USER_AGENT=CHROME)  # its beacon
    assert total_views(article) == 1


def test_the_beacon_snippet_posts_to_the_beacon_url(article):
    html = render_to_string("articles/_view_beacon.html", {"article": article})
    assert f'data-view-url="{beacon_url(article)}"' in html
    assert "beacon" in html and "defer" in html
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    assert "script" not in render_to_string("articles/_view_beacon.html", {"article": draft})


def test_a_page_served_from_the_cache_still_counts(client, article, store, settings):
    settings.PAGE_CACHE_SECONDS = 300
    url = article.get_absolute_url()
    first = client.get(url, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.1")
    assert first.status_code == 200
    # Change the story behind the cache's back: the next reader must get the cached copy.
    Article.objects.filter(pk=article.pk).update(title="Changed after caching")
    second = client.get(url, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.2")
    assert second.status_code == 200
    html = second.content.decode()
    assert "Changed after caching" not in html
    # The cached page carries the beacon, and its POST counts the reader (once).
    match = re.search(r'data-view-url="([^"]+)"', html)
    assert match, "the article page must include articles/_view_beacon.html"
    client.post(match.group(1), HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.2")
    client.post(match.group(1), HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.3")
    assert total_views(article) == 3


def test_the_article_page_counts_its_reader_and_other_pages_count_nothing(
    client, article, store, user
):
    client.force_login(user)  # a fresh render: logged-in pages are never cached
    assert client.get(article.get_absolute_url(), HTTP_USER_AGENT=CHROME).status_code == 200
    client.get("/", HTTP_USER_AGENT=CHROME)
    client.get(article.category.get_absolute_url(), HTTP_USER_AGENT=CHROME)
    assert total_views(article) == 1
    assert ViewBuffer.objects.count() == 0


def test_a_staff_preview_is_not_a_reading(client, article, staff_user, store, settings):
    settings.VIEW_COUNT_STAFF = True  # so only the preview page itself can keep it out
    client.force_login(staff_user)
    preview = reverse("articles:preview", kwargs={"pk": article.pk})
    assert client.get(preview, HTTP_USER_AGENT=CHROME).status_code == 200
    assert total_views(article) == 0
    client.get(article.get_absolute_url(), HTTP_USER_AGENT=CHROME)
    assert total_views(article) == 1


# Commands ----------------------------------------------------------------------------------


def test_fold_views_command_reports_what_it_moved(article, store, capsys):
    view_record(request=reader(), article=article)
    call_command("fold_views")
    assert "Folded 1 view(s) of 1 article(s)" in capsys.readouterr().out
    article.refresh_from_db()
    assert article.view_count == 1


def test_prune_view_days_rolls_old_days_up_into_months(article):
    today = timezone.localdate()
    old = today - timedelta(days=500)
    month_start = old.replace(day=1)
    ArticleViewDay.objects.create(article=article, day=month_start, views=1)
    ArticleViewDay.objects.create(article=article, day=month_start + timedelta(days=3), views=2)
    ArticleViewDay.objects.create(article=article, day=month_start + timedelta(days=9), views=4)
    ArticleViewDay.objects.create(article=article, day=today, views=8)
    call_command("prune_view_days", keep_days=400)
    call_command("prune_view_days", keep_days=400)  # running it again changes nothing
    days = dict(ArticleViewDay.objects.filter(article=article).values_list("day", "views"))
    assert days == {month_start: 7, today: 8}


def test_prune_view_days_can_drop_old_days(article):
    today = timezone.localdate()
    ArticleViewDay.objects.create(article=article, day=today - timedelta(days=500), views=3)
    ArticleViewDay.objects.create(article=article, day=today, views=8)
    call_command("prune_view_days", keep_days=400, drop=True)
    assert list(ArticleViewDay.objects.values_list("views", flat=True)) == [8]


def test_prune_view_days_refuses_a_window_shorter_than_most_read(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="at least 31"):
        call_command("prune_view_days", keep_days=7)


def test_a_user_reading_is_keyed_by_user_not_address(article, store):
    someone = UserFactory()
    day = timezone.localdate()
    a = reader_key(reader(ip="203.0.113.1", user=someone), article.pk, day)
    b = reader_key(reader(ip="198.51.100.1", user=someone), article.pk, day)
    tomorrow = reader_key(reader(user=someone), article.pk, day + timedelta(days=1))
    assert a == b != tomorrow


# Write-behind: the PostgreSQL buffer written in batches by a thread -------------------------


@pytest.fixture
def write_behind(store, settings):
    settings.VIEW_WRITE_BEHIND_MS = 20
    yield writebehind.write_behind
    writebehind.write_behind.flush()


@pytest.mark.django_db(transaction=True)
def test_write_behind_totals_are_exact_after_fifty_concurrent_readers(write_behind):
    article = ArticleFactory()

    def read(n):
        view_record(request=reader(ip=f"10.1.{n // 200}.{n % 200}"), article=article)
        view_record(request=reader(ip="10.9.9.9"), article=article)  # one reader, fifty times

    run_in_threads(50, read)
    write_behind.flush()  # waits for a batch the thread may be writing
    assert shown_views(article) == 51
    assert total_views(article) == 51
    assert ArticleViewDay.objects.get(article=article).views == 51


@pytest.mark.django_db(transaction=True)
def test_write_behind_counts_a_reader_seen_by_two_processes_once(write_behind):
    article = ArticleFactory()
    view_record(request=reader(), article=article)
    recent_readers.clear()  # the same reader, arriving at another process
    view_record(request=reader(), article=article)
    assert total_views(article) == 1


@pytest.mark.django_db(transaction=True)
def test_write_behind_writes_what_is_queued_when_the_process_exits(write_behind, settings):
    settings.VIEW_WRITE_BEHIND_MS = 60_000  # the thread would wait a minute
    article = ArticleFactory()
    for n in range(3):
        view_record(request=reader(ip=f"203.0.113.{n}"), article=article)
    assert shown_views(article) == 3
    write_behind._flush_at_exit()
    recent_readers.clear()
    assert get_store().pending(article.pk) == 3
    assert total_views(article) == 3


@pytest.mark.django_db(transaction=True)
def test_write_behind_keeps_a_batch_whose_write_failed(write_behind, settings, monkeypatch):
    if settings.VIEW_STORE != "database":
        pytest.skip("the failure is staged in the PostgreSQL writer")
    settings.VIEW_WRITE_BEHIND_MS = 60_000
    article = ArticleFactory()
    view_record(request=reader(), article=article)

    def database_gone(self, batch):
        raise IntegrityError("the database went away")

    monkeypatch.setattr(DatabaseViewStore, "write_batch", database_gone)
    with pytest.raises(IntegrityError):
        write_behind.flush()
    monkeypatch.undo()
    assert total_views(article) == 1
