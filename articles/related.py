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
    Q,
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


def _cache_seconds() -> int:
    return getattr(settings, "RELATED_CACHE_SECONDS", 600)


def cache_key(article_id: int, limit: int) -> str:
    return f"articles:related:{article_id}:{limit}"


def related_articles(article: Article, *, limit: int = 5) -> list[Article]:
    """Up to ``limit`` published stories related to ``article``, best first, cached."""
    key = cache_key(article.pk, limit)
    related = cache.get(key)
    if related is None:
        related = list(_ranked(article, limit))
        cache.set(key, related, _cache_seconds())
    return related


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
    candidates = (
        Q(
            pk__in=Article.pinned_related.through.objects.filter(
                from_article_id=article.pk
            ).values("to_article_id")
        )
        | Q(pk__in=tagged.filter(tag_id__in=own_tags).values("object_id"))
        | Q(pk__in=published.values("pk")[:RECENT_POOL])
    )
    if article.category_id:
        candidates |= Q(
            pk__in=published.filter(category_id=article.category_id).values("pk")[:RECENT_POOL]
        )
    return (
        published.filter(candidates)
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
