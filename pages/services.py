"""Saving and deleting pages: each change drops the cached page and the footer's links."""

from django.core.cache import cache
from django.db import transaction

from articles.page_cache import pages_purge
from pages.models import Page
from pages.selectors import FOOTER_KEY


def _purge(*paths: str) -> None:
    pages_purge(paths)
    transaction.on_commit(lambda: cache.delete(FOOTER_KEY))


@transaction.atomic
def page_save(*, page: Page, old_path: str | None = None) -> Page:
    """Save `page` (new or changed). `old_path`, its address before a slug change, is purged
    too. Raises ValidationError for a slug the site already answers."""
    page.full_clean()
    page.save()
    _purge(*filter(None, [page.get_absolute_url(), old_path]))
    return page


@transaction.atomic
def page_delete(*, page: Page) -> None:
    path = page.get_absolute_url()
    page.delete()
    _purge(path)
