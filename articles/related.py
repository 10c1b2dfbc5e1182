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
from django.utils import translation
from taggit.models import TaggedItem

from articles.models import Article

# How many recent stories (site-wide and in the section) may fill the list when there are
# too few pinned and tag-sharing ones; keeps the ranking query small on a big archive.
RECENT_POOL = 20
# Of the stories sharing a tag, only the newest this many are ranked: on a large archive a
# common tag is on thousands of stories, and the reader wants recent ones anyway.
TAG_POOL = 300


def cache_key(article_id: int, limit: int) -> str:
    return f"articles:related:{article_id}:{limit}"


def related_articles(article: Article, *, limit: int = 5) -> list[Article]:
    """Up to ``limit`` published stories related to ``article``, best first, cached."""
    key = cache_key(article.pk, limit)
    related = cache.get(key)
    if related is None:
        related = list(_ranked(article, limit))
        cache.set(key, related, settings.RELATED_CACHE_SECONDS)
    return related


def version(articles: list[Article]) -> tuple:
    """What the related stories' cards show, for the key of their cached piece."""
    cards = tuple(
        (a.pk, a.updated_at.isoformat(), a.category_id and (a.category.name, a.category.slug))
        for a in articles
    )
    return (translation.get_language(), cards)


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
        # Cards show neither; every article page unpickles the cached list.
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
