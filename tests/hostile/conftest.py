"""Fixtures of the hostile-input sweeps."""

import pytest

from newsletter.models import Subscriber
from newsletter.tokens import manage_token
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CommentFactory,
    PollFactory,
    UserFactory,
)


@pytest.fixture
def world(db):
    """One of everything a page or an action can point at."""
    section = CategoryFactory(name="Politics", slug="politics")
    author = AuthorFactory(slug="jo-writer")
    article = ArticleFactory(category=section, authors=[author])
    article.tags.add("budget")
    commenter = UserFactory()
    comment = CommentFactory(article=article, user=commenter)
    poll = PollFactory(article=article, question="Raise the tax?", answers=["a", "b"])
    subscriber = Subscriber.objects.create(email="reader@example.com", status="confirmed")
    return {
        "subscriber": subscriber,
        "manage_token": manage_token(subscriber),
        "section": section,
        "author": author,
        "article": article,
        "comment": comment,
        "commenter": commenter,
        "poll": poll,
        "choice": poll.choices.get(position=0),
        "other_article": ArticleFactory(category=section),
    }


@pytest.fixture(params=["anonymous", "reader"])
def visitor(request, client, world):
    if request.param != "anonymous":
        client.force_login(UserFactory())
    return client


@pytest.fixture
def no_limits(settings):
    settings.RATELIMIT_ENABLE = False
    settings.ACCOUNT_RATE_LIMITS = False
