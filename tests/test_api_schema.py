"""The content API against its own OpenAPI schema, with schemathesis: for generated
parameters of every operation, no 5xx, every status documented, every body as described.

Bounded and derandomized (the same examples every run), so it is repeatable and quick.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from articles.models import Article
from newsportal.wsgi import application
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def wsgi_in_the_test_transaction():
    """Keep the test's connection open across calls, as Django's test client does: the
    WSGI handler would close it at the end of every request, and the test data with it."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def newsroom(db, settings, wsgi_in_the_test_transaction):
    settings.RATELIMIT_ENABLE = False
    section = CategoryFactory(name="Politics", slug="politics")
    writer = AuthorFactory(slug="writer")
    for n in range(3):
        story = ArticleFactory(category=section, authors=[writer])
        story.tags.add(f"Topic {n}")
    ArticleFactory(category=section, status=Article.Status.DRAFT).tags.add("Secret")
    ArticleFactory(category=section, published_at=timezone.now() + timezone.timedelta(days=1))


@schema.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_matches_the_schema(case, newsroom):
    # Any string is a cursor to the schema, but only those the API gave out are accepted
    # (tests/test_api.py tries hostile ones): a made-up cursor's 400 is right.
    made_up_cursor = bool((case.query or {}).get("cursor"))
    case.call_and_validate(excluded_checks=[positive_data_acceptance] if made_up_cursor else [])
