import pytest
from django.test import Client
from django.urls import reverse

from readership.folding import views_fold
from readership.recent import recent_readers
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Headless Chromium says "HeadlessChrome", which is (rightly) not counted as a reader.
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def _database_buffer(settings):
    settings.VIEW_STORE = "database"
    settings.VIEW_FOLD_INTERVAL = 0
    recent_readers.clear()


@pytest.fixture
def reader_page(browser):
    context = browser.new_context(user_agent=CHROME, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def views_of(article):
    views_fold()
    article.refresh_from_db()
    return article.view_count


def is_beacon_for(article):
    url = reverse("readership:beacon", kwargs={"pk": article.pk})
    return lambda response: response.url.endswith(url) and response.request.method == "POST"


def test_the_article_page_sends_its_beacon_and_the_view_counts_once(live_server, reader_page):
    article = ArticleFactory()
    with reader_page.expect_response(is_beacon_for(article)) as beacon:
        reader_page.goto(live_server.url + article.get_absolute_url())
    assert beacon.value.status == 204
    # The page view and its beacon are the same reader: one view.
    assert views_of(article) == 1


def test_a_page_served_by_a_cdn_is_counted_through_its_beacon(live_server, reader_page):
    article = ArticleFactory()
    url = live_server.url + article.get_absolute_url()
    # A client Django does not count (no browser user agent) fetches the HTML, as a CDN would.
    html = Client().get(article.get_absolute_url()).content
    assert views_of(article) == 0
    # The browser gets the page from the "CDN": Django never sees the page request.
    reader_page.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
    with reader_page.expect_response(is_beacon_for(article)) as beacon:
        reader_page.goto(url)
    assert beacon.value.status == 204
    assert views_of(article) == 1
