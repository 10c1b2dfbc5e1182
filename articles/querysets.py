"""The reads of articles and sections: what is public, in which order, with what joined.

Every public page, feed, sitemap and template tag starts from `Article.objects.published()`.
"""

from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Subquery, Value
from django.db.models.functions import Cast, JSONObject
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.urls import reverse
from django.utils import timezone

from accounts import roles

ALL_SECTIONS_CACHE_KEY = "articles:section-links"

# What the article page shows of each gallery picture and correction (`for_reading`).
GALLERY_FIELDS = ("id", "image", "width", "height", "renditions", "alt", "caption", "credit")
CORRECTION_FIELDS = ("id", "kind", "note", "noted_at")


class CategoryQuerySet(models.QuerySet):
    def links(self) -> list["SectionLink"]:
        """These sections as the menu and the footer show them, with their addresses."""
        return [
            SectionLink(name, slug, in_nav, reverse("articles:section", kwargs={"slug": slug}))
            for name, slug, in_nav in self.values_list("name", "slug", "show_in_nav")
        ]


class CategoryManager(models.Manager.from_queryset(CategoryQuerySet)):
    def directory(self) -> list["SectionLink"]:
        """Every section (name, slug, address, whether it is in the menu), for the footer's
        list and the menu: one query, cached, with the addresses worked out once. A
        manager's method: every page reads it, and a hit builds no queryset."""
        sections = cache.get(ALL_SECTIONS_CACHE_KEY)
        if sections is None:
            sections = self.get_queryset().links()
            cache.set(ALL_SECTIONS_CACHE_KEY, sections, 300)
        return sections


class SectionLink(NamedTuple):
    """A section as the menu and the footer show it. Every page reads the list from the
    cache: plain tuples unpickle in a fraction of what the rows as dicts took."""

    name: str
    slug: str
    show_in_nav: bool
    url: str

    # The text of the list is the key of the menu's and the footer's pieces: a plain
    # tuple's (written in C), not the field names' one by one.
    __repr__ = tuple.__repr__


def _fields_json(names) -> JSONObject:
    return JSONObject(**{name: name for name in names})


def _row(*expressions) -> Func:
    return Func(*expressions, function="ROW", output_field=models.Field())


def _reading_position(article) -> Func:
    """(published_at, id): the order stories are read in, ties broken by id."""
    return _position(article.published_at, article.pk)


def _position(published_at, pk) -> Func:
    return _row(Value(published_at, output_field=models.DateTimeField()), Value(pk))


# What other apps show with a story on its page, read in the story's own statement:
# attribute name -> a function making the expression (a subquery on OuterRef("pk")).
_story_extras: dict = {}


def story_extra(name: str, expression) -> None:
    """Read `expression()` with every story read for its page (`for_reading`), as the
    story's attribute `name`: for an app that shows something under every story (the
    polls), so the page asks the database once. Called from the app's `ready()`."""
    _story_extras[name] = expression


