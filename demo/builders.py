"""Article rows written in bulk, without save(), held to the rules save() and publishing
apply. seed_demo builds its site with these; the test factories share the byline rule.
"""

from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils import timezone

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


def ids_reserve(model, count: int) -> list[int]:
    """`count` new primary keys from the sequence of `model`'s table: rows written with
    COPY, which returns nothing, know their ids beforehand (replies their threads')."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def rows_copy(model, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write `rows`, each the values of `columns`, into `model`'s table with one COPY: no
    INSERT statement to build and no model instance per row. The columns not named get
    their field's default, and the primary key the next id of its sequence.

    Nothing is filled in as save() or bulk_create() would (auto_now dates included)."""
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    rest = [f for f in fields if f.column not in columns and not f.primary_key]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in [*columns, *(f.column for f in rest)])
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((*row, *defaults))


def articles_copy(articles: list[Article], *, now) -> None:
    """Write `articles` (from article_row) with one COPY, their ids taken first. They
    were created and last changed when they were published, so their pages show no
    "Updated" line: an INSERT through the ORM would stamp `updated_at` with now."""
    for article, pk in zip(articles, ids_reserve(Article, len(articles)), strict=True):
        article.pk = pk
        article.created_at = article.updated_at = article.published_at or now
    fields = [f for f in Article._meta.concrete_fields if not f.generated]
    rows_copy(
        Article,
        [f.column for f in fields],
        (
            [f.get_db_prep_save(getattr(article, f.attname), connection) for f in fields]
            for article in articles
        ),
    )
