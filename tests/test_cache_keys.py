"""Made-up query strings never become cache entries: only a page's real addresses do."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from articles.page_cache import canonical_query
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def cache_size() -> int:
    # The test cache is local memory; its private dict is the honest count of entries.
    return len(cache._cache)


@pytest.mark.parametrize(
    ("query", "shared"),
    [
        ("", True),
        ("p=2", True),
        ("p=17", True),
        ("p=1", False),  # the same page as no parameter
        ("p=02", False),
        ("p=2&p=3", False),
        ("p=abc", False),
        ("p=%D9%A3", False),  # an Arabic-Indic digit three
        ("x=1", False),
        ("p=2&x=1", False),
    ],
)
def test_only_the_paginators_own_spelling_is_shared(query, shared):
    request = RequestFactory().get(f"/sitemap-articles.xml?{query}")
    assert canonical_query(request, page_params=("p",)) is shared


@pytest.mark.parametrize(
    "url",
    [
        reverse("articles:feed-rss"),
        reverse("articles:feed-atom"),
        reverse("sitemap-index"),
        reverse("sitemap-section", kwargs={"section": "articles"}),
        reverse("news-sitemap"),
    ],
)
def test_feeds_and_sitemaps_make_no_entry_per_made_up_query(client, article, url):
    client.get(url)
    baseline = cache_size()

    for n in range(50):
        assert client.get(url, {"cachebuster": n}).status_code == 200

    assert cache_size() == baseline


def test_every_real_page_of_a_long_sitemap_is_still_cached(client, section, monkeypatch):
    from articles.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    ArticleFactory.create_batch(5, category=section)
    url = reverse("sitemap-section", kwargs={"section": "articles"})

    before = cache_size()
    for page in ("", "2", "3"):
        assert client.get(url, {"p": page} if page else {}).status_code == 200
    assert cache_size() > before
    filled = cache_size()
    for page in ("2", "3"):
        client.get(url, {"p": page})
    assert cache_size() == filled
