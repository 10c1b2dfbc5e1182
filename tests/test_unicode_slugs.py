"""Tags, sections and authors named in any language's letters have working pages."""

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db

NAMES = ["Zürich", "São Paulo", "Αθήνα", "Київ"]


@pytest.fixture
def tagged(section, author):
    story = ArticleFactory(category=section, authors=[author])
    story.tags.add(*NAMES)
    return story


def test_an_article_tagged_in_other_alphabets_links_every_tag(client, tagged):
    response = client.get(tagged.get_absolute_url())

    assert response.status_code == 200
    for tag in tagged.tags.all():
        assert reverse("articles:tag", kwargs={"slug": tag.slug}) in response.content.decode()


@pytest.mark.parametrize("name", NAMES)
def test_each_tag_page_and_feed_answers(client, tagged, name):
    tag = tagged.tags.get(name=name)
    assert tag.slug != ""

    for url_name in ("articles:tag", "articles:feed-tag-rss", "articles:feed-tag-atom"):
        response = client.get(reverse(url_name, kwargs={"slug": tag.slug}))
        assert response.status_code == 200, url_name
    assert tagged.title in client.get(reverse("articles:tag", args=[tag.slug])).content.decode()


def test_the_tag_sitemap_lists_them(client, tagged):
    response = client.get(reverse("sitemap-section", kwargs={"section": "tags"}))

    assert response.status_code == 200
    for tag in tagged.tags.all():
        assert reverse("articles:tag", kwargs={"slug": tag.slug}) in response.content.decode()


def test_the_staff_preview_shows_them(client, tagged, staff_user):
    client.force_login(staff_user)

    response = client.get(reverse("articles:preview", kwargs={"pk": tagged.pk}))

    assert response.status_code == 200


@pytest.mark.parametrize("name", ["Αθήνα", "Київ"])
def test_sections_and_authors_named_in_other_alphabets_get_a_slug_and_a_page(client, name):
    section = CategoryFactory(name=name, slug="")
    author = AuthorFactory(name=name, slug="")
    ArticleFactory(category=section, authors=[author])

    assert section.slug and author.slug
    assert client.get(section.get_absolute_url()).status_code == 200
    assert client.get(author.get_absolute_url()).status_code == 200
