"""The reader-facing pages: front page, article, section, tag, author and date archives."""

from datetime import date, datetime, timedelta
from itertools import groupby
from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db.models import Func, Max, Min, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import (
    ArchiveIndexView,
    DateDetailView,
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)
from taggit.models import Tag

from accounts.models import Author
from articles import page_cache, related
from articles.listings import listing_count
from articles.models import Article, Category, ListingStats
from articles.page_cache import PublicPageCacheMixin
from articles.paginators import KnownCountPaginator

SECTION_BLOCK_SIZE = 4
TOP_RATED_KEY = "articles:top-rated"


class ShownArticle(NamedTuple):
    """What the article page showed, set on its response as `shown_article`.

    Whoever counts readers (readership's middleware) reads it there, so this app needs to
    know nothing about counting.
    """

    pk: int
    published_at: datetime


class PublishedArticlesMixin:
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().with_bylines()


class HomeView(PublicPageCacheMixin, PublishedArticlesMixin, TemplateView):
    template_name = "articles/home.html"
    latest_count = 12
    top_count = 4
    top_rated_count = 5

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = self.get_queryset()
        featured = list(published.filter(is_featured=True)[: self.top_count + 1])
        latest = list(published[: self.latest_count + len(featured) + 1])
        lead = featured[0] if featured else (latest[0] if latest else None)
        top = [a for a in featured if a != lead][: self.top_count]
        shown = {a.pk for a in top} | ({lead.pk} if lead else set())
        context.update(
            lead=lead,
            top_stories=top,
            latest=[a for a in latest if a.pk not in shown][: self.latest_count],
            section_blocks=self.section_blocks(),
            top_rated=self.top_rated(),
            meta_description=_("The latest news from %(site)s.") % {"site": settings.SITE_NAME},
        )
        return context

    def section_blocks(self) -> list[tuple[Category, list[Article]]]:
        """The newest few stories of every section, shared by all readers for a minute."""
        blocks = cache.get(page_cache.SECTION_BLOCKS_KEY)
        if blocks is None:
            blocks = self._section_blocks()
            cache.set(page_cache.SECTION_BLOCKS_KEY, blocks, settings.PAGE_CACHE_SECONDS)
        return blocks

    def top_rated(self) -> list[Article]:
        """The best-rated stories of the last TOP_RATED_DAYS, shared for a while.

        A window, like most read: the front page is about the news, and ranking the whole
        archive would read every row of it."""
        articles = cache.get(TOP_RATED_KEY)
        if articles is None:
            since = timezone.now() - timedelta(days=settings.TOP_RATED_DAYS)
            # Headlines and links only: the bulky text columns stay in the database.
            best = (
                Article.objects.published()
                .filter(published_at__gte=since)
                .defer("body", "search_vector")
            )
            weight = settings.TOP_RATED_PRIOR_WEIGHT
            articles = list(best.top_rated(prior_weight=weight)[: self.top_rated_count])
            cache.set(TOP_RATED_KEY, articles, settings.POPULARITY_CACHE_SECONDS)
        return articles

    def _section_blocks(self) -> list[tuple[Category, list[Article]]]:
        # One query however many sections: each section's newest ids, unnested.
        newest = (
            Article.objects.published()
            .filter(category_id=OuterRef("pk"))
            .order_by("-published_at", "-id")
            .values("pk")[:SECTION_BLOCK_SIZE]
        )
        newest_per_section = Category.objects.annotate(
            article_id=Func(ArraySubquery(newest), function="unnest")
        ).values("article_id")
        articles = self.get_queryset().filter(pk__in=newest_per_section)
        articles = sorted(
            articles,
            key=lambda a: (
                a.category.position,
                a.category.name,
                a.category_id,
                -a.published_at.timestamp(),
            ),
        )
        return [
            (section, list(stories))
            for section, stories in groupby(articles, key=lambda a: a.category)
        ]


