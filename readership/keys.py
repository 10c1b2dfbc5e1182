"""Reader keys: the same for one reader and article all day, and revealing neither.

The key is an HMAC of the secret key, the day, and either the user id or the client IP
and user agent, plus the article: no IP address is stored, the key changes every day so
it cannot follow anyone, and no cookie is set. The address key (address, article and
minute, no user agent) bounds how many new readers one address can add.
"""

import hmac
from datetime import date, datetime
from functools import lru_cache
from hashlib import sha256

from django.conf import settings
from django.http import HttpRequest

from core.client import client_ip


@lru_cache(maxsize=4)
def _hmac_key(secret_key: str) -> bytes:
    return f"newsportal.views:{secret_key}".encode()


def reader_key(request: HttpRequest, article_id: int, day: date) -> str:
    """A key that is the same for one reader and article all day, and reveals neither."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    else:
        who = f"anon:{client_ip(request)}:{request.META.get('HTTP_USER_AGENT', '')}"
    message = f"{day.isoformat()}|{who}|{article_id}".encode()
    # 128 bits tell readers apart as well as 256 would, in half the index.
    return hmac.new(_hmac_key(settings.SECRET_KEY), message, sha256).hexdigest()[:32]


def address_key(request: HttpRequest, article_id: int, at: datetime) -> str:
    """The anonymous reader's address, article and minute, hashed; "" when not bounded.

    Logged-in readers are not bounded by their address: each is an account, counted once.
    """
    user = getattr(request, "user", None)
    if not settings.VIEW_READERS_PER_ADDRESS or (user is not None and user.is_authenticated):
        return ""
    minute = int(at.timestamp() // 60)
    message = f"address|{client_ip(request)}|{article_id}|{minute}".encode()
    digest = hmac.new(_hmac_key(settings.SECRET_KEY), message, sha256).hexdigest()[:32]
    # The minute stays readable so a store can give the count a lifetime.
    return f"{digest}:{minute}"