class ArticleQuerySet(models.QuerySet):
    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        """Years or months of `published_at`, from two index lookups (its first and last
        value) rather than a DISTINCT over every row: the desk's date hierarchy asks this
        on each view of the article list. A newsroom publishes every month, so every
        year and month between the first and the last story has some."""
        if field_name != "published_at" or kind not in ("year", "month"):
            return super().datetimes(field_name, kind, order, tzinfo)
        bounds = self.aggregate(first=models.Min(field_name), last=models.Max(field_name))
        if bounds["first"] is None:
            return []
        first, last = (timezone.localtime(bounds[end], tzinfo) for end in ("first", "last"))
        if kind == "year":
            starts = [(year, 1) for year in range(first.year, last.year + 1)]
        else:
            months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
            starts = [divmod(month, 12) for month in months]
            starts = [(year, month + 1) for year, month in starts]
        moments = [
            first.replace(year=y, month=m, day=1, hour=0, minute=0, second=0, microsecond=0)
            for y, m in starts
        ]
        return moments if order == "ASC" else moments[::-1]

    def published(self, at=None):
        """The one definition of "visible to the public": now, or as of `at` (a preview)."""
        at = timezone.now() if at is None else at
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=at)

    def in_section(self, category):
        return self.filter(category=category)

    def before(self, article):
        """Stories published before `article`, newest first.

        A row comparison, which the (status, published_at, id) index answers with one range
        scan; the equivalent OR of two conditions walks the index from the newest story.
        """
        position = _row(F("published_at"), F("id"))
        return self.filter(LessThan(position, _reading_position(article))).order_by(
            "-published_at", "-id"
        )

    def after(self, article):
        """Stories published after `article`, oldest first (see `before`)."""
        position = _row(F("published_at"), F("id"))
        return self.filter(GreaterThan(position, _reading_position(article))).order_by(
            "published_at", "id"
        )

    def from_position(self, published_at, pk):
        """Stories at or after the reading position (published_at, pk), oldest first:
        one range scan of the (status, published_at, id) index, wherever it starts."""
        position = _row(F("published_at"), F("id"))
        return self.filter(GreaterThanOrEqual(position, _position(published_at, pk))).order_by(
            "published_at", "id"
        )

    def for_reading(self, at=None):
        """The story for its own page, in one query: section, credited authors and tags
        (JSON arrays, `byline_rows` and `tag_rows`), the gallery and the corrections
        (`gallery_rows`, `correction_rows`), the stories read before and after it
        (`previous_row`, `next_row`: JSON objects or None, public as of `at`), each an
        index lookup, and what other apps show with it (`story_extra`).
        `articles.views.article_context` turns them into objects for the templates;
        `articles.reading` runs this SQL without building it each time."""
        pictures = _related(self, "gallery").filter(article=OuterRef("pk"))
        link = JSONObject(id="id", title="title", slug="slug", publish_date="publish_date")
        position = _row(F("published_at"), F("id"))
        outer = _row(OuterRef("published_at"), OuterRef("id"))
        published = self.model.objects.published(at).values(json=link)
        # The search vector is as big as the body and the page never shows it.
        return (
            self.select_related("category")
            .defer("search_vector")
            .annotate(
                **_story_lists(self),
                gallery_rows=ArraySubquery(
                    pictures.order_by("position", "id").values(json=_fields_json(GALLERY_FIELDS))
                ),
                previous_row=Subquery(
                    published.filter(LessThan(position, outer)).order_by("-published_at", "-id")[
                        :1
                    ]
                ),
                next_row=Subquery(
                    published.filter(GreaterThan(position, outer)).order_by("published_at", "id")[
                        :1
                    ]
                ),
                **{name: make() for name, make in _story_extras.items()},
            )
        )

    def for_feed(self):
        """Stories for a feed, in one query: the section, and the bylines, tags and
        corrections as JSON arrays (`byline_rows`, `tag_rows`, `correction_rows`, as
        `for_reading` gives them). Prefetched, they built a queryset per story (taggit's
        thirty times over): most of a rendered feed's time."""
        return (
            self.select_related("category").defer("search_vector").annotate(**_story_lists(self))
        )

    def tagged(self, tag):
        """Articles tagged `tag`, as a semi-join (EXISTS) on taggit's unique index: a list
        newest first then walks the date index and stops at its page (2 ms for the largest
        tag's first page at 100,000 articles), where the plain join (`tags=tag`) read and
        sorted every story of the tag (53 ms)."""
        from django.contrib.contenttypes.models import ContentType
        from taggit.models import TaggedItem

        items = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=OuterRef("pk"),
            tag=tag,
        )
        return self.filter(Exists(items))

    def by_author(self, author):
        """Articles on which `author` has a byline.

        A semi-join on the author's bylines, which the planner answers from the byline
        index and the primary key; the plain join (bylines__author) made it read every
        story to count an author's page. Inside a subquery on authors, pass
        OuterRef(OuterRef("pk")): the bylines are one query further in.
        """
        bylines = _bylines(self).filter(author=author).values("article_id")
        return self.filter(pk__in=bylines)

    def card_versions(self) -> list[tuple]:
        """What each of these stories' cards shows, for the key of their cached piece:
        (id, update time, section name and slug, byline as [{id, name, slug}]), in one
        query of small columns. A page of cards whose piece is cached then builds no
        article, no section and no byline objects; only a miss reads the stories."""
        return list(
            self.prefetch_related(None).values_list(
                "pk", "updated_at", "category__name", "category__slug", _byline_rows(self)
            )
        )

    def with_bylines(self):
        """Section and credited authors in order, planned here so cards never query."""
        bylines = _bylines(self).select_related("author").order_by("position", "id")
        return self.select_related("category").prefetch_related(
            models.Prefetch("bylines", queryset=bylines)
        )

    def editable_by(self, user):
        """Every article for editors; an author's own bylined articles; nothing for others."""
        if roles.is_editor(user):
            return self
        author = roles.author_for(user)
        if author is None:
            return self.none()
        return self.by_author(author)

    def viewable_by(self, user):
        """What a reader may open: the public articles plus, for staff, what they may edit."""
        if not getattr(user, "is_staff", False):
            return self.published()
        return self.filter(
            models.Q(pk__in=self.published().values("pk"))
            | models.Q(pk__in=self.editable_by(user).values("pk"))
        )

    def top_rated(self, *, prior_weight: float):
        """The rated articles by their Bayesian average rating, best first.

        score = (C × m + rating_sum) / (C + rating_count), with m the mean rating over
        these articles and C = `prior_weight`: every article starts as if it had C votes
        at the mean, so one 5-star vote moves an article only a little above the crowd,
        and many good votes are needed to top the chart. Each article carries
        `bayesian_rating`. The mean is a window over the same rows: one query.
        """
        as_float = models.FloatField()
        stars = Cast(models.Window(models.Sum("rating_sum")), as_float)
        votes = Cast(models.Window(models.Sum("rating_count")), as_float)
        weight = Value(float(prior_weight))
        score = (weight * stars / votes + Cast("rating_sum", as_float)) / (
            weight + Cast("rating_count", as_float)
        )
        return (
            self.filter(rating_count__gt=0)
            .annotate(bayesian_rating=score)
            .order_by("-bayesian_rating", "-rating_count", "-published_at", "-id")
        )


