"""Keys of the anonymous readers' page cache, and purging them when the newsroom changes
an article, so a correction or a closed comment thread shows at once, not after the TTL."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

# The front page's per-section blocks, cached on their own for as long as the pages.
SECTION_BLOCKS_KEY = "articles:front-section-blocks"


def page_key(path: str, page: str, language: str) -> str:
    raw = f"{language}|{path}|{page}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def pages_purge(*paths: str, extra_keys: tuple[str, ...] = ()) -> None:
    """Drop the cached first page of each path, in every language, once the data is committed.

    Purging before the commit would let a request in between cache the old data again.
    """
    keys = [page_key(path, "", code) for path in paths for code, _name in settings.LANGUAGES]
    keys.extend(extra_keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def article_pages_purge(article) -> None:
    """Drop the cached pages that show `article`: its own, the front page and its section's."""
    paths = [article.get_absolute_url(), reverse("articles:home")]
    if article.category_id:
        paths.append(article.category.get_absolute_url())
    pages_purge(*paths, extra_keys=(SECTION_BLOCKS_KEY,))
