"""Standing pages (About, Contact, ...): served at their slug, in the footer and sitemap."""

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from pages.models import Page
from pages.services import page_delete, page_save
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def about(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return page_save(page=Page(title="About us", slug="about", body="<p>Who we are.</p>"))


def test_a_page_is_served_at_its_slug(client, about):
    response = client.get("/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "About us" in html and "Who we are." in html


def test_unknown_and_unpublished_pages_are_404(client, about):
    assert client.get("/no-such-page/").status_code == 404
    Page.objects.filter(pk=about.pk).update(is_published=False)
    assert client.get("/about/?fresh").status_code == 404


def test_hostile_html_in_a_page_is_removed_on_save(about):
    about.body = '<p onmouseover="x()">Hi</p><script>alert(1)</script><a href="javascript:x">y</a>'
    page_save(page=about)
    about.refresh_from_db()
    for hostile in ("<script", "onmouseover", "javascript:"):
        assert hostile not in about.body


@pytest.mark.parametrize("slug", ["search", "admin", "archive", "corrections", "2026"])
def test_a_slug_the_site_already_answers_is_refused(slug):
    with pytest.raises(ValidationError) as refusal:
        page_save(page=Page(title="Clash", slug=slug))
    assert "already used by the site" in str(refusal.value)
    assert not Page.objects.exists()


def test_article_and_archive_addresses_are_not_shadowed_by_pages(client, about):
    story = ArticleFactory()
    assert client.get(story.get_absolute_url()).status_code == 200
    assert client.get(f"/{story.published_at:%Y}/").templates[0].name == "articles/archive.html"


def test_the_footer_links_the_pages_in_order_without_a_query(
    client, about, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        page_save(page=Page(title="Contact", slug="contact", position=1))
        page_save(page=Page(title="Hidden", slug="hidden", show_in_footer=False))
    html = client.get("/about/").content.decode()
    footer = html[html.index('class="footer-pages"') :]
    assert footer.index("About us") < footer.index("Contact")
    assert "Hidden" not in footer

    from pages.selectors import footer_pages

    with django_assert_num_queries(0):
        assert [link["title"] for link in footer_pages()] == ["About us", "Contact"]


def test_the_footer_marks_only_the_page_being_read(client, about, settings):
    settings.PAGE_CACHE_SECONDS = 0  # every page rendered: the footer's piece is shared
    current = '<a href="/about/" aria-current="page">'
    assert current in client.get("/about/").content.decode()
    assert current not in client.get(ArticleFactory().get_absolute_url()).content.decode()
    assert current in client.get("/about/").content.decode()


def test_changing_a_page_updates_the_footer_and_the_cached_page_at_once(
    client, about, django_capture_on_commit_callbacks
):
    assert "About us" in client.get("/about/").content.decode()
    about.title = "About the newsroom"
    with django_capture_on_commit_callbacks(execute=True):
        page_save(page=about)
    html = client.get("/about/").content.decode()
    assert "About the newsroom" in html
    assert "About us" not in html
    with django_capture_on_commit_callbacks(execute=True):
        page_delete(page=about)
    assert client.get("/about/").status_code == 404


def test_pages_are_in_the_sitemap(client, about):
    index = client.get(reverse("sitemap-index")).content.decode()
    assert reverse("sitemap-section", kwargs={"section": "pages"}) in index
    root = ElementTree.fromstring(
        client.get(reverse("sitemap-section", kwargs={"section": "pages"})).content
    )
    assert [loc.text for loc in root.iter(f"{SM}loc")] == [f"{settings.SITE_URL}/about/"]


def test_the_page_makes_a_fixed_number_of_queries(client, about, django_assert_max_num_queries):
    # Cold caches: the page, the section menu, the footer's sections and pages.
    with django_assert_max_num_queries(4):
        assert client.get("/about/").status_code == 200


def test_an_editor_writes_a_page_in_the_admin(editor_client, client):
    response = editor_client.post(
        reverse("admin:pages_page_add"),
        {
            "title": "Terms of use",
            "slug": "terms",
            "body": "<p>Be kind.</p><script>x()</script>",
            "description": "",
            "is_published": "on",
            "show_in_footer": "on",
            "position": "3",
        },
    )
    assert response.status_code == 302
    terms = Page.objects.get(slug="terms")
    assert "<script" not in terms.body
    assert "Terms of use" in client.get("/terms/").content.decode()


def test_the_admin_refuses_a_slug_the_site_uses(editor_client):
    response = editor_client.post(
        reverse("admin:pages_page_add"),
        {"title": "Search", "slug": "search", "body": "", "position": "0"},
    )
    assert response.status_code == 200
    assert "already used by the site" in response.content.decode()
    assert not Page.objects.exists()
