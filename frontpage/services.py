"""The writes of the curated fronts. Each one purges the pages it shows on at once."""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from articles.page_cache import FRONT_KEY, all_pages_purge, pages_purge, surrogate_key
from frontpage.banners import BANNERS_KEY
from frontpage.models import Zone


def zones_changed(*, zones: Iterable[Zone]) -> None:
    """Purge the pages the zones appear on (a zone, its rule or its pins changed)."""
    zones = list(zones)
    keys = {
        surrogate_key("section", zone.page_id) if zone.page_id else FRONT_KEY for zone in zones
    }
    pages_purge({zone.get_absolute_url() for zone in zones}, keys)


def banners_changed() -> None:
    """A banner was added, changed or removed: every page shows it, so every page goes."""
    transaction.on_commit(lambda: cache.delete(BANNERS_KEY))
    all_pages_purge()
