"""The reader-facing pages: front page, article, section, tag, author and date archives."""

from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import Max, Min
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.generic import (
    ArchiveIndexView,
    DateDetailView,
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from accounts.models import Author
from articles import reading, related
from articles.listings import listing_count
from articles.models import Article, Category, Correction, GalleryImage, ListingStats
from articles.page_cache import ARCHIVE_KEY, PublicPageCacheMixin, surrogate_key
from articles.paginators import KnownCountPaginator


class ShownArticle(NamedTuple):
    """What the article page showed, set on its response as `shown_article`.

    Whoever counts readers (readership's middleware) reads it there, so this app needs to
    know nothing about counting.
    """

    pk: int
    published_at: datetime

    @property
    def is_public(self) -> bool:
        # Set only on a public story's page (or its cached copy): the time is checked again.
        return self.published_at is not None and self.published_at <= timezone.now()


class PublishedArticlesMixin:
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().with_bylines()


class CardGridMixin:
    """A list page whose cards (templates/includes/card_grid.html) are one cached piece,
    keyed by what they show: each story's update time, section and byline, the page. The
    key comes from a query of those columns alone (`card_versions`): the stories
    themselves are read only when the piece has to be rendered."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        # Not `page and ...`: a page's truth is its length, which would read the stories.
        pages = (page.number, page.paginator.num_pages) if page is not None else None
        cards = tuple(context["object_list"].card_versions())
        context["cards_version"] = (translation.get_language(), pages, cards)
        return context


class ArticleDetailView(PublicPageCacheMixin, PublishedArticlesMixin, DateDetailView):
    # Named, so the date lookup does not build the (costly) queryset a second time to ask.
    model = Article
    date_field = "publish_date"
    month_format = "%m"
    day_format = "%d"
    # published() already decides what is public; scheduled stories are 404 through it.
    allow_future = True
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.viewable_by(self.request.user).for_reading()

    def get_object(self, queryset=None):
        if self.request.user.is_staff:  # and so may see what is not public yet
            return super().get_object(queryset)
        kwargs = self.kwargs
        try:
            # As DateDetailView reads it (1 and 01 alike); only the date is used.
            when = f"{kwargs['year']}-{kwargs['month']}-{kwargs['day']}"
            day = datetime.strptime(when, "%Y-%m-%d").date()  # noqa: DTZ007
        except ValueError:
            raise Http404(_("No article found.")) from None
        article = reading.public_story(day=day, slug=kwargs["slug"])
        if article is None:
            raise Http404(_("No article found."))
        return article

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.object.is_addressed_by(request.path):
            # /2026/1/7/... finds the same story as /2026/01/07/...; one address per story.
            canonical = self.object.get_absolute_url()
            query = request.META.get("QUERY_STRING")
            return redirect(f"{canonical}?{query}" if query else canonical, permanent=True)
        response = self.render_to_response(self.get_context_data(object=self.object))
        if self.object.is_public:
            response.shown_article = ShownArticle(self.object.pk, self.object.published_at)
        return response

    def cache_extra(self) -> dict:
        return {"article_id": self.object.pk, "published_at": self.object.published_at}

    def surrogate_keys(self):
        return (surrogate_key("article", self.object.pk),)

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
        return editable.for_reading()

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
    """What the article page shows around the story itself (`article` from
    `Article.objects.for_reading()`: no further query but the cached related stories).

    The bylines, tags and previous and next stories are shown only inside the page's
    cached pieces, so they are made into objects only when a piece is rendered."""
    related_articles = related.related_articles(article, limit=5)
    context = {
        "is_preview": not article.is_public,
        "authors": SimpleLazyObject(lambda: _bylines(article.byline_rows)),
        "tags": SimpleLazyObject(lambda: _tags(article.tag_rows)),
        "gallery": [GalleryImage(**row) for row in article.gallery_rows],
        "corrections": [Correction.from_row(row) for row in article.correction_rows],
        "related_articles": related_articles,
        "related_version": related_articles.version,
        "previous_article": SimpleLazyObject(lambda: _story_link(article.previous_row)),
        "next_article": SimpleLazyObject(lambda: _story_link(article.next_row)),
        # Only an editorial edit counts (not comments closed or an import re-run), and a
        # typo fixed right after publishing is not an "update" worth showing.
        "show_updated": bool(
            article.published_at
            and article.modified_at - article.published_at > timedelta(minutes=10)
        ),
    }
    context["story_version"] = story_version(article, context)
    return context


def _bylines(rows: list[dict]) -> list[Author]:
    return [Author(pk=row["id"], name=row["name"], slug=row["slug"]) for row in rows]


def _tags(rows: list[dict]) -> list[Tag]:
    return [Tag(pk=row["id"], name=row["name"], slug=row["slug"]) for row in rows]


def _story_link(row: dict | None) -> Article | None:
    """A previous or next story, with what its link needs (title and address)."""
    if row is None:
        return None
    day = date.fromisoformat(row["publish_date"])
    return Article(pk=row["id"], title=row["title"], slug=row["slug"], publish_date=day)


def story_version(article: Article, context: dict) -> tuple:
    """Everything the cached pieces of the story show (`{% piece %}` in article_detail.html),
    from the rows the page has read anyway: an edit (updated_at), a renamed section, author
    or tag, a changed byline or tag list each make a new key. Counters are not in it: the
    page renders them outside the pieces."""
    section = article.category
    return (
        article.pk,
        article.updated_at.isoformat(),
        # A correction moves only this, with an UPDATE of its own (article_mark_edited).
        article.edited_at and article.edited_at.isoformat(),
        article.status,
        context["is_preview"],
        context["show_updated"],
        section and (section.pk, section.name, section.slug),
        tuple((row["id"], row["name"], row["slug"]) for row in article.byline_rows),
        tuple((row["id"], row["name"], row["slug"]) for row in article.tag_rows),
    )


class CorrectionsView(PublicPageCacheMixin, ListView):
    """Every correction and update note on a public story, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = 30

    def get_queryset(self):
        public = Article.objects.published().values("pk")
        return (
            Correction.objects.filter(article__in=public)
            .select_related("article")
            .defer("article__body", "article__search_vector")
            .order_by("-noted_at", "-id")
        )


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


class SectionView(
    ListingMixin, PublicPageCacheMixin, CardGridMixin, PublishedArticlesMixin, ListView
):
    template_name = "articles/section.html"

    listing = ListingStats.Kind.SECTION

    def get_queryset(self):
        self.section = self.listed = get_object_or_404(Category, slug=self.kwargs["slug"])
        return super().get_queryset().in_section(self.section)

    def surrogate_keys(self):
        return (surrogate_key("section", self.section.pk),)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(ListingMixin, PublicPageCacheMixin, CardGridMixin, PublishedArticlesMixin, ListView):
    template_name = "articles/tag.html"

    listing = ListingStats.Kind.TAG

    def get_queryset(self):
        self.tag = self.listed = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().tagged(self.tag)

    def surrogate_keys(self):
        return (surrogate_key("tag", self.tag.pk),)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(
    ListingMixin, PublicPageCacheMixin, CardGridMixin, PublishedArticlesMixin, ListView
):
    template_name = "articles/author.html"

    listing = ListingStats.Kind.AUTHOR

    def get_queryset(self):
        self.author = self.listed = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().by_author(self.author)

    def surrogate_keys(self):
        return (surrogate_key("author", self.author.pk),)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ArchiveMixin(PublicPageCacheMixin, CardGridMixin, PublishedArticlesMixin):
    date_field = "publish_date"
    month_format = "%m"
    day_format = "%d"
    allow_future = True
    template_name = "articles/archive.html"
    context_object_name = "article_list"

    def get_queryset(self):
        # By the day in the address, then the time: the order article_status_day_pub_idx
        # keeps, so a page of a month far back stops after its 20 rows (by published_at
        # alone PostgreSQL walked every newer story first: 48,000 of them at 100k).
        return super().get_queryset().order_by("-publish_date", "-published_at", "-id")

    def surrogate_keys(self):
        return (ARCHIVE_KEY,)

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
