from datetime import timedelta

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.contrib.sitemaps import views as sitemaps_views
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_http_date

from articles.models import Article
from articles.services import article_publish, article_unpublish
from articles.sitemaps import NEWS_LIMIT, ArticleSitemap, sitemap_page
from newsportal.urls import SITEMAPS
from pages.models import Page
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def locations(root):
    return [loc.text for loc in root.iter(f"{SM}loc")]


def absolute(path):
    return settings.SITE_URL + path


def section_url(name):
    return reverse("sitemap-section", kwargs={"section": name})


@pytest.fixture
def hidden_articles(section, author):
    return [
        ArticleFactory(
            title="Secret draft",
            status=Article.Status.DRAFT,
            published_at=None,
            category=section,
            authors=[author],
        ),
        ArticleFactory(
            title="Secret scheduled",
            published_at=timezone.now() + timedelta(days=1),
            category=section,
            authors=[author],
        ),
        ArticleFactory(
            title="Secret archived",
            status=Article.Status.ARCHIVED,
            category=section,
            authors=[author],
        ),
    ]


def test_index_lists_the_articles_sections_and_authors_sitemaps(client, article):
    Page.objects.create(title="About us", slug="about")
    root = parse(client.get(reverse("sitemap-index")))

    assert root.tag == f"{SM}sitemapindex"
    assert locations(root) == [
        absolute(section_url("articles")),
        absolute(section_url("sections")),
        absolute(section_url("authors")),
        absolute(section_url("tags")),
        absolute(section_url("pages")),
    ]
    lastmods = [lastmod.text for lastmod in root.iter(f"{SM}lastmod")]
    assert timezone.datetime.fromisoformat(lastmods[0]) == article.updated_at


def test_index_says_when_the_newest_story_changed(client, article):
    ArticleFactory(category=article.category).tags.add("Harbour")
    page = Page.objects.create(title="About us", slug="about")
    Page.objects.filter(pk=page.pk).update(updated_at=article.published_at)

    response = client.get(reverse("sitemap-index"))

    newest = Article.objects.published().latest("updated_at").updated_at
    assert parse_http_date(response["Last-Modified"]) == int(newest.timestamp())


def test_index_reads_the_sites_stored_stats_and_follows_every_change(
    client, section, author, monkeypatch, django_capture_on_commit_callbacks
):
    """The article sitemap's pages and the index's Last-Modified come from one stored row
    (articles.listings.site_stats), which every change through the services forgets."""
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    stories = ArticleFactory.create_batch(5, category=section, authors=[author])
    # Every sitemap says when it last changed, or the index sends no Last-Modified.
    stories[1].tags.add("Harbour")
    Page.objects.create(title="About us", slug="about")
    Page.objects.update(updated_at=stories[0].published_at)
    index = reverse("sitemap-index")
    articles = absolute(section_url("articles"))

    def article_pages():
        cache.clear()
        response = client.get(index)
        return response, [url for url in locations(parse(response)) if url.startswith(articles)]

    assert article_pages()[1] == [articles, f"{articles}?p=2", f"{articles}?p=3"]
    with CaptureQueriesContext(connection) as queries:
        article_pages()
    on_articles = [q["sql"] for q in queries.captured_queries if "articles_article" in q["sql"]]
    assert not on_articles, on_articles

    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=stories[0])
    story = ArticleFactory(category=section, status=Article.Status.DRAFT, published_at=None)
    assert article_pages()[1] == [articles, f"{articles}?p=2"]
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=story)
    response, pages = article_pages()
    assert pages == [articles, f"{articles}?p=2", f"{articles}?p=3"]
    story.refresh_from_db()
    assert parse_http_date(response["Last-Modified"]) == int(story.updated_at.timestamp())


def test_index_lists_every_page_of_a_long_sitemap(client, section, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    ArticleFactory.create_batch(5, category=section)

    urls = locations(parse(client.get(reverse("sitemap-index"))))

    articles = absolute(section_url("articles"))
    assert urls[:3] == [articles, f"{articles}?p=2", f"{articles}?p=3"]
    assert len(locations(parse(client.get(section_url("articles"), {"p": 3})))) == 1
    assert client.get(section_url("articles"), {"p": 4}).status_code == 404
    assert client.get(section_url("articles"), {"p": "abc"}).status_code == 404


def test_articles_sitemap_has_only_public_articles_with_lastmod(client, article, hidden_articles):
    root = parse(client.get(section_url("articles")))

    assert locations(root) == [absolute(article.get_absolute_url())]
    assert root.findtext(f"{SM}url/{SM}lastmod") == article.updated_at.date().isoformat()


def test_sections_and_authors_sitemaps(client, section, author, article, hidden_articles):
    CategoryFactory(slug="empty", name="Empty")
    unpublished_author = AuthorFactory()
    ArticleFactory(status=Article.Status.DRAFT, published_at=None, authors=[unpublished_author])

    sections = locations(parse(client.get(section_url("sections"))))
    authors = locations(parse(client.get(section_url("authors"))))

    assert absolute(section.get_absolute_url()) in sections
    assert absolute("/section/empty/") in sections
    assert authors == [absolute(author.get_absolute_url())]


def test_tags_sitemap_lists_tags_of_public_articles(client, article, hidden_articles):
    article.tags.add("Budget")
    hidden_articles[0].tags.add("Embargoed")

    root = parse(client.get(section_url("tags")))

    assert locations(root) == [absolute(reverse("articles:tag", kwargs={"slug": "budget"}))]
    assert root.findtext(f"{SM}url/{SM}lastmod") == article.updated_at.date().isoformat()


def test_unknown_sitemap_section_is_404(client):
    assert client.get(section_url("nothing")).status_code == 404


def test_news_sitemap_lists_the_last_48_hours_with_news_tags(client, section, hidden_articles):
    now = timezone.now()
    fresh = ArticleFactory(
        title="Fresh & new", published_at=now - timedelta(hours=3), category=section
    )
    ArticleFactory(
        title="Two days and a bit", published_at=now - timedelta(hours=49), category=section
    )

    root = parse(client.get(reverse("news-sitemap")))

    urls = root.findall(f"{SM}url")
    assert [url.findtext(f"{SM}loc") for url in urls] == [absolute(fresh.get_absolute_url())]
    news = urls[0].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == settings.SITE_NAME
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}title") == "Fresh & new"
    published = timezone.datetime.fromisoformat(news.findtext(f"{NEWS}publication_date"))
    assert published == fresh.published_at