class ArticleDetailView(PublicPageCacheMixin, PublishedArticlesMixin, DateDetailView):
    date_field = "publish_date"
    month_format = "%m"
    day_format = "%d"
    # published() already decides what is public; scheduled stories are 404 through it.
    allow_future = True
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        base = Article.objects.viewable_by(self.request.user)
        return base.with_bylines().prefetch_related("tags")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if request.path != canonical:
            # /2026/1/7/... finds the same story as /2026/01/07/...; one address per story.
            query = request.META.get("QUERY_STRING")
            return redirect(f"{canonical}?{query}" if query else canonical, permanent=True)
        response = self.render_to_response(self.get_context_data(object=self.object))
        if self.object.is_public:
            response.shown_article = ShownArticle(self.object.pk, self.object.published_at)
        return response

    def cache_extra(self) -> dict:
        return {"article_id": self.object.pk, "published_at": self.object.published_at}

    def cache_hit(self, response, entry: dict) -> None:
        # Readers without JavaScript send no beacon: say what was shown, as the view would.
        response.shown_article = ShownArticle(entry["article_id"], entry["published_at"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(article_context(self.object))
        return context


class ArticlePreviewView(DetailView):
    """Any article, whatever its status, for staff: what it will look like once published."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        if not self.request.user.is_staff:
            raise Http404(_("No article found."))
        editable = Article.objects.editable_by(self.request.user)
        return editable.with_bylines().prefetch_related("tags")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_cache=True)
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(article_context(self.object))
        return context


def article_context(article: Article) -> dict:
    """What the article page shows around the story itself."""
    context = {
        "is_preview": not article.is_public,
        "related_articles": related.related_articles(article, limit=5),
        "previous_article": None,
        "next_article": None,
        # Saving a typo fix right after publishing is not an "update" worth showing.
        "show_updated": bool(
            article.published_at
            and article.updated_at - article.published_at > timedelta(minutes=10)
        ),
    }
    if article.published_at:
        published = Article.objects.published().only(
            "title", "slug", "published_at", "publish_date"
        )
        context["previous_article"] = published.before(article).first()
        context["next_article"] = published.after(article).first()
    return context


class ListingMixin:
    """A section's, tag's or author's pages: cards without the article's text, counted from
    the list's stored stats (articles.listings) instead of counting its stories."""

    listing: str
    listed = None

    def get_queryset(self):
        return super().get_queryset().defer("body", "search_vector")

    def get_paginator(self, queryset, per_page, **kwargs):
        count = listing_count(self.listing, self.listed.pk)
        return KnownCountPaginator(queryset, per_page, count=count, **kwargs)


class SectionView(ListingMixin, PublicPageCacheMixin, PublishedArticlesMixin, ListView):
    template_name = "articles/section.html"

    listing = ListingStats.Kind.SECTION

    def get_queryset(self):
        self.section = self.listed = get_object_or_404(Category, slug=self.kwargs["slug"])
        return super().get_queryset().in_section(self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(ListingMixin, PublicPageCacheMixin, PublishedArticlesMixin, ListView):
    template_name = "articles/tag.html"

    listing = ListingStats.Kind.TAG

    def get_queryset(self):
        self.tag = self.listed = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(ListingMixin, PublicPageCacheMixin, PublishedArticlesMixin, ListView):
    template_name = "articles/author.html"

    listing = ListingStats.Kind.AUTHOR

    def get_queryset(self):
        self.author = self.listed = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().by_author(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ArchiveMixin(PublicPageCacheMixin, PublishedArticlesMixin):
    date_field = "publish_date"
    month_format = "%m"
    day_format = "%d"
    allow_future = True
    template_name = "articles/archive.html"
    context_object_name = "article_list"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context.get("day"):
            title = date_format(context["day"], "j F Y")
        elif context.get("month"):
            title = date_format(context["month"], "F Y")
        elif context.get("year"):
            title = date_format(context["year"], "Y")
        else:
            title = _("All stories")
        context["archive_title"] = title
        return context


class ArticleArchiveIndexView(ArchiveMixin, ArchiveIndexView):
    allow_empty = True
    date_list_period = "year"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # Two index lookups instead of a DISTINCT over the whole archive; a newsroom
        # publishes every year, so every year between the first and last has stories.
        bounds = queryset.aggregate(first=Min("publish_date"), last=Max("publish_date"))
        if bounds["first"] is None:
            return []
        years = [date(year, 1, 1) for year in range(bounds["first"].year, bounds["last"].year + 1)]
        return years if ordering == "ASC" else years[::-1]


class ArticleYearArchiveView(ArchiveMixin, YearArchiveView):
    make_object_list = True


class ArticleMonthArchiveView(ArchiveMixin, MonthArchiveView):
    pass


class ArticleDayArchiveView(ArchiveMixin, DayArchiveView):
    pass
