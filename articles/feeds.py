"""RSS 2.0 and Atom feeds for the whole site, each section, each tag and each author."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views import View
from taggit.models import Tag

from accounts.models import Author
from articles.models import Article, Category, Correction
from articles.page_cache import FEED_KEY, PublicPageCacheMixin
from articles.sitemaps import site_url

FEED_SIZE = 30


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


class FeedView(PublicPageCacheMixin, View):
    """A feed served like the pages: one shared copy, answered by the page cache's
    middleware before any other middleware (feed readers poll often), and purged with the
    lists it repeats (articles.page_cache.article_pages_purge names the feeds' paths)."""

    http_method_names = ["get", "head"]
    feed: Feed | None = None

    def get(self, request, *args, **kwargs):
        return self.feed(request, *args, **kwargs)

    def surrogate_keys(self):
        return (FEED_KEY,)


def feed_view(feed: type[Feed]):
    return FeedView.as_view(feed=feed())


class LatestArticlesFeed(Feed):
    def title(self, obj):
        return f"{obj.name} | {settings.SITE_NAME}" if obj else settings.SITE_NAME

    def link(self, obj):
        return site_url(obj.get_absolute_url() if obj else reverse("frontpage:home"))

    def get_feed(self, obj, request):
        # Every address in a feed is on SITE_URL, like the pages' canonical links.
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = site_url(request.path)
        return feed

    def description(self, obj):
        return _("The latest stories from %(site)s.") % {"site": settings.SITE_NAME}

    def filter_articles(self, articles, obj):
        return articles

    def items(self, obj):
        articles = self.filter_articles(Article.objects.published(), obj)
        return articles.for_feed()[:FEED_SIZE]

    def item_link(self, item):
        return site_url(item.get_absolute_url())

    # A tag URI that survives a change of slug or domain, so readers never see a story twice.
    item_guid_is_permalink = False

    def item_guid(self, item):
        host = urlsplit(settings.SITE_URL).hostname
        return f"tag:{host},{item.created_at:%Y-%m-%d}:article:{item.pk}"

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        summary = item.seo_description or item.standfirst
        summary = summary or Truncator(strip_tags(item.body)).words(60)
        # Feed readers keep the entry they fetched first: the notes tell them what changed.
        notes = [
            f"{note.get_kind_display()} ({_day(note.noted_at)}): {note.note}"
            for note in map(Correction.from_row, item.correction_rows)
        ]
        return "\n\n".join([summary, *notes])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.modified_at

    def item_author_name(self, item):
        return ", ".join(byline["name"] for byline in item.byline_rows) or None

    def item_categories(self, item):
        section = [item.category.name] if item.category else []
        return section + sorted(tag["name"] for tag in item.tag_rows)


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return Category.objects.get(slug=slug)

    def description(self, obj):
        return obj.description or _("The latest stories in %(section)s.") % {"section": obj.name}

    def filter_articles(self, articles, obj):
        return articles.in_section(obj)


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return Tag.objects.get(slug=slug)

    def link(self, obj):
        return site_url(reverse("articles:tag", kwargs={"slug": obj.slug}))

    def description(self, obj):
        return _("The latest stories tagged “%(tag)s”.") % {"tag": obj.name}

    def filter_articles(self, articles, obj):
        return articles.tagged(obj)


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return Author.objects.get(slug=slug)

    def description(self, obj):
        return _("The latest stories by %(author)s.") % {"author": obj.name}

    def filter_articles(self, articles, obj):
        return articles.by_author(obj)


class AtomMixin:
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)


class LatestArticlesAtomFeed(AtomMixin, LatestArticlesFeed):
    pass


class SectionAtomFeed(AtomMixin, SectionFeed):
    pass


class TagAtomFeed(AtomMixin, TagFeed):
    pass


class AuthorAtomFeed(AtomMixin, AuthorFeed):
    pass
