"""Fixtures of the hostile-input sweeps."""

import pytest

from liveblog.services import live_coverage_start, live_entry_post
from newsletter.models import Subscriber
from newsletter.tokens import manage_token
from pages.models import Page
from pages.services import page_save
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
    other = ArticleFactory(category=section)
    live = live_coverage_start(article=other)
    live_entry_post(coverage=live, body="<p>First.</p>")
    page_save(page=Page(title="About us", slug="about", body="<p>Us.</p>"))
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
        "other_article": other,
        "live": live,
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
