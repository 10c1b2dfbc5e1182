"""The article page's story, read with one statement that the ORM builds once per process.

Building and compiling `Article.objects.for_reading()` (a join, four JSON arrays, two
row-comparison subqueries) costs the ORM several milliseconds of CPU, yet every reader's
request makes the same SQL with three other values: the day, the slug and the time the
stories are public as of. So it is compiled once, with marker values in their places, and
each request runs that SQL with its own values and turns the row into what the ORM would
have made of it (the article with its section and annotations), as `ModelIterable` does.
"""

import copy
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connections, router
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from articles.models import Article
from core.prepared import Prepared, planned_once_cursor, prepare

# Values no request can send, so each is found in the compiled parameters.
_DAY = date(1, 2, 3)
_SLUG = "\x00story-slug"
_NOW = datetime(1, 1, 1, 0, 0, 0, 7, tzinfo=UTC)


@dataclass(frozen=True)
class _Statement:
    prepared: Prepared  # the SQL, and where each request's own values go
    compiler: SQLCompiler  # what the row's columns are: select, klass_info, annotations
    converters: dict
    init_list: list
    fields: slice
    populators: list


@functools.cache
def _statement(alias: str) -> _Statement:
    stories = Article.objects.using(alias).published(_NOW).for_reading(_NOW)
    compiler = stories.filter(publish_date=_DAY, slug=_SLUG).query.get_compiler(alias)
    prepared = prepare(compiler, (_DAY, _SLUG, _NOW))  # compiling fills in klass_info
    select_fields = compiler.klass_info["select_fields"]
    fields = slice(select_fields[0], select_fields[-1] + 1)
    return _Statement(
        prepared=prepared,
        compiler=compiler,
        converters=compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]]),
        init_list=[column[0].target.attname for column in compiler.select[fields]],
        fields=fields,
        populators=get_related_populators(compiler.klass_info, compiler.select, alias),
    )


def public_story(*, day: date, slug: str, alias: str | None = None) -> Article | None:
    """The public story of that day and slug, as `Article.objects.published()
    .for_reading().get(publish_date=day, slug=slug)` gives it; None if there is none.
    Read where the ORM would read it (the database router: a replica when there is one)."""
    alias = alias or router.db_for_read(Article)
    statement = _statement(alias)
    params = statement.prepared.params_for({_DAY: day, _SLUG: slug, _NOW: timezone.now()})
    compiler = copy.copy(statement.compiler)
    compiler.connection = connections[alias]
    with planned_once_cursor(compiler.connection) as cursor:
        cursor.execute(statement.prepared.sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    if statement.converters:
        rows = list(compiler.apply_converters(rows, statement.converters))
    return _article(compiler, statement, rows[0], alias)


def _article(compiler: SQLCompiler, statement: _Statement, row, alias: str) -> Article:
    article = Article.from_db(alias, statement.init_list, row[statement.fields])
    for populator in statement.populators:
        populator.populate(row, article)
    for name, position in compiler.annotation_col_map.items():
        setattr(article, name, row[position])
    return article
