"""sitemap.xml (an index of articles, sections, authors and tags) and a Google News sitemap."""

from datetime import date, datetime
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemaps_views
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.http import RFC3986_SUBDELIMS, http_date
from django.views.decorators.http import require_safe
from taggit.models import Tag

from accounts.models import Author
from articles.listings import listing_stats, site_stats
from articles.models import Article, Category, ListingStats, article_path, day_and_slug
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

    def page_rows(self, page) -> list[tuple[str, datetime]]:
        """Page `page`'s (address, last change) pairs, four columns a row, read from
        where the page starts. Django's own page builds a model, a reverse() and a dict
        per story, then a template loop, and reads the last page with an OFFSET past
        every older story: ~850 ms for a full page of 5,000 at 100k stories, and a
        sequential scan and sort for the last one."""
        stories = Article.objects.published()
        paginator = KnownCountPaginator(stories, self.limit, count=self._site.published)
        skipped = (paginator.validate_number(page) - 1) * self.limit
        oldest_first = stories.order_by("published_at", "id")
        if skipped:
            # Only the index is read to find the page's first story (an index-only scan).
            start = oldest_first.values_list("published_at", "id")[skipped : skipped + 1]
            if not start:
                raise EmptyPage(f"Page {page} empty")
            oldest_first = stories.from_position(*start[0])
        columns = oldest_first.values_list("slug", "publish_date", "published_at", "updated_at")
        path = story_path_writer()
        return [
            (site_url(path(day or timezone.localdate(at), slug)), updated_at)
            for slug, day, at, updated_at in columns[: self.limit]
        ]


# A day and slug no real address shares with the rest of its path.
MARKER_DAY, MARKER_SLUG = date(1987, 6, 5), "sitemap-marker"


def story_path_writer():
    """`article_path`, reversed once: the address around a marker day and slug, filled
    in per story (quoted as reverse() quotes). Where the address is not shaped
    year/month/day/slug, every story is reversed after all."""
    marker = article_path(MARKER_DAY, MARKER_SLUG)
    parts = marker.split(day_and_slug(MARKER_DAY, MARKER_SLUG))
    if len(parts) != 2:
        return article_path
    head, tail = parts
    safe = RFC3986_SUBDELIMS + "/~:@"
    return lambda day, slug: f"{head}{day_and_slug(day, quote(slug, safe=safe))}{tail}"


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
URLSET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
URLSET_CLOSE = "\n</urlset>\n"


@sitemaps_views.x_robots_tag
def articles_page(request, sitemap: ArticleSitemap) -> HttpResponse:
    """One page of the articles sitemap, byte for byte what Django's view and template
    write (tests.test_sitemaps compares them), from `ArticleSitemap.page_rows`."""
    page = request.GET.get("p", 1)
    try:
        rows = sitemap.page_rows(page)
    except EmptyPage:
        raise Http404(f"Page {page} empty") from None
    except PageNotAnInteger:
        raise Http404(f"No page '{page}'") from None
    urls = "".join(
        f"<url><loc>{escape(loc)}</loc><lastmod>{timezone.localdate(changed):%Y-%m-%d}</lastmod></url>"
        for loc, changed in rows
    )
    response = HttpResponse(URLSET_OPEN + urls + URLSET_CLOSE, content_type="application/xml")
    if rows:
        response.headers["Last-Modified"] = http_date(
            max(changed for _, changed in rows).timestamp()
        )
    return response


def sitemap_page(request, sitemaps, section=None, **kwargs):
    if section in sitemaps and issubclass(sitemaps[section], ArticleSitemap):
        return articles_page(request, sitemaps[section]())
    return sitemaps_views.sitemap(request, sitemaps, section, **kwargs)


section = require_safe(cache_shared(600, page_params=("p",), keys=(SITEMAP_KEY,))(sitemap_page))


@require_safe
@cache_shared(300, keys=(SITEMAP_KEY,))
def news(request):
    language = settings.LANGUAGE_CODE.split("-")[0]
    response = sitemaps_views.sitemap(
        request, {"news": NewsSitemap}, template_name="articles/news_sitemap.xml"
    )
    response.context_data.update(publication_name=settings.SITE_NAME, language=language)
    return response