def test_news_sitemap_stops_at_1000_urls_newest_first(client, section, monkeypatch):
    monkeypatch.setattr("articles.sitemaps.NEWS_LIMIT", 3)
    now = timezone.now()
    for minutes in range(5):
        ArticleFactory(
            title=f"{minutes} minutes",
            published_at=now - timedelta(minutes=minutes),
            category=section,
        )

    root = parse(client.get(reverse("news-sitemap")))

    titles = [title.text for title in root.iter(f"{NEWS}title")]
    assert titles == ["0 minutes", "1 minutes", "2 minutes"]
    assert NEWS_LIMIT == 1000


def test_news_sitemap_really_caps_at_1000(client, section):
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Story {n}",
            slug=f"bulk-{n}",
            category=section,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(seconds=n),
        )
        for n in range(1005)
    )

    root = parse(client.get(reverse("news-sitemap")))

    assert len(root.findall(f"{SM}url")) == 1000


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        # Each also reads the Site row and the section menu, both cached in production.
        # The site's stored stats, then each list sitemap's rows and stats, the pages'.
        (reverse("sitemap-index"), 10),
        (section_url("articles"), 4),
        (section_url("sections"), 4),
        (section_url("authors"), 4),
        (section_url("tags"), 4),
        (reverse("news-sitemap"), 4),
    ],
)
def test_sitemap_queries_do_not_grow_with_articles(
    client, section, author, url, budget, django_assert_max_num_queries
):
    for _ in range(10):
        story = ArticleFactory(category=section, authors=[author, AuthorFactory()])
        story.tags.add("one", "two")
    # The first reading computes the lists' stored stats (articles.listings: three more
    # queries per list sitemap, however many rows); then the page reads them.
    assert client.get(url).status_code == 200
    cache.clear()

    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


def test_robots_txt_points_at_both_sitemaps_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for path in ["/admin/", "/accounts/", reverse("search:search")]:
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in lines
    assert f"Sitemap: {settings.SITE_URL}/news-sitemap.xml" in lines
    assert settings.SITE_URL.startswith("http")


@pytest.fixture
def long_articles_sitemap(section, monkeypatch):
    """Three pages of two stories: two share a publication moment (ties go by id), one
    has a non-ASCII slug (quoted in its address)."""
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    moment = timezone.now() - timedelta(hours=3)
    ArticleFactory.create_batch(2, category=section, published_at=moment)
    ArticleFactory(category=section, title="Café society", slug="café-société")
    ArticleFactory.create_batch(2, category=section)


@pytest.mark.parametrize("page", ["1", "2", "3"])
def test_the_articles_pages_are_what_djangos_own_sitemap_view_writes(
    rf, long_articles_sitemap, page
):
    request = rf.get(section_url("articles"), {"p": page})

    ours = sitemap_page(request, SITEMAPS, section="articles")
    djangos = sitemaps_views.sitemap(request, {"articles": ArticleSitemap}, section="articles")
    djangos.render()

    assert ours.content == djangos.content
    for header in ("Content-Type", "Last-Modified", "X-Robots-Tag"):
        assert ours[header] == djangos[header]


def test_a_later_articles_page_starts_from_an_index_position_not_an_offset(
    client, long_articles_sitemap
):
    with CaptureQueriesContext(connection) as queries:
        parse(client.get(section_url("articles"), {"p": 3}))

    pages = [q["sql"] for q in queries.captured_queries if '"slug"' in q["sql"]]
    assert len(pages) == 1
    assert "OFFSET" not in pages[0]
    assert "ROW(" in pages[0]


@pytest.mark.parametrize("page", ["0", "-1", "4", "abc", "1.5", "9" * 30])
def test_a_made_up_articles_page_is_404(client, long_articles_sitemap, page):
    assert client.get(section_url("articles"), {"p": page}).status_code == 404
