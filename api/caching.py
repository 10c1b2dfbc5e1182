"""Rate limits, the shared cache, ETags and 304s for every answer of the API.

Like the pages (articles/page_cache.py), an answer is kept in the cache with the content
version it was made under; the newsroom's every change purges the pages, and with them
that version (CONTENT_VERSION_KEY), so no copy made before the change is served after it.
Counts (views, ratings, comments) are not purged for, as on the pages: they are at most
API_CACHE_SECONDS late. The ETag is a digest of the body, so a 304 means exactly "what you
hold is still what we would send"; a hit answers it without touching the database.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)

from articles.page_cache import CONTENT_KEY, CONTENT_VERSION_KEY, version_start
from core.purge import surrogate_keys_set
from core.ratelimit import hit, ratelimited_response

# Requests per address per minute, before a 429 (RATELIMITS="api=600/60" to change it).
RATE_LIMIT = 120
RATE_PERIOD = 60


def answer_key(request) -> str:
    raw = f"{translation.get_language()}|{request.get_full_path()}"
    return "api:" + hashlib.sha256(raw.encode()).hexdigest()


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _public(request, response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    # A proxy keeps API answers too: every purge of the pages drops them there as well.
    surrogate_keys_set(response, [CONTENT_KEY])
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
    return get_conditional_response(request, etag=etag, response=response) or response


def api_cached(view):
    """Wrap an API operation: count the address, then answer from the cache or the view.

    Only a 200 is kept; refusals and errors are marked never to be stored by anyone."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        over, retry_after = hit(
            request, scope="api", limit=RATE_LIMIT, period=RATE_PERIOD, key="ip"
        )
        if over:
            response = ratelimited_response(request, retry_after)
            add_never_cache_headers(response)
            return response
        key = answer_key(request)
        found = cache.get_many([key, CONTENT_VERSION_KEY])
        version, entry = found.get(CONTENT_VERSION_KEY), found.get(key)
        if entry is not None and version is not None and entry["version"] == version:
            response = HttpResponse(entry["content"], content_type=entry["content_type"])
            return _public(request, response, entry["etag"])
        response = view(request, *args, **kwargs)
        if response.status_code != 200:
            add_never_cache_headers(response)
            return response
        etag = etag_of(response.content)
        entry = {
            "content": response.content,
            "content_type": response["Content-Type"],
            "etag": etag,
            "version": version or version_start(CONTENT_VERSION_KEY),
        }
        cache.set(key, entry, settings.API_CACHE_SECONDS)
        return _public(request, response, etag)

    return wrapper
