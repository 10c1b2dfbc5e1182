import pytest
from django.core.cache import cache

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing with the real PBKDF2 makes every log-in in a test cost ~0.3 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
