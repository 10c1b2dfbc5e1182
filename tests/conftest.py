import pytest
from django.core.cache import cache

from accounts import roles
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CommentFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _clear_cache():
    # The cache outlives a test's database transaction; a stale entry would leak between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def reader_client(client, user):
    """The test client, logged in as `user`: a reader with no newsroom role."""
    client.force_login(user)
    return client


@pytest.fixture
def editor(db):
    return roles.role_assign(user=UserFactory(), role=roles.EDITOR)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def author(db):
    return AuthorFactory()


@pytest.fixture
def section(db):
    return CategoryFactory(name="Politics", slug="politics")


@pytest.fixture
def article(db, section, author):
    return ArticleFactory(category=section, authors=[author])


@pytest.fixture
def regular(db, article):
    """A reader with an approved comment behind them: new comments go straight through."""
    user = UserFactory()
    CommentFactory(article=ArticleFactory(), user=user)
    return user
