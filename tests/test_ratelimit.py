import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core.ratelimit import hit, ip_hash, ratelimit
from newsportal.settings import env_limits
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_request(method="post", user=None, ip="203.0.113.7", htmx=False, **meta):
    request = getattr(RequestFactory(), method)("/action/", REMOTE_ADDR=ip, **meta)
    if htmx:
        request.META["HTTP_HX_REQUEST"] = "true"
    request.htmx = HtmxDetails(request)
    request.user = user or AnonymousUser()
    return request


@ratelimit(scope="test-action", limit=3, period=3600)
def action(request):
    return HttpResponse("done")


def test_requests_under_the_limit_pass_and_the_next_one_gets_429():
    statuses = [action(make_request()).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_429_page_explains_itself_and_says_when_to_retry():
    for _ in range(3):
        action(make_request())
    response = action(make_request())
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    body = response.content.decode()
    assert "<html" in body
    assert "too often" in body


def test_an_htmx_request_gets_a_small_fragment_not_a_page():
    for _ in range(3):
        action(make_request(htmx=True))
    response = action(make_request(htmx=True))
    assert response.status_code == 429
    body = response.content.decode()
    assert "<html" not in body
    assert 'role="alert"' in body
    assert "too often" in body


def test_signed_in_users_are_counted_separately_from_each_other_and_from_their_address():
    alice, bob = UserFactory(), UserFactory()
    for _ in range(3):
        assert action(make_request(user=alice)).status_code == 200
    assert action(make_request(user=alice)).status_code == 429
    assert action(make_request(user=bob)).status_code == 200
    assert action(make_request()).status_code == 200


def test_anonymous_clients_are_counted_per_address():
    for _ in range(3):
        action(make_request(ip="198.51.100.1"))
    assert action(make_request(ip="198.51.100.1")).status_code == 429
    assert action(make_request(ip="198.51.100.2")).status_code == 200


def test_a_view_can_give_its_own_refusal():
    def too_often(request, retry_after, **kwargs):
        return HttpResponse(f"slow down on {kwargs['pk']}", status=429)

    @ratelimit(scope="own-refusal", limit=1, period=3600, refused=too_often)
    def own(request, pk):
        return HttpResponse("done")

    assert own(make_request(), pk=7).status_code == 200
    refused = own(make_request(), pk=7)
    assert (refused.status_code, refused.content) == (429, b"slow down on 7")


def test_stacked_limits_stop_counting_at_the_first_one_over():
    @ratelimit(scope="outer", limit=1, period=3600)
    @ratelimit(scope="inner", limit=5, period=3600)
    def stacked(request):
        return HttpResponse("done")

    for _ in range(3):
        stacked(make_request())
    # The inner scope counted only the one request the outer one let through.
    assert not over_limit(make_request(), scope="inner", limit=2)
    assert over_limit(make_request(), scope="inner", limit=2)


def test_get_requests_are_not_counted_by_default():
    for _ in range(5):
        assert action(make_request(method="get")).status_code == 200
    assert action(make_request()).status_code == 200


def cache_keys() -> list[str]:
    """Every key in the cache, from locmem's dict or from Redis (REDIS_URL set)."""
    if hasattr(cache._cache, "keys"):
        return list(cache._cache.keys())
    client = cache._cache.get_client()
    return [key.decode() for key in client.keys("*")]


def over_limit(request, **kwargs) -> bool:
    return hit(request, period=3600, **kwargs)[0]


def test_hit_says_when_the_window_resets():
    over, retry_after = hit(make_request(), scope="window", limit=5, period=60)
    assert not over
    assert 1 <= retry_after <= 60


def test_the_raw_address_never_reaches_the_cache():
    over_limit(make_request(ip="192.0.2.55"), scope="s", limit=5, key="ip")
    keys = cache_keys()
    assert keys
    assert not any("192.0.2.55" in key for key in keys)
    assert any(ip_hash(make_request(ip="192.0.2.55")) in key for key in keys)


def test_the_limit_of_a_scope_can_be_changed_in_settings(settings):
    settings.RATELIMITS = {"test-action": (1, 3600)}
    assert action(make_request()).status_code == 200
    assert action(make_request()).status_code == 429


def test_without_the_variable_no_limit_is_overridden():
    assert env_limits("NO_SUCH_VARIABLE") == {}


def test_the_environment_format_names_requests_and_seconds_per_scope(monkeypatch):
    monkeypatch.setenv("TEST_RATELIMITS", "ratings=60/60, comments-ip=40/600")
    assert env_limits("TEST_RATELIMITS") == {"ratings": (60, 60), "comments-ip": (40, 600)}


def test_the_limiter_can_be_switched_off(settings):
    settings.RATELIMIT_ENABLE = False
    assert all(action(make_request()).status_code == 200 for _ in range(10))


def test_the_forwarded_header_uses_the_proxys_entry_not_the_clients(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    for spoof in ["1.1.1.1", "2.2.2.2", "3.3.3.3"]:
        request = make_request(HTTP_X_FORWARDED_FOR=f"{spoof}, 198.51.100.9")
        assert not over_limit(request, scope="xff", limit=3, key="ip")
    request = make_request(HTTP_X_FORWARDED_FOR="4.4.4.4, 198.51.100.9")
    assert over_limit(request, scope="xff", limit=3, key="ip")


def test_an_unknown_key_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown rate-limit key"):
        over_limit(make_request(), scope="s", limit=1, key="cookie")


def test_concurrent_hits_are_all_counted():
    request = make_request(ip="192.0.2.99")
    results = []

    def worker():
        results.append(over_limit(request, scope="race", limit=30, key="ip"))

    threads = [threading.Thread(target=worker) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 10
