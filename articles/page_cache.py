"""Keys of the anonymous readers' page cache, and purging them when the newsroom changes
an article, so a correction or a closed comment thread shows at once, not after the TTL."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from articles.models import Category

# The front page's per-section blocks, cached on their own for as long as the pages.
SECTION_BLOCKS_KEY = "articles:front-section-blocks"


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
