"""The front page's "top rated" ranks the recent stories, as most read does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.top_rated import top_rated_recent
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def rated(stars_sum: int, count: int, *, days_ago: int):
    return ArticleFactory(
        rating_sum=stars_sum,
        rating_count=count,
        published_at=timezone.now() - timedelta(days=days_ago, hours=1),
    )


def test_a_story_older_than_the_window_leaves_the_chart(settings):
    settings.TOP_RATED_DAYS = 30
    recent = rated(4 * 10, 10, days_ago=2)
    old_favourite = rated(5 * 50, 50, days_ago=31)

    chart = top_rated_recent()

    assert recent in chart
    assert old_favourite not in chart


def test_the_window_follows_the_setting(settings):
    settings.TOP_RATED_DAYS = 60
    old_favourite = rated(5 * 50, 50, days_ago=31)

    assert top_rated_recent() == [old_favourite]
