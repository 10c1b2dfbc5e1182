"""core.prepared: a statement compiled once, run with each request's values."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from articles.models import Article
from core.prepared import planned_once_cursor, prepare
from polls.models import Poll
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

MARKER = -424_242


def prepared(queryset, markers):
    return prepare(queryset.query.get_compiler(queryset.db), markers)


def test_each_request_runs_the_compiled_sql_with_its_own_values():
    wanted, other = ArticleFactory(), ArticleFactory()
    statement = prepared(Article.objects.filter(pk=MARKER).values_list("pk"), (MARKER,))
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params_for({MARKER: wanted.pk}))
        assert cursor.fetchall() == [(wanted.pk,)]
        cursor.execute(statement.sql, statement.params_for({MARKER: other.pk}))
        assert cursor.fetchall() == [(other.pk,)]


def test_a_marker_the_sql_does_not_carry_as_a_parameter_is_refused():
    with pytest.raises(AssertionError, match="marker"):
        prepared(Article.objects.filter(pk=1), (MARKER,))


def test_a_marker_in_two_places_takes_the_value_in_both():
    wanted = ArticleFactory()
    ArticleFactory()
    between = Article.objects.filter(pk__gte=MARKER, pk__lte=MARKER).values_list("pk")
    statement = prepared(between, (MARKER,))
    assert len(statement.slots) == 2
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params_for({MARKER: wanted.pk}))
        assert cursor.fetchall() == [(wanted.pk,)]


def test_only_the_markers_stay_parameters_and_every_other_value_is_written_in():
    wanted = ArticleFactory(title="Rents up 50% in a year", status=Article.Status.PUBLISHED)
    ArticleFactory(title="Rents up 5 in a year")
    query = Article.objects.filter(
        pk__gte=MARKER, title__contains="50%", status=Article.Status.PUBLISHED
    ).values_list("pk")
    statement = prepared(query, (MARKER,))
    assert statement.params == (MARKER,)  # not the pattern, not the status
    assert "'published'" in statement.sql
    with connection.cursor() as cursor:  # a literal's own % must not read as a placeholder
        cursor.execute(statement.sql, statement.params_for({MARKER: 0}))
        assert cursor.fetchall() == [(wanted.pk,)]


def test_an_article_without_polls_costs_one_statement(django_assert_num_queries):
    article = ArticleFactory()
    with django_assert_num_queries(1):
        assert Poll.objects.for_article(article) == []


# planned_once_cursor: statements PostgreSQL prepares once per connection ------------------


def statements_prepared(sql_start: str) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            [sql_start + "%"],
        )
        return cursor.fetchall()


def run_planned(sql, params):
    with planned_once_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


SQL = "SELECT id, published_at FROM articles_article WHERE id = %s /* planned-once test */"


def test_a_planned_once_statement_is_prepared_once_and_reused(django_assert_num_queries):
    first, second = ArticleFactory(), ArticleFactory()
    with django_assert_num_queries(3):  # counted and logged as Django's own
        for article in (first, second, first):
            rows = run_planned(SQL, [article.pk])
            assert rows == [(article.pk, article.published_at)]  # an aware datetime
    [(generic, custom)] = statements_prepared("SELECT id, published_at FROM articles_article")
    assert generic + custom == 3


def test_without_a_prepare_threshold_nothing_is_prepared(monkeypatch):
    """DATABASE_POOLED: behind PgBouncer in transaction mode a statement prepared on one
    server connection is unknown on the next."""
    article = ArticleFactory()
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    assert run_planned(SQL, [article.pk]) == [(article.pk, article.published_at)]
    assert statements_prepared("SELECT id, published_at FROM articles_article") == []


@pytest.mark.parametrize("pooled, threshold", [("0", "2147483647"), ("1", "None")])
def test_the_settings_prepare_nothing_behind_a_pooler(pooled, threshold):
    script = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS'].get('prepare_threshold'))"
    )
    environment = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "1",
        "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused",
        "DJANGO_SETTINGS_MODULE": "newsportal.settings",
        "DATABASE_POOLED": pooled,
    }
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == threshold
