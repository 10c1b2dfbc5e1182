"""Keys of the anonymous readers' page cache, and purging them when the newsroom changes
an article, so a correction or a closed comment thread shows at once, not after the TTL."""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.views.decorators.cache import cache_page

from articles.models import Category

# The front page's per-section blocks, cached on their own for as long as the pages.
SECTION_BLOCKS_KEY = "articles:front-section-blocks"


def canonical_query(request, page_params=()) -> bool:
    """Whether the query string names a page that can be shared from the cache.

    Only the listed page parameters may appear, each once and written as the paginator
    writes it (digits, no leading zero, from 2 up): anything else is rendered for that
    request alone, so made-up query strings cannot fill the cache with copies of a page.
    """
    for name, values in request.GET.lists():
        if name not in page_params or len(values) != 1:
            return False
        value = values[0]
        if not (value.isascii() and value.isdigit()) or value.startswith("0") or value == "1":
            return False
    return True


def cache_shared(seconds: int, *, page_params=()):
    """Django's cache_page, for canonical addresses only (see canonical_query)."""

    def decorator(view):
        cached = cache_page(seconds)(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if canonical_query(request, page_params):
                return cached(request, *args, **kwargs)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def page_key(path: str, page: str, language: str) -> str:
    raw = f"{language}|{path}|{page}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def article_pages_purge(*articles) -> None:
    """Drop the cached pages that show `articles`: their own, the front page, their sections'
    and the front page's section blocks, once the change is committed.

    Purging before the commit would let a request in between cache the old data again.
    """
    paths = {reverse("articles:home"), *(article.get_absolute_url() for article in articles)}
    section_ids = {article.category_id for article in articles if article.category_id}
    paths.update(
        section.get_absolute_url() for section in Category.objects.filter(pk__in=section_ids)
    )
    keys = [page_key(path, "", code) for path in paths for code, _name in settings.LANGUAGES]
    keys.append(SECTION_BLOCKS_KEY)
    transaction.on_commit(lambda: cache.delete_many(keys))
