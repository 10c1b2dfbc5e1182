"""A small fixed-window rate limiter on Django's cache (Redis in production).

Use it as a decorator on action views::

    @require_POST
    @ratelimit(scope="comments", limit=5, period=60)
    def comment_create(request, ...): ...

A view whose refusal must say more (the comment form gives the reader their text back)
passes its own `refused(request, retry_after, *args, **kwargs)`. Stacked decorators count
in order, outermost first, and stop at the first scope that is over its limit.

Counters are shared by every web node through the cache; increments are atomic
(`cache.add` creates the window's counter, `cache.incr` bumps it). Addresses are hashed
with the secret key before they become part of a cache key: no raw IP is stored.

Settings:

- ``RATELIMIT_ENABLE`` switches every limit off, e.g. for load tests.
- ``RATELIMITS`` maps a scope to ``(limit, period)`` to override a view's numbers
  without a code change, e.g. ``{"ratings": (60, 60)}``.
- The client address comes from ``core.client`` (``CLIENT_IP_HEADER`` behind a proxy).

Without the cache (Redis away) nothing can be counted and every limit is off: readers and
editors keep working. `cache_answers()` tells callers that must say so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from core.client import client_ip
from core.responses import action_refused

KeyFunc = Callable[[HttpRequest], str]
Refused = Callable[..., HttpResponse]


def ip_hash(request: HttpRequest) -> str:
    """A keyed hash of the client address: stable per address, useless if leaked."""
    # The salt keeps its old module name: counters in a running cache stay valid.
    return salted_hmac("newsportal.ratelimit.ip", client_ip(request)).hexdigest()[:32]


def _identity(request: HttpRequest, key: str | KeyFunc) -> str:
    if callable(key):
        return key(request)
    if key == "ip":
        # Asked first, before the user: reading request.user loads the session, and the
        # answer would then vary on the cookie (the content API's are the same for all).
        return f"ip{ip_hash(request)}"
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if key == "user":
        return f"u{user.pk}" if signed_in else "anon"
    if key == "user_or_ip":
        return f"u{user.pk}" if signed_in else f"ip{ip_hash(request)}"
    raise ValueError(f"Unknown rate-limit key {key!r}")


def _limits(scope: str, limit: int, period: int) -> tuple[int, int]:
    return settings.RATELIMITS.get(scope, (limit, period))


def hit(
    request: HttpRequest, *, scope: str, limit: int, period: int, key: str | KeyFunc = "user_or_ip"
) -> tuple[bool, int]:
    """Count one attempt; return (over the limit?, seconds until the window resets)."""
    if not settings.RATELIMIT_ENABLE:
        return False, 0
    limit, period = _limits(scope, limit, period)
    now = time.time()
    window = int(now // period)
    cache_key = f"rl:{scope}:{_identity(request, key)}:{window}"
    # add() is a no-op when the counter exists, so concurrent first hits cannot reset it.
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The window's key expired between add() and incr(): this is its first hit.
        cache.add(cache_key, 1, timeout=period + 1)
        count = 1
    retry_after = max(1, int((window + 1) * period - now))
    return count > limit, retry_after


def cache_answers() -> bool:
    """Whether the cache that holds every limiter's counts answers now (Redis may be away)."""
    token = time.monotonic_ns()
    cache.set("rl:probe", token, timeout=60)
    return cache.get("rl:probe") == token


def ratelimited_response(request: HttpRequest, retry_after: int | None = None) -> HttpResponse:
    """HTTP 429: a full page, or the refusal fragment for htmx requests.

    Also the project's handler429, which allauth calls for its own limits.
    """
    message = _("You are doing that too often. Please wait a moment and try again.")
    response = action_refused(
        request, message, status=429, template="429.html", context={"retry_after": retry_after}
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def ratelimit(
    *,
    scope: str,
    limit: int,
    period: int,
    key: str | KeyFunc = "user_or_ip",
    methods: tuple[str, ...] = ("POST",),
    refused: Refused | None = None,
):
    """Decorate a view so that more than `limit` requests per `period` seconds get a 429.

    `refused(request, retry_after, *args, **kwargs)` builds the answer instead of
    ratelimited_response.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                over, retry_after = hit(request, scope=scope, limit=limit, period=period, key=key)
                if over:
                    if refused is not None:
                        return refused(request, retry_after, *args, **kwargs)
                    return ratelimited_response(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
