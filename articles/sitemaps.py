"""sitemap.xml (an index of articles, sections, authors and tags) and a Google News sitemap."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemaps_views
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from taggit.models import Tag

from accounts.models import Author
from articles.listings import listing_stats, site_stats
from articles.models import Article, Category, ListingStats
from articles.page_cache import SITEMAP_KEY, cache_shared
from articles.paginators import KnownCountPaginator

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

    # How many pages there are and the newest change: from the site's stored stats
    # (articles.listings), one row, not a count and a Max over every published story.
    @cached_property
    def _site(self):
        return site_stats()

    @cached_property
    def paginator(self):
        return KnownCountPaginator(self._items(), self.limit, count=self._site.published)

    def get_latest_lastmod(self):
        return self._site.last_updated


class ListingSitemap(PublicSitemap):
    """The pages of sections, tags or authors, each last modified when one of its stories
    last changed: read from their stored stats (articles.listings), one row each, instead
    of a subquery over the archive per row."""

    kind: str
    # Lists without a public story have no page worth crawling.
    only_with_stories = True

    def rows(self):
        raise NotImplementedError

    @cached_property
    def _listed(self) -> list:
        rows = list(self.rows())
        stats = listing_stats(self.kind, [row.pk for row in rows])
        for row in rows:
            row.lastmod = stats[row.pk].last_updated
        if self.only_with_stories:
            rows = [row for row in rows if stats[row.pk].published]
        return rows

    def items(self):
        return self._listed

    def lastmod(self, row):
        return row.lastmod


class SectionSitemap(ListingSitemap):
    kind = ListingStats.Kind.SECTION
    only_with_stories = False

    def rows(self):
        return Category.objects.order_by("pk")


class AuthorSitemap(ListingSitemap):
    kind = ListingStats.Kind.AUTHOR

    def rows(self):
        return Author.objects.order_by("pk")


class TagSitemap(ListingSitemap):
    kind = ListingStats.Kind.TAG

    def rows(self):
        return Tag.objects.order_by("pk")

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})


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
