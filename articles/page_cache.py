"""The anonymous readers' page cache: which addresses share a copy, and purging every copy
of a page when the newsroom changes an article, so a correction or a closed comment thread
shows at once, not after the TTL.

Each cached copy carries its page's version; a page's version key (one per path, whatever
the language or page number) is deleted by a purge, so every copy of that page stops being
served at once, ?page=N included. A hit reads the copy and the version in one round trip.
"""

import hashlib
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.cache import cache_page
from django.views.generic.list import MultipleObjectMixin

from articles.listings import listings_forget
from articles.models import Article, Category

# The front page's per-section blocks, cached on their own for as long as the pages.
SECTION_BLOCKS_KEY = "articles:front-section-blocks"


# Campaign and click tags that links from newsletters and social sites carry: they do not
# change the page, so such a visit shares the copy of the address without them.
SHARED_PARAMS = {"fbclid", "gclid"}
VERSION_SECONDS = 24 * 60 * 60


def canonical_page_number(value: str) -> bool:
    """Digits as the paginator writes them: no sign, no leading zero, from 2 up."""
    return value.isascii() and value.isdigit() and not value.startswith("0") and value != "1"


def canonical_query(request, page_params=()) -> bool:
    """Whether the query string names a page that can be shared from the cache.

    Only the listed page parameters may appear, each once and written as the paginator
    writes it: anything else is rendered for that request alone, so made-up query strings
    cannot fill the cache with copies of a page.
    """
    for name, values in request.GET.lists():
        if name not in page_params or len(values) != 1:
            return False
        if not canonical_page_number(values[0]):
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


def version_key(path: str) -> str:
    return "pagever:" + hashlib.sha256(path.encode()).hexdigest()


def _version_start(key: str) -> str:
    token = uuid.uuid4().hex
    if cache.add(key, token, VERSION_SECONDS):
        return token
    # Another request started the version first: share it.
    return cache.get(key) or token


def pages_purge(paths) -> None:
    """Stop serving every cached copy of `paths` (all languages and page numbers) once the
    change is committed: purging before the commit would let a request in between cache
    the old data again."""
    keys = [version_key(path) for path in paths]
    keys.append(SECTION_BLOCKS_KEY)
    transaction.on_commit(lambda: cache.delete_many(keys))


def article_pages_purge(*articles) -> None:
    """Drop the cached pages that show `articles`: their own, the front page, their
    sections', tags' and authors' pages and the front page's section blocks."""
    paths = {reverse("articles:home"), *(article.get_absolute_url() for article in articles)}
    section_ids = {article.category_id for article in articles if article.category_id}
    paths.update(
        section.get_absolute_url() for section in Category.objects.filter(pk__in=section_ids)
    )
    shown = Article.objects.filter(pk__in=[article.pk for article in articles if article.pk])
    tags = set(shown.values_list("tags__id", "tags__slug").distinct()) - {(None, None)}
    authors = set(shown.values_list("bylines__author_id", "bylines__author__slug").distinct())
    authors -= {(None, None)}
    paths.update(reverse("articles:tag", kwargs={"slug": slug}) for _pk, slug in tags)
    paths.update(reverse("articles:author", kwargs={"slug": slug}) for _pk, slug in authors)
    pages_purge(paths)
    # Their counts and last changes too (pages and sitemaps read them).
    listings_forget(
        sections=section_ids, tags=[pk for pk, _ in tags], authors=[pk for pk, _ in authors]
    )


def _has_pending_messages(request) -> bool:
    # Checked without iterating the storage, which would mark the messages as read.
    if "messages" in request.COOKIES:
        return True
    session_key = settings.SESSION_COOKIE_NAME
    return session_key in request.COOKIES and bool(request.session.get("_messages"))


class PublicPageCacheMixin:
    """Serve anonymous readers a shared copy of the page for ``PAGE_CACHE_SECONDS``.

    Only anonymous GETs are cached, so nothing personal can enter a cached copy; pages
    that set a cookie or used a CSRF token are not stored; logged-in readers get a fresh
    page marked private. Only a page's real addresses are cached: see `_page_cache_key`.
    """

    def dispatch(self, request, *args, **kwargs):
        cacheable = (
            request.method in ("GET", "HEAD")
            and not request.user.is_authenticated
            and not _has_pending_messages(request)
        )
        key = self._page_cache_key(request) if cacheable else None
        if cacheable and not key:
            return super().dispatch(request, *args, **kwargs)
        version = None
        if key:
            vkey = version_key(request.path)
            found = cache.get_many([key, vkey])
            version, hit = found.get(vkey), found.get(key)
            if hit is not None and version is not None and hit.get("version") == version:
                response = HttpResponse(hit["content"], content_type=hit["content_type"])
                self.cache_hit(response, hit)
                return self._public(response)
        response = super().dispatch(request, *args, **kwargs)
        if not key:
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
            return response
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if (
            response.status_code == 200
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            entry = {
                "content": response.content,
                "content_type": response["Content-Type"],
                "version": version or _version_start(vkey),
                **self.cache_extra(),
            }
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            self._public(response)
        return response

    def _public(self, response):
        patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_SECONDS)
        patch_vary_headers(response, ["Cookie"])
        return response

    def _page_cache_key(self, request) -> str | None:
        """One key per page, and per page number where the page has them.

        Campaign tags share the key of the address without them; ``?page=1`` shares the
        first page's. Any other query, or a page number not written as the paginator
        writes it, is rendered for that request alone, so made-up query strings cannot
        fill the cache; a made-up page number is a 404, which is never cached either.
        """
        paginated = isinstance(self, MultipleObjectMixin)
        page = ""
        for name, values in request.GET.lists():
            if name in SHARED_PARAMS or name.startswith("utm_"):
                continue
            if name != "page" or not paginated or len(values) != 1:
                return None
            if values[0] != "1" and not canonical_page_number(values[0]):
                return None
            page = "" if values[0] == "1" else values[0]
        return page_key(request.path, page, translation.get_language())

    def cache_extra(self) -> dict:
        return {}

    def cache_hit(self, response, entry: dict) -> None:
        """Hook to mark a response from the cache as the view would have marked it."""
