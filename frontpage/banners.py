"""The breaking-news banner as pages read it: from the cache, never a query per page."""

from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from frontpage.models import Banner

BANNERS_KEY = "frontpage:banners"


def live_banners() -> list[dict]:
    """The banners still to be shown, newest first.

    Kept in the cache until a change deletes them (frontpage.services.banners_changed);
    each carries its expiry and `current_banner` drops the expired ones itself, so a
    banner is gone at its time without anyone touching it."""
    banners = cache.get(BANNERS_KEY)
    if banners is None:
        live = Banner.objects.filter(is_shown=True, expires_at__gt=timezone.now())
        try:
            banners = list(live.values("text", "link", "expires_at"))
        except DatabaseError:
            # The error and outage pages still render; the banner waits for the database.
            return []
        cache.set(BANNERS_KEY, banners, None)
    return banners


def current_banner() -> dict | None:
    now = timezone.now()
    return next((b for b in live_banners() if b["expires_at"] > now), None)
