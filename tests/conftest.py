import pytest
from django.core.cache import cache, caches

from accounts import roles
from articles.page_copies import page_copies
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CommentFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing with the real PBKDF2 makes every log-in in a test cost ~0.3 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    # The cache outlives a test's database transaction; a stale entry would leak between tests.
    # (Rendered pieces are keyed by what they show, so only the memory is freed there.)
    cache.clear()
    caches["template_fragments"].clear()
    page_copies.forget()
    yield
    cache.clear()
    page_copies.forget()


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


@pytest.fixture(autouse=True)
def _views_written_during_the_request(settings):
    # Production batches views in a thread (VIEW_WRITE_BEHIND_MS); tests that want the
    # write-behind turn it on themselves, the rest see each view in the buffer at once.
    settings.VIEW_WRITE_BEHIND_MS = 0
    # Nor does a fold timer move counts under a test's feet: tests fold when they mean to.
    settings.VIEW_FOLD_INTERVAL = 0


@pytest.fixture
def regular(db, article):
    """A reader with an approved comment behind them: new comments go straight through."""
    user = UserFactory()
    CommentFactory(article=ArticleFactory(), user=user)
    return user
