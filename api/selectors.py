"""What the API reads: published stories only, one page at a time, keyset-ordered.

Every story list starts from `Article.objects.published()`; every query is planned here
(bylines, section, tags), so serialising a page never asks the database again.
"""

from datetime import datetime
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from taggit.models import Tag, TaggedItem

from accounts.models import Author
from articles.models import Article, ArticleAuthor, Category


class Position(NamedTuple):
    """Where a page of stories starts: after the story with this publish time and id.

    Shaped like an article for `ArticleQuerySet.before`, whose row comparison the
    (status, published_at, id) index answers with one range scan."""

    published_at: datetime
    pk: int


class ArticleFilters(NamedTuple):
    section: str | None = None
    tag: str | None = None
    author: str | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None


def public_articles() -> QuerySet:
    """Published stories with everything the API shows of them planned in."""
    return Article.objects.published().with_bylines().prefetch_related("tags")


def articles_page(filters: ArticleFilters, *, after: Position | None, limit: int) -> list:
    """Up to `limit` + 1 stories, newest first, after `after`: the extra one says whether
    a next page exists."""
    articles = public_articles()
    if filters.section:
        articles = articles.filter(category__slug=filters.section)
    if filters.tag:
        articles = articles.filter(tags__slug=filters.tag)
    if filters.author:
        bylines = ArticleAuthor.objects.filter(author__slug=filters.author)
        articles = articles.filter(pk__in=bylines.values("article_id"))
    if filters.published_after:
        articles = articles.filter(published_at__gte=filters.published_after)
    if filters.published_before:
        articles = articles.filter(published_at__lt=filters.published_before)
    if after is not None:
        articles = articles.before(after)
    return list(articles.order_by("-published_at", "-id")[: limit + 1])


def article_find(pk: int) -> Article | None:
    return public_articles().filter(pk=pk).first()


def sections() -> list[Category]:
    """Every section in menu order: a handful, so never paginated."""
    return list(Category.objects.order_by("position", "name", "id"))


def authors_page(*, after: str | None, limit: int) -> list[Author]:
    """Authors by slug (unique and indexed), `limit` + 1 of them after `after`."""
    authors = Author.objects.order_by("slug")
    if after is not None:
        authors = authors.filter(slug__gt=after)
    return list(authors[: limit + 1])


def tags_page(*, after: str | None, limit: int) -> list[Tag]:
    """Tags on at least one published story, by slug, `limit` + 1 after `after`.

    A tag only drafts carry would tell of a story not yet public, so it is left out."""
    article_type = ContentType.objects.get_for_model(Article)
    on_public = TaggedItem.objects.filter(
        content_type=article_type,
        object_id__in=Article.objects.published().values("pk"),
    ).values("tag_id")
    tags = Tag.objects.filter(pk__in=on_public).order_by("slug")
    if after is not None:
        tags = tags.filter(slug__gt=after)
    return list(tags[: limit + 1])