def _story_lists(articles: models.QuerySet) -> dict:
    """A story's byline, tags (in the order they were added, as `article.tags.all()`
    gives them) and corrections, each a JSON array read by one index lookup."""
    from taggit.models import TaggedItem

    tagged = TaggedItem.objects.filter(
        content_type__app_label="articles",
        content_type__model="article",
        object_id=OuterRef("pk"),
    ).order_by("id")
    notes = _related(articles, "corrections").filter(article=OuterRef("pk"))
    return {
        "byline_rows": _byline_rows(articles),
        "tag_rows": ArraySubquery(
            tagged.values(json=JSONObject(id="tag_id", name="tag__name", slug="tag__slug"))
        ),
        "correction_rows": ArraySubquery(
            notes.order_by("noted_at", "id").values(json=_fields_json(CORRECTION_FIELDS))
        ),
    }


def _byline_rows(articles: models.QuerySet) -> ArraySubquery:
    """A story's credited authors in order, as a JSON array of {id, name, slug}."""
    bylines = _bylines(articles).filter(article=OuterRef("pk")).order_by("position", "id")
    return ArraySubquery(
        bylines.values(json=JSONObject(id="author_id", name="author__name", slug="author__slug"))
    )


def _bylines(articles: models.QuerySet) -> models.QuerySet:
    return _related(articles, "bylines")


def _related(articles: models.QuerySet, name: str) -> models.QuerySet:
    # A model reached through the relation: it is defined after these querysets.
    return articles.model._meta.get_field(name).related_model.objects
