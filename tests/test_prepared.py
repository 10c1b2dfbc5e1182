"""core.prepared: a statement compiled once, run with each request's values."""

import pytest
from django.db import connection

from articles.models import Article
from core.prepared import prepare
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


def test_an_article_without_polls_costs_one_statement(django_assert_num_queries):
    article = ArticleFactory()
    with django_assert_num_queries(1):
        assert Poll.objects.for_article(article) == []
