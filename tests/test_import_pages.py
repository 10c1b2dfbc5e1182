"""WordPress pages come across as the site's standing pages, their old addresses redirecting."""

from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article
from pages.models import Page
from tests.wxr import SITE, export, page, post
from wpimport.models import OldAddress

pytestmark = pytest.mark.django_db


def run(path) -> str:
    out = StringIO()
    call_command("import_wordpress", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_published_wordpress_page_becomes_a_page_served_at_its_slug(client, tmp_path):
    run(export(tmp_path, page(2, title="About the Gazette", slug="about")))

    about = Page.objects.get(slug="about")
    assert about.title == "About the Gazette" and about.is_published
    assert not Article.objects.filter(title="About the Gazette").exists()
    response = client.get("/about/")
    assert response.status_code == 200
    assert "What page 2 says." in response.content.decode()


def test_its_old_addresses_redirect_to_the_page(client, tmp_path):
    link = f"{SITE}/who-we-are/about/"
    run(export(tmp_path, page(2, slug="about", link=link)))

    for old in ("/who-we-are/about/", "/?p=2", "/?page_id=2"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == "/about/"


def test_a_draft_page_comes_in_unpublished_and_its_addresses_stay_silent(client, tmp_path):
    run(export(tmp_path, page(3, slug="jobs", status="draft", link=f"{SITE}/old-jobs/")))

    assert not Page.objects.get(slug="jobs").is_published
    assert client.get("/jobs/").status_code == 404
    assert client.get("/old-jobs/").status_code == 404
    assert client.get("/?p=3").status_code == 404
    assert client.get("/?page_id=3").status_code == 404


def test_private_pages_are_skipped(tmp_path):
    output = run(export(tmp_path, page(4, slug="secret", status="private")))
    assert "status “private” is never imported" in output
    assert not Page.objects.exists()


def test_a_slug_the_site_already_answers_gets_a_prefix(client, tmp_path):
    run(export(tmp_path, page(5, slug="search", title="Search tips")))

    tips = Page.objects.get(title="Search tips")
    assert tips.slug == "page-search"
    assert client.get("/page-search/").status_code == 200
    assert client.get("/search/").templates[0].name == "search/search.html"


def test_hostile_html_in_a_page_is_stripped(tmp_path):
    hostile = '<p onclick="steal()">Hi</p><script>alert(1)</script><iframe src="//x"></iframe>'
    run(export(tmp_path, page(6, slug="hi", content=hostile)))
    body = Page.objects.get(slug="hi").body
    for bad in ("<script", "onclick", "<iframe"):
        assert bad not in body
    assert "Hi" in body


def test_running_the_import_again_updates_the_page_instead_of_duplicating_it(tmp_path):
    run(export(tmp_path, page(2, slug="about", title="About")))
    Page.objects.filter(slug="about").update(show_in_footer=False)
    run(export(tmp_path, page(2, slug="about", title="About us")))

    about = Page.objects.get()
    assert about.title == "About us"
    assert not about.show_in_footer  # what the desk set here stays
    assert OldAddress.objects.filter(page=about).count() == 3


def test_posts_and_pages_import_side_by_side(tmp_path):
    run(export(tmp_path, post(10), page(11, slug="contact")))
    assert Article.objects.filter(slug="story-10").exists()
    assert Page.objects.filter(slug="contact").exists()
    assert OldAddress.objects.filter(article__isnull=False).count() == 2
