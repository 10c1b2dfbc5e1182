"""Related stories for the article page.

One query ranks the candidates: stories an editor pinned, then stories sharing the most
tags, then stories from the same section, then the most recent. The result is cached per
article for a few minutes; a newly published story shows up in sidebars after that.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from taggit.models import TaggedItem

from articles.models import Article

# How many recent stories (site-wide and in the section) may fill the list when there are
# too few pinned and tag-sharing ones; keeps the ranking query small on a big archive.
RECENT_POOL = 20
# Of the stories sharing a tag, only the newest this many are ranked: on a large archive a
# common tag is on thousands of stories, and the reader wants recent ones anyway.
TAG_POOL = 300


def cache_key(article_id: int, limit: int) -> str:
    return f"articles:related-stories:{article_id}:{limit}"


def related_articles(article: Article, *, limit: int = 5) -> "RelatedStories":
    """Up to ``limit`` published stories related to ``article``, best first, cached."""
    key = cache_key(article.pk, limit)
    found = cache.get(key)
    if found is None:
        stories = list(_ranked(article, limit))
        related = RelatedStories(version(stories), [story.pk for story in stories], stories)
        cache.set(key, (related.version, related.ids), settings.RELATED_CACHE_SECONDS)
        return related
    return RelatedStories(*found)


def version(articles: list[Article]) -> tuple:
    """What the related stories' cards show, for the key of their cached piece."""
    return tuple(
        (a.pk, a.updated_at.isoformat(), a.category_id and (a.category.name, a.category.slug))
        for a in articles
    )


class RelatedStories:
    """A story's related stories: what their cards show (`version`, the key of the sidebar's
    piece) and, read only when that piece is rendered, the stories themselves. The cache
    keeps the first two, a few tuples, where it kept the stories as pickled models, which
    every rendered article page unpickled to render a piece it already had."""

    def __init__(self, version: tuple, ids: list[int], stories: list[Article] | None = None):
        self.version = version
        self.ids = ids
        self._stories = stories

    @property
    def stories(self) -> list[Article]:
        if self._stories is None:
            found = (
                Article.objects.published()
                .filter(pk__in=self.ids)
                .defer("body", "search_vector")
                .select_related("category")
                .in_bulk()
            )
            self._stories = [found[pk] for pk in self.ids if pk in found]
        return self._stories

    def __iter__(self):
        return iter(self.stories)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        return self.stories[index]

    def __eq__(self, other) -> bool:
        if isinstance(other, RelatedStories):
            return (self.version, self.ids) == (other.version, other.ids)
        return NotImplemented

    __hash__ = None


def _ranked(article: Article, limit: int):
    content_type = ContentType.objects.get_for_model(Article)  # cached by Django
    tagged = TaggedItem.objects.filter(content_type=content_type)
    own_tags = tagged.filter(object_id=article.pk).values("tag_id")
    shared_tags = (
        tagged.filter(object_id=OuterRef("pk"), tag_id__in=own_tags)
        .values("object_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    pinned = Article.pinned_related.through.objects.filter(
        from_article_id=article.pk, to_article_id=OuterRef("pk")
    )
    published = Article.objects.published().exclude(pk=article.pk)
    # The candidates, as one UNION of small id lists, so the ranking below only ever looks
    # at a few hundred rows however big the archive is.
    candidates = (
        Article.pinned_related.through.objects.filter(from_article_id=article.pk)
        .values_list("to_article_id", flat=True)
        .union(
            tagged.filter(tag_id__in=own_tags)
            .order_by("-object_id")
            .values_list("object_id", flat=True)[:TAG_POOL],
            published.order_by("-published_at").values_list("pk", flat=True)[:RECENT_POOL],
            published.filter(category_id=article.category_id)
            .order_by("-published_at")
            .values_list("pk", flat=True)[:RECENT_POOL],
        )
    )
    return (
        published.filter(pk__in=candidates)
        # Cards show neither.
        .defer("body", "search_vector")
        .select_related("category")
        .annotate(
            is_pinned=Exists(pinned),
            shared_tags=Coalesce(Subquery(shared_tags, output_field=IntegerField()), Value(0)),
            same_section=Case(
                When(category_id=article.category_id, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("-is_pinned", "-shared_tags", "-same_section", "-published_at", "-id")[:limit]
    )
