"""Made-up query strings never become cache entries: only a page's real addresses do."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory
from django.urls import reverse

from articles.page_cache import canonical_query
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def cache_size() -> int:
    """How many entries the default cache holds, local memory or Redis (REDIS_URL)."""
    # Neither backend counts its entries in public API: local memory's private dict and
    # a scan of this site's key prefix on Redis are the honest counts.
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=False)
        return sum(1 for _ in client.scan_iter(match=backend.make_key("*")))
    return len(backend._cache)


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


def test_made_up_page_numbers_of_an_article_or_section_are_never_cached(client, article):
    client.get(article.get_absolute_url())
    client.get(article.category.get_absolute_url())
    baseline = cache_size()

    for n in range(2, 40):
        assert client.get(article.get_absolute_url(), {"page": n}).status_code == 200
        assert client.get(article.category.get_absolute_url(), {"page": n}).status_code == 404
    for spelling in ("02", "+2", "2.0", "last", "１"):
        client.get(article.category.get_absolute_url(), {"page": spelling})

    assert cache_size() == baseline


def test_page_one_shares_the_first_pages_copy(client, article, django_assert_num_queries):
    section_url = article.category.get_absolute_url()
    client.get(section_url)

    with django_assert_num_queries(0):
        assert client.get(section_url, {"page": "1"}).status_code == 200


@pytest.fixture
def long_section(section):
    ArticleFactory.create_batch(25, category=section)
    return section


def test_a_purge_drops_every_page_number_of_a_page(
    client, long_section, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from articles.services import article_unpublish

    url = long_section.get_absolute_url()
    first = client.get(url, {"page": 2})
    assert first.status_code == 200
    with django_assert_num_queries(0):
        client.get(url, {"page": 2})

    newest = long_section.articles.order_by("-published_at").first()
    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=newest)

    again = client.get(url, {"page": 2})
    assert again.status_code == 200
    assert again.content != first.content


def test_a_purge_reaches_the_tag_and_author_pages_of_the_story(
    client, article, django_capture_on_commit_callbacks
):
    from articles.services import article_unpublish

    article.tags.add("Harbour")
    tag_url = reverse("articles:tag", kwargs={"slug": "harbour"})
    author_url = article.bylines.get().author.get_absolute_url()
    for url in (tag_url, author_url):
        assert article.title in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=article)

    for url in (tag_url, author_url):
        assert article.title not in client.get(url).content.decode()
