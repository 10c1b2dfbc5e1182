"""Live pages: entries in the page and in the polled fragment, order, closing, JSON-LD."""

import json

import pytest
from django.urls import reverse

from core.exceptions import ServiceError
from liveblog import services
from liveblog.models import LiveCoverage, LiveEntry
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.live_coverage_start(article=article)


def post(live, body, **kwargs):
    return services.live_entry_post(coverage=live, body=body, **kwargs)


def fragment(client, live, after=0):
    return client.get(reverse("liveblog:entries", kwargs={"pk": live.pk}), {"after": after})


def live_json_ld(html: str) -> dict:
    start = html.index('"@type": "LiveBlogPosting"')
    block = html[html.rindex("<script", 0, start) : html.index("</script>", start)]
    return json.loads(block[block.index(">") + 1 :])


def test_entries_are_in_the_page_newest_first_without_javascript(client, live, article):
    post(live, "<p>First thing.</p>")
    post(live, "<p>Second thing.</p>", headline="Big news", is_key_event=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index("Second thing.") < html.index("First thing.")
    assert 'id="live-entries"' in html and 'data-hx-trigger="every 15s"' in html


def test_key_events_are_summarised_at_the_top(client, live, article):
    post(live, "<p>Routine.</p>")
    key = post(live, "<p>The result.</p>", headline="Result declared", is_key_event=True)
    html = client.get(article.get_absolute_url()).content.decode()
    summary = html[
        html.index('id="live-key-events"') : html.index("</nav>", html.index("live-key-events"))
    ]
    assert "Result declared" in summary and f'href="#{key.anchor}"' in summary
    assert "Routine" not in summary
    assert html.index('id="live-key-events"') < html.index('id="live-entries"')


def test_a_new_entry_appears_in_the_fragment_after_the_readers_last_one(
    client, live, django_capture_on_commit_callbacks
):
    first = post(live, "<p>One.</p>")
    assert fragment(client, live, after=first.pk).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        second = post(live, "<p>Two.</p>")
        third = post(live, "<p>Three.</p>")

    response = fragment(client, live, after=first.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert "One." not in html
    assert html.index("Three.") < html.index("Two.")
    # The poller comes back out of band, now polling from the newest entry.
    assert f"after={third.pk}" in html and 'hx-swap-oob="true"' in html
    assert second.pk < third.pk
    assert "public" in response["Cache-Control"] and "max-age=5" in response["Cache-Control"]


def test_a_new_entry_purges_the_cached_page_and_the_fragment(
    client, live, article, django_capture_on_commit_callbacks
):
    assert "Fresh news" not in client.get(article.get_absolute_url()).content.decode()
    assert fragment(client, live).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        post(live, "<p>Fresh news.</p>")
    assert "Fresh news" in client.get(article.get_absolute_url()).content.decode()
    assert "Fresh news" in fragment(client, live).content.decode()


def test_hostile_html_in_an_entry_is_removed(client, live, article):
    entry = post(
        live,
        '<p onclick="steal()">Hi</p><script>alert(1)</script><img src=x onerror=alert(1)>'
        '<a href="javascript:alert(1)">link</a>',
    )
    assert "<script" not in entry.body and "onclick" not in entry.body
    html = client.get(article.get_absolute_url()).content.decode()
    entries = html[html.index('id="live-entries"') :]
    for hostile in ("<script>alert", "onerror", "onclick", "javascript:"):
        assert hostile not in entries
    LiveEntry.objects.filter(pk=entry.pk).update(body="<script>alert(2)</script><p>Hi</p>")
    assert "<script>alert(2)" not in fragment(client, live).content.decode()


def test_an_entry_without_text_is_refused(live):
    with pytest.raises(ServiceError):
        post(live, "<p>  </p><script>x()</script>")
    assert not LiveEntry.objects.exists()


def test_closing_stops_the_polling_and_keeps_the_archive(
    client, live, article, django_capture_on_commit_callbacks
):
    entry = post(live, "<p>Final word.</p>")
    with django_capture_on_commit_callbacks(execute=True):
        services.live_coverage_close(coverage=live)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Final word." in html
    assert "hx-trigger" not in html and "This live coverage ended" in html
    # A reader whose page was still polling gets the "ended" note, which does not poll.
    response = fragment(client, live, after=entry.pk)
    assert response.status_code == 200
    assert "This live coverage ended" in response.content.decode()
    assert "hx-trigger" not in response.content.decode()
    with pytest.raises(services.LiveCoverageClosed):
        post(live, "<p>Too late.</p>")


def test_the_page_carries_live_blog_posting_json_ld(
    client, live, article, django_capture_on_commit_callbacks
):
    author = AuthorFactory(name="Ada Reporter")
    post(live, "<p>Polls open at seven.</p>", headline="Polls open", author=author)
    html = client.get(article.get_absolute_url()).content.decode()
    data = live_json_ld(html)
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageStartTime"] and "coverageEndTime" not in data
    update = data["liveBlogUpdate"][0]
    assert update["@type"] == "BlogPosting"
    assert update["headline"] == "Polls open"
    assert update["articleBody"] == "Polls open at seven."
    assert update["author"]["name"] == "Ada Reporter"
    assert update["url"].endswith(f"#live-entry-{LiveEntry.objects.get().pk}")

    # The live section is a kept piece: the close's commit gives it a new version.
    with django_capture_on_commit_callbacks(execute=True):
        services.live_coverage_close(coverage=live)
    data = live_json_ld(client.get(article.get_absolute_url() + "?fresh").content.decode())
    assert data["coverageEndTime"]


def test_bad_after_values_are_400_and_unknown_pages_404(client, live):
    assert fragment(client, live, after="abc").status_code == 400
    assert fragment(client, live, after="-1").status_code == 400
    assert client.get(reverse("liveblog:entries", kwargs={"pk": 999999})).status_code == 404


def test_the_fragment_of_an_unpublished_story_is_404(client):
    draft = ArticleFactory(status="draft", published_at=None)
    coverage = services.live_coverage_start(article=draft)
    assert fragment(client, coverage).status_code == 404


def test_an_ordinary_article_page_costs_no_query_for_the_live_hook(client, article):
    from liveblog.selectors import live_article_ids

    live_article_ids()  # warm, as on any busy site
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'id="live-entries"' not in html


def test_the_live_page_makes_a_fixed_number_of_queries(
    client, live, article, django_assert_max_num_queries
):
    from tests.test_article_pages import ARTICLE_PAGE_BUDGET, count_queries

    authors = AuthorFactory.create_batch(3)
    post(live, "<p>One.</p>", author=authors[0])
    few = count_queries(
        client, article.get_absolute_url(), django_assert_max_num_queries, ARTICLE_PAGE_BUDGET + 2
    )
    for n in range(30):
        post(live, f"<p>Entry {n}.</p>", author=authors[n % 3], is_key_event=n % 5 == 0)
    many = count_queries(
        client, article.get_absolute_url(), django_assert_max_num_queries, ARTICLE_PAGE_BUDGET + 2
    )
    assert many == few


def test_the_fragment_is_answered_from_the_cache(client, live, django_assert_num_queries):
    post(live, "<p>One.</p>")
    fragment(client, live)
    with django_assert_num_queries(0):
        assert fragment(client, live).status_code == 200
        assert fragment(client, live, after=123).status_code in (200, 204)


def test_an_editor_posts_an_entry_in_the_admin_and_gets_a_fresh_form(editor_client, live):
    add = reverse("admin:liveblog_liveentry_add")
    form = editor_client.get(f"{add}?coverage={live.pk}")
    assert form.status_code == 200
    response = editor_client.post(
        add,
        {"coverage": live.pk, "headline": "", "body": "<p>From the desk.</p>", "author": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{add}?coverage={live.pk}"
    assert LiveEntry.objects.get().body == "<p>From the desk.</p>"


def test_the_admin_refuses_an_entry_for_a_closed_page(editor_client, live):
    services.live_coverage_close(coverage=live)
    response = editor_client.post(
        reverse("admin:liveblog_liveentry_add"),
        {"coverage": live.pk, "body": "<p>Late.</p>"},
    )
    assert response.status_code == 200
    assert not LiveEntry.objects.exists()


def test_an_article_is_live_only_once(live, article):
    with pytest.raises(ServiceError):
        services.live_coverage_start(article=article)
    assert LiveCoverage.objects.count() == 1


def test_the_live_section_is_kept_until_an_entry_changes_it(
    client, live, article, settings, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0
    url = article.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        post(live, "<p>Polls open at seven.</p>")
    assert "Polls open at seven." in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert "Polls open at seven." in client.get(url).content.decode()
    assert not [q for q in queries if "liveblog_liveentry" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        post(live, "<p>Turnout is high.</p>")
    html = client.get(url).content.decode()
    assert "Turnout is high." in html and "Polls open at seven." in html
