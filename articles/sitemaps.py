"""sitemap.xml (an index of articles, sections, authors and tags) and a Google News sitemap."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemaps_views
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from taggit.models import Tag

from accounts.models import Author
from articles.models import Article, Category
from articles.page_cache import SITEMAP_KEY, cache_shared

NEWS_WINDOW = timezone.timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs from one news sitemap.


def site_url(path: str) -> str:
    return settings.SITE_URL + path


class PublicSitemap(Sitemap):
    """Addresses on SITE_URL, the public address canonical links use, whatever host asked."""

    @property
    def protocol(self):
        # Django's index view reads the attribute; the page views call get_protocol().
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


def latest_update(articles):
    return Subquery(articles.order_by("-updated_at").values("updated_at")[:1])


class ArticleSitemap(PublicSitemap):
    limit = 5000

    def items(self):
        # Oldest first, so a new story only ever changes the last page.
        return (
            Article.objects.published()
            .defer("body", "standfirst", "search_vector")
            .order_by("published_at", "id")
        )

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class SectionSitemap(PublicSitemap):
    def items(self):
        published_here = Article.objects.published().filter(category=OuterRef("pk"))
        return Category.objects.annotate(lastmod=latest_update(published_here)).order_by("pk")

    def lastmod(self, section):
        return section.lastmod


class AuthorSitemap(PublicSitemap):
    def items(self):
        by_author = Article.objects.published().by_author(OuterRef(OuterRef("pk")))
        return (
            Author.objects.annotate(lastmod=latest_update(by_author))
            .filter(lastmod__isnull=False)
            .order_by("pk")
        )

    def lastmod(self, author):
        return author.lastmod


class TagSitemap(PublicSitemap):
    def items(self):
        tagged = Article.objects.published().filter(tags=OuterRef("pk"))
        return (
            Tag.objects.annotate(lastmod=latest_update(tagged))
            .filter(lastmod__isnull=False)
            .order_by("pk")
        )

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})

    def lastmod(self, tag):
        return tag.lastmod


class NewsSitemap(PublicSitemap):
    """Stories published in the last 48 hours, newest first, as Google News asks."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .defer("body", "search_vector")
            .order_by("-published_at", "-id")[:NEWS_LIMIT]
        )

    def lastmod(self, article):
        return article.updated_at


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
}


# Django's index names each sitemap on the Sites row, which SITE_URL sets
# (newsportal.apps), and sends Last-Modified when every sitemap knows its latest change.
index = require_safe(cache_shared(600, keys=(SITEMAP_KEY,))(sitemaps_views.index))
section = require_safe(
    cache_shared(600, page_params=("p",), keys=(SITEMAP_KEY,))(sitemaps_views.sitemap)
)


@require_safe
@cache_shared(300, keys=(SITEMAP_KEY,))
def news(request):
    language = settings.LANGUAGE_CODE.split("-")[0]
    response = sitemaps_views.sitemap(
        request, {"news": NewsSitemap}, template_name="articles/news_sitemap.xml"
    )
    response.context_data.update(publication_name=settings.SITE_NAME, language=language)
    return response
