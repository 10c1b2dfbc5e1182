"""Old WordPress addresses answer with a redirect only while their article is public.

A scheduled or draft post's `/?p=ID` and old permalink answer exactly like addresses never
imported, so they give away neither the article nor its future address.
"""

import re
from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.services import article_unpublish
from tests.wxr import SITE, export, post
from wpimport.models import ImportedItem, OldAddress

pytestmark = pytest.mark.django_db

_NEXT = re.compile(r"\?next=[^\"]*")


def run(path) -> str:
    out = StringIO()
    call_command("import_wordpress", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def wordpress_time(moment) -> str:
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime(
        "%Y-%m-%d %H:%M:%S"
    )


@pytest.fixture
def scheduled(tmp_path) -> Article:
    """Post 7, scheduled in WordPress for an hour from now, imported."""
    soon = timezone.now() + timedelta(hours=1)
    gmt = soon.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    run(export(tmp_path, post(7, status="future", date=wordpress_time(soon), gmt=gmt)))
    return Article.objects.get(slug="story-7")


def old_permalink(article: Article) -> str:
    return OldAddress.objects.exclude(path__startswith="/?").get(article=article).path


def like_unknown(client, path: str, unknown: str) -> None:
    response, never_imported = client.get(path), client.get(unknown)
    assert response.status_code == 404 == never_imported.status_code
    assert "Location" not in response
    # The same page, but for the log-in links' way back to the address asked for.
    assert _NEXT.sub("", response.content.decode()) == _NEXT.sub(
        "", never_imported.content.decode()
    )


def test_a_scheduled_posts_old_addresses_answer_like_unknown_ones(client, scheduled):
    assert scheduled.status == Article.Status.PUBLISHED
    assert scheduled.published_at > timezone.now()
    like_unknown(client, "/?p=7", "/?p=99999")
    like_unknown(client, old_permalink(scheduled), "/2024/03/never-imported/")
    assert scheduled.slug not in client.get("/?p=7").content.decode()


def test_they_redirect_once_it_is_public_without_importing_again(client, scheduled):
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    for path in ("/?p=7", old_permalink(scheduled)):
        response = client.get(path)
        assert response.status_code == 301, path
        assert response["Location"] == scheduled.get_absolute_url()


def test_unpublishing_hides_them_again(client, scheduled):
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    assert client.get("/?p=7").status_code == 301
    article_unpublish(article=Article.objects.get(pk=scheduled.pk))
    like_unknown(client, "/?p=7", "/?p=99999")
    like_unknown(client, old_permalink(scheduled), "/2024/03/never-imported/")


def test_a_draft_redirects_once_an_editor_publishes_it(client, tmp_path):
    run(export(tmp_path, post(8, status="draft", gmt="0000-00-00 00:00:00")))
    draft = Article.objects.get(title="Story 8")
    like_unknown(client, "/?p=8", "/?p=99999")
    draft.status, draft.published_at = Article.Status.PUBLISHED, timezone.now()
    draft.save()
    assert client.get("/?p=8")["Location"] == draft.get_absolute_url()


def test_the_redirect_follows_the_article_when_its_address_changes(client, tmp_path):
    run(export(tmp_path, post(9)))
    article = Article.objects.get(slug="story-9")
    article.slug = "renamed"
    article.save()
    assert client.get("/?p=9")["Location"] == article.get_absolute_url()
    assert client.get("/2024/03/story-9/")["Location"] == article.get_absolute_url()


def test_an_old_permalink_with_a_tracking_query_still_redirects(client, tmp_path):
    run(export(tmp_path, post(10)))
    response = client.get("/2024/03/story-10/", {"utm_source": "newsletter"})
    assert response["Location"] == Article.objects.get(slug="story-10").get_absolute_url()


def test_a_non_ascii_permalink_redirects(client, tmp_path):
    link = f"{SITE}/2024/03/%e6%97%a5%e6%9c%ac/"
    run(export(tmp_path, post(11, slug="%e6%97%a5%e6%9c%ac", link=link)))
    response = client.get("/2024/03/日本/")
    assert response.status_code == 301
    assert response["Location"] == Article.objects.get(title="Story 11").get_absolute_url()


def test_post_requests_and_other_query_strings_are_left_alone(client, tmp_path):
    run(export(tmp_path, post(12)))
    assert client.get("/?p=012")["Location"] == Article.objects.get().get_absolute_url()
    for not_an_id in ("abc", "²", "1" * 5000, "-12"):
        assert client.get("/", {"p": not_an_id}).status_code == 200  # the front page
    assert client.get("/?page_id=12").status_code == 404  # post 12 is no page: as WordPress
    assert client.post("/?p=12").status_code != 301


def test_a_hostile_missing_path_is_still_a_plain_404(client, tmp_path):
    run(export(tmp_path, post(16)))
    for path in ("/%00/", "/2024/03/story-16%00/", "/" + "x" * 600 + "/"):
        assert client.get(path).status_code == 404, path


def test_an_ordinary_page_costs_no_redirect_query(client, tmp_path):
    run(export(tmp_path, post(13)))
    article = Article.objects.get(slug="story-13")
    for path in ("/", article.get_absolute_url(), "/?p=abc"):
        with CaptureQueriesContext(connection) as context:
            assert client.get(path).status_code == 200
        assert not [q for q in context.captured_queries if "wpimport_" in q["sql"]], path


def test_a_redirect_costs_one_query(client, django_assert_num_queries, tmp_path):
    run(export(tmp_path, post(14)))
    with django_assert_num_queries(1):
        assert client.get("/?p=14").status_code == 301


def test_redirects_an_earlier_import_made_move_to_the_checked_kind(tmp_path):
    """Rows django.contrib.redirects answers unchecked, left by imports before this fix."""
    from importlib import import_module

    from django.apps import apps

    run(export(tmp_path, post(15, status="future", date="2999-01-01 10:00:00")))
    scheduled = Article.objects.get(slug="story-15")
    OldAddress.objects.all().delete()
    site = Site.objects.get_current()
    new_path = scheduled.get_absolute_url()
    for old in ("/?p=15", "/2999/01/story-15/", "/2999/01/%e6%97%a5/"):
        Redirect.objects.create(site=site, old_path=old, new_path=new_path)
    Redirect.objects.create(site=site, old_path="/editors-own/", new_path="/section/news/")
    assert ImportedItem.objects.filter(kind="post", object_id=scheduled.pk).exists()

    migration = import_module("wpimport.migrations.0002_oldaddress")
    migration.move_imported_redirects(apps, None)
    assert set(OldAddress.objects.filter(article=scheduled).values_list("path", flat=True)) == {
        "/?p=15",
        "/2999/01/story-15/",
        "/2999/01/日/",
    }
    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/editors-own/"]
