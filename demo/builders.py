"""Article rows written in bulk, without save(), held to the rules save() and publishing
apply. seed_demo builds its site with these; the test factories share the byline rule.
"""

from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone
from taggit.models import TaggedItem

from articles.models import Article, ArticleAuthor
from articles.sanitize import reading_time, sanitize_html
from articles.services import article_check_publishable


def article_row(**fields) -> Article:
    """An unsaved Article for bulk_create, with what save() would fill in: the sanitised
    body, its reading time and the publish date.

    A published (or scheduled) row must meet the publish rules, as article_publish would
    have it: raises ArticleNotPublishable otherwise. Image fields are taken as given (a
    stored picture with its renditions), since save() would re-encode the file.
    """
    article = Article(**fields)
    article.body = sanitize_html(article.body)
    article.reading_time = reading_time(article.body)
    article.publish_date = (
        timezone.localdate(article.published_at) if article.published_at else None
    )
    if article.status == Article.Status.PUBLISHED:
        article_check_publishable(article=article)
    return article


def byline_rows(article: Article, authors: Iterable) -> list[ArticleAuthor]:
    """The byline of `article`: its authors in the order given."""
    return [
        ArticleAuthor(article=article, author=author, position=position)
        for position, author in enumerate(authors)
    ]


def tag_rows(article: Article, tags: Iterable, content_type) -> list[TaggedItem]:
    return [TaggedItem(content_type=content_type, object_id=article.pk, tag=tag) for tag in tags]


def articles_mark_unedited(articles: Iterable[Article]) -> int:
    """Date the articles' creation and last change at their publish time, so their pages
    show no "Updated" line. Done after the insert: `updated_at` is auto_now and an INSERT
    through the ORM always stamps it with the current time."""
    pks = [article.pk for article in articles]
    return Article.objects.filter(pk__in=pks).update(
        created_at=F("published_at"), updated_at=F("published_at")
    )
