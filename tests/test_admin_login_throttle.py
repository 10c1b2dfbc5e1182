"""The admin's log-in is throttled by the site's own limiter (allauth's "login_failed" rates
in ACCOUNT_RATE_LIMITS, one count for both log-in pages): per address first, then per
account. A refused attempt is a 429 on the admin's log-in page and checks no password; one
address can never lock an account, and a lockout ends with its window."""

import time
from types import SimpleNamespace

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.servers import redis_server  # noqa: F401 (a fixture)
from tests.test_redis_outage import redis_cache  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
STRANGER = "203.0.113.66"
NEWSROOM = "198.51.100.10"


def rate(per: str):
    """The default rate of the one definition, so the tests follow its numbers."""
    rates = allauth_ratelimit.parse_rates(settings.ACCOUNT_RATE_LIMITS["login_failed"])
    (found,) = [r for r in rates if r.per == per]
    return found


@pytest.fixture
def editor_user(db):
    return UserFactory(username="editor", email="editor@example.com", is_staff=True)


@pytest.fixture
def clock(monkeypatch):
    """allauth's limiter reads the time through this; tests move it on instead of waiting."""
    now = [time.time()]
    fake = SimpleNamespace(time=lambda: now[0], monotonic=time.monotonic, sleep=time.sleep)
    monkeypatch.setattr(allauth_ratelimit, "time", fake)
    return now


@pytest.fixture
def failed_checks():
    """How many times a password was actually checked and found wrong."""
    seen = []

    def count(**kwargs):
        seen.append(kwargs)

    user_login_failed.connect(count)
    yield seen
    user_login_failed.disconnect(count)


def admin_login(username: str, password: str, address: str, client: Client | None = None):
    client = client or Client()
    response = client.post(
        ADMIN_LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )
    return response, client


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_hundred_wrong_passwords_from_one_address_then_the_right_one_is_a_429(
    editor_user, failed_checks
):
    statuses = [admin_login("editor", f"guess{n}", STRANGER)[0].status_code for n in range(100)]
    allowed = rate("ip").amount
    assert statuses == [200] * allowed + [429] * (100 - allowed)
    # The refused 90 were never checked against the password.
    assert len(failed_checks) == allowed
    response, client = admin_login("editor", PASSWORD, STRANGER)
    assert response.status_code == 429
    assert not logged_in(client)
    assert len(failed_checks) == allowed


def test_the_refusal_is_the_admins_log_in_page_with_a_clear_message(editor_user):
    for n in range(rate("ip").amount):
        admin_login("editor", f"guess{n}", STRANGER)
    response, _client = admin_login("editor", "guess", STRANGER)
    assert response.status_code == 429
    assert "admin/login.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Too many failed login attempts. Try again later." in html
    assert 'name="password"' in html  # the form is still there, to try again later


def test_a_stranger_at_one_address_cannot_lock_an_editor_out(editor_user):
    for n in range(3 * rate("ip").amount):
        admin_login("editor", f"guess{n}", STRANGER)
    response, client = admin_login("editor", PASSWORD, NEWSROOM)
    assert response.status_code == 302
    assert logged_in(client)


def test_a_locked_address_is_refused_for_every_account(editor_user):
    UserFactory(username="other", is_staff=True)
    for n in range(rate("ip").amount):
        admin_login("editor", f"guess{n}", STRANGER)
    assert admin_login("other", PASSWORD, STRANGER)[0].status_code == 429


def test_failures_from_many_addresses_lock_the_account_until_its_window_ends(
    editor_user, clock, failed_checks
):
    key = rate("key")
    for n in range(key.amount):
        assert (
            admin_login("editor", "guess", f"10.0.{n // 250}.{n % 250 + 1}")[0].status_code == 200
        )
    response, client = admin_login("editor", PASSWORD, NEWSROOM)
    assert response.status_code == 429
    assert not logged_in(client)
    assert len(failed_checks) == key.amount

    clock[0] += key.duration + 1
    response, client = admin_login("editor", PASSWORD, NEWSROOM)
    assert response.status_code == 302
    assert logged_in(client)


def test_a_locked_address_logs_in_again_after_its_window(editor_user, clock):
    for n in range(rate("ip").amount):
        admin_login("editor", f"guess{n}", STRANGER)
    assert admin_login("editor", PASSWORD, STRANGER)[0].status_code == 429
    clock[0] += rate("ip").duration + 1
    response, client = admin_login("editor", PASSWORD, STRANGER)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_site_log_in_and_the_admin_log_in_share_one_count(editor_user):
    site = Client()
    for n in range(rate("ip").amount):
        site.post(
            reverse("account_login"),
            {"login": "editor", "password": f"g{n}"},
            REMOTE_ADDR=STRANGER,
        )
    assert admin_login("editor", PASSWORD, STRANGER)[0].status_code == 429


def test_successful_log_ins_are_not_counted(editor_user):
    for _ in range(rate("ip").amount + 1):
        response, client = admin_login("editor", PASSWORD, NEWSROOM)
        assert response.status_code == 302
    assert logged_in(client)


def test_a_non_staff_account_with_the_right_password_is_still_told_no(client):
    UserFactory(username="reader")
    response, client = admin_login("reader", PASSWORD, NEWSROOM)
    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    assert not logged_in(client)


def test_throttling_can_be_switched_off_for_load_tests(editor_user, settings):
    attempts = rate("ip").amount + rate("key").amount
    settings.ACCOUNT_RATE_LIMITS = False
    for n in range(attempts):
        admin_login("editor", f"guess{n}", STRANGER)
    assert admin_login("editor", PASSWORD, STRANGER)[0].status_code == 302


def test_editors_can_still_log_in_to_the_admin_while_redis_is_down(
    editor_user,
    redis_cache,  # noqa: F811 (the fixture)
    caplog,
):
    # allauth's limiter cannot take its lock without the cache: it refused every log-in for
    # the whole outage. Like every other limit, the throttle is off instead (and says so).
    for n in range(rate("ip").amount):
        admin_login("editor", f"guess{n}", STRANGER)
    assert admin_login("editor", PASSWORD, STRANGER)[0].status_code == 429
    redis_cache.kill()
    response, client = admin_login("editor", PASSWORD, STRANGER)
    assert response.status_code == 302
    assert logged_in(client)
    assert "Log-in throttling is off" in caplog.text
