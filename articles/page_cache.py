"""The anonymous readers' page cache: which addresses share a copy, and purging every copy
of a page when the newsroom changes an article, so a correction or a closed comment thread
shows at once, not after the TTL.

Each cached copy carries its page's version; a page's version key (one per path, whatever
the language or page number) is deleted by a purge, so every copy of that page stops being
served at once, ?page=N included. A hit reads the copy and the version in one round trip.

Every shared page also names what it shows in surrogate keys (core.purge): the caching
proxy in front (deploy/varnish) files its copy under them, and each purge here drops the
proxy's copies by key once it has dropped the app's own.
"""

import hashlib
import math
import time
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_http_date_safe
from django.views.decorators.cache import cache_page
from django.views.generic.list import MultipleObjectMixin

from articles.listings import listings_forget
from articles.models import Article, Category
from articles.page_copies import PendingCopy, page_copies, versions_delete
from core.purge import from_caching_proxy, proxy_purge, surrogate_keys_set

# The generation of the curated fronts' selections (frontpage/selection.py): every purge
# deletes it, so a changed story leaves every zone that showed it at once.
FRONT_SELECTION_KEY = "articles:front-selection"
# One version for every page: a change shown on all of them (the breaking-news banner)
# deletes it, and no copy made before is served again.
SITE_VERSION_KEY = "pagever:site"
# The version of everything public at once, ended by every purge: for copies that show
# stories from anywhere (the content API's answers) and so belong to no one page.
CONTENT_VERSION_KEY = "pagever:content"
# Their surrogate key in the proxy, purged along with every page.
CONTENT_KEY = "content"


# Campaign and click tags that links from newsletters and social sites carry: they do not
# change the page, so such a visit shares the copy of the address without them.
SHARED_PARAMS = {"fbclid", "gclid"}
VERSION_SECONDS = 24 * 60 * 60

# Surrogate keys of the pages that list many stories; a page showing one thing is
# "<kind>-<id>" (surrogate_key).
FRONT_KEY = "front"
ARCHIVE_KEY = "archive"
FEED_KEY = "feed"
SITEMAP_KEY = "sitemap"
# Every page: what all of them show (the breaking-news banner) purges it.
SITE_KEY = "site"


def surrogate_key(kind: str, pk: int) -> str:
    """The key of the page of one article, section, tag or author: "article-12"."""
    return f"{kind}-{pk}"


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


def cache_shared(seconds: int, *, page_params=(), keys=()):
    """Django's cache_page, for canonical addresses only (see canonical_query), naming
    `keys` as what the page shows."""

    def decorator(view):
        cached = cache_page(seconds)(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if canonical_query(request, page_params):
                response = cached(request, *args, **kwargs)
                surrogate_keys_set(response, keys)
                _age_set(response, seconds)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _age_set(response, seconds: int) -> None:
    """Say how old a copy from cache_page is (it keeps the Expires of its first render), so
    a proxy or browser keeps it only until the app's own copy expires, not a max-age more.
    The proxy's purge of such a page cannot drop the app's copy: it fetches that again."""
    expires = parse_http_date_safe(response.get("Expires", ""))
    if expires is not None:
        age = int(seconds - (expires - time.time()))
        if 0 < age <= seconds:
            response["Age"] = str(age)


def page_key(path: str, page: str, language: str) -> str:
    raw = f"{language}|{path}|{page}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def version_key(path: str) -> str:
    return "pagever:" + hashlib.sha256(path.encode()).hexdigest()


def page_version(vkey: str) -> str:
    """The version a new copy of the page is made under: the page's own and the site's
    (page_copies.lookup reads both the same way)."""
    return f"{version_start(vkey)}|{version_start(SITE_VERSION_KEY)}"


def page_lookup(request, key: str):
    """The fresh copy of the page `request` asks for under `key`, and the page's version
    (page_copies.lookup): believed from this process's memory, except for a caching
    proxy's fetch, which keeps what it gets. With the page cache off (PAGE_CACHE_SECONDS=0)
    no copy is ever kept, so none is looked for, not even one kept before it was off."""
    if not settings.PAGE_CACHE_SECONDS:
        return None, None
    versions = (version_key(request.path), SITE_VERSION_KEY)
    return page_copies.lookup(key, versions, remembered=not from_caching_proxy(request))


def seconds_left(copy) -> int | None:
    """What is left of the life of a copy that ends early (see page_expires_at), for its
    max-age; None for the usual PAGE_CACHE_SECONDS."""
    if not copy.extra.get("ends_early"):
        return None
    return max(0, math.ceil(copy.expires - time.time()))


def version_start(key: str) -> str:
    """A new version for `key`, or the one another request has just started."""
    token = uuid.uuid4().hex
    if cache.add(key, token, VERSION_SECONDS):
        return token
    # Another request started the version first: share it.
    return cache.get(key) or token


def pages_purge(paths, keys=()) -> None:
    """Stop serving every cached copy of `paths` (all languages and page numbers), and the
    proxy's copies filed under the surrogate `keys`, once the change is committed: purging
    before the commit would let a request in between cache the old data again."""
    versions = [version_key(path) for path in paths]
    versions += [FRONT_SELECTION_KEY, CONTENT_VERSION_KEY]
    keys = [*keys, CONTENT_KEY]

    def purge():
        versions_delete(versions)
        # Only now: a proxy purged first could fetch the app's old copy again.
        proxy_purge(keys)

    transaction.on_commit(purge)


def all_pages_purge() -> None:
    """Stop serving every cached copy of every page once the change is committed: for what
    every page shows (the breaking-news banner)."""

    def purge():
        versions_delete([SITE_VERSION_KEY, FRONT_SELECTION_KEY])
        proxy_purge([SITE_KEY])

    transaction.on_commit(purge)


def page_expires_at(request, when) -> None:
    """Ask that the copy of the page being rendered for `request` be served no later than
    `when`: something on it (a scheduled pin, a banner's expiry) changes then by itself,
    with no change in the database for a purge to follow."""
    current = getattr(request, "page_expires_at", None)
    if when is not None and (current is None or when < current):
        request.page_expires_at = when


def _cache_seconds(request) -> int:
    seconds = settings.PAGE_CACHE_SECONDS
    until = getattr(request, "page_expires_at", None)
    if until is not None:
        seconds = min(seconds, math.ceil((until - timezone.now()).total_seconds()))
    return seconds


def article_pages_purge(*articles) -> None:
    """Drop the cached pages that show `articles`: their own, the front page, their
    sections', tags', authors' and date archives' pages and feeds, the site's feeds and
    the front page's section blocks; in the proxy also the sitemaps (whose own copies in
    the app live a few minutes more: see _age_set)."""
    paths = {reverse("frontpage:home"), *(article.get_absolute_url() for article in articles)}
    paths.update(path for article in articles for path in _archive_paths(article))
    paths.update(_feed_paths("feed"))
    keys = {FRONT_KEY, ARCHIVE_KEY, FEED_KEY, SITEMAP_KEY}
    keys.update(surrogate_key("article", article.pk) for article in articles if article.pk)
    section_ids = {article.category_id for article in articles if article.category_id}
    for section in Category.objects.filter(pk__in=section_ids):
        paths.add(section.get_absolute_url())
        paths.update(_feed_paths("feed-section", section.slug))
        keys.add(surrogate_key("section", section.pk))
    shown = Article.objects.filter(pk__in=[article.pk for article in articles if article.pk])
    tag_ids, author_ids = [], []
    for pk, slug in shown.values_list("tags__id", "tags__slug").distinct():
        if pk:
            paths.add(reverse("articles:tag", kwargs={"slug": slug}))
            paths.update(_feed_paths("feed-tag", slug))
            keys.add(surrogate_key("tag", pk))
            tag_ids.append(pk)
    for pk, slug in shown.values_list("bylines__author__id", "bylines__author__slug").distinct():
        if pk:
            paths.add(reverse("articles:author", kwargs={"slug": slug}))
            paths.update(_feed_paths("feed-author", slug))
            keys.add(surrogate_key("author", pk))
            author_ids.append(pk)
    pages_purge(paths, keys)
    # Their counts and last changes too (pages and sitemaps read them).
    listings_forget(sections=section_ids, tags=tag_ids, authors=author_ids)


def _feed_paths(name: str, slug: str | None = None) -> list[str]:
    """The RSS and Atom feeds of the site (no slug) or of one section, tag or author."""
    kwargs = {"slug": slug} if slug else {}
    return [reverse(f"articles:{name}-{kind}", kwargs=kwargs) for kind in ("rss", "atom")]


def _archive_paths(article) -> list[str]:
    """The date archives that list `article`: the index, its year, month and day."""
    paths = [reverse("articles:archive")]
    day = article.publish_date
    if day:
        year, month = f"{day.year:04d}", f"{day.month:02d}"
        paths += [
            reverse("articles:archive-year", kwargs={"year": year}),
            reverse("articles:archive-month", kwargs={"year": year, "month": month}),
            reverse(
                "articles:archive-day",
                kwargs={"year": year, "month": month, "day": f"{day.day:02d}"},
            ),
        ]
    return paths


def article_page_refresh(*, article_ids) -> None:
    """Refresh the cached copies of these articles' own pages after a change only they
    show in full (a rating, a comment appearing or going).

    The proxy's purge is soft: the next reader still gets the old copy at once while the
    proxy fetches the new one, so a busy story's ratings cost a render each, never a wait.
    The lists that show the story keep their copies until they expire."""
    articles = Article.objects.filter(pk__in=article_ids).only(
        "slug", "publish_date", "published_at", "created_at"
    )
    versions = [version_key(article.get_absolute_url()) for article in articles]
    keys = [surrogate_key("article", pk) for pk in article_ids]
    if not versions:
        return

    def purge():
        versions_delete(versions)
        proxy_purge(keys, soft=True)

    transaction.on_commit(purge)


# The cookie Django's message framework keeps pending messages in (CookieStorage).
MESSAGES_COOKIE = "messages"


def shared_page(query, *, paginated: bool = True) -> str | None:
    """The page number `query` asks for, as the key writes it ("" for the first page), or
    None when the query does not name a page that can be shared.

    Campaign tags share the key of the address without them; ``?page=1`` shares the first
    page's. Any other query, or a page number not written as the paginator writes it, is
    rendered for that request alone, so made-up query strings cannot fill the cache; a
    made-up page number is a 404, which is never cached either.
    """
    page = ""
    for name, values in query.lists():
        if name in SHARED_PARAMS or name.startswith("utm_"):
            continue
        if name != "page" or not paginated or len(values) != 1:
            return None
        if values[0] != "1" and not canonical_page_number(values[0]):
            return None
        page = "" if values[0] == "1" else values[0]
    return page


def _has_pending_messages(request) -> bool:
    # Checked without iterating the storage, which would mark the messages as read.
    if MESSAGES_COOKIE in request.COOKIES:
        return True
    session_key = settings.SESSION_COOKIE_NAME
    return session_key in request.COOKIES and bool(request.session.get("_messages"))


class PublicPageCacheMixin:
    """Serve anonymous readers a shared copy of the page for ``PAGE_CACHE_SECONDS``.

    Only anonymous GETs are cached, so nothing personal can enter a cached copy; pages
    that set a cookie or used a CSRF token are not stored; logged-in readers get a fresh
    page marked private. Only a page's real addresses are cached: see `shared_page`.

    Most hits never reach the view: articles.middleware.SharedPageMiddleware answers
    them before any other middleware, and is what stores the copies the view offers
    (`PendingCopy`). The view answers the hits the middleware leaves to it (a reader
    with a leftover session cookie, a query it does not read itself).
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
            copy, version = page_lookup(request, key)
            if copy is not None:
                content_type = dict(copy.headers)["Content-Type"]
                response = HttpResponse(copy.content, content_type=content_type)
                self.cache_hit(response, copy.extra)
                surrogate_keys_set(response, copy.extra.get("keys", ()))
                return self._public(response, seconds_left(copy))
        response = super().dispatch(request, *args, **kwargs)
        if not key:
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
            return response
        if hasattr(response, "render") and callable(response.render):
            response.render()
        seconds = max(0, _cache_seconds(request))
        if (
            response.status_code == 200
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            self._public(response, seconds)
            if not seconds:
                return response
            keys = (SITE_KEY, *self.surrogate_keys())
            surrogate_keys_set(response, keys)
            ends_early = seconds < settings.PAGE_CACHE_SECONDS
            response.page_cache_copy = PendingCopy(
                key,
                version or page_version(version_key(request.path)),
                isinstance(self, MultipleObjectMixin),
                {**self.cache_extra(), "keys": keys, "ends_early": ends_early},
                seconds,
            )
        return response

    def _public(self, response, seconds=None):
        if seconds is None:
            seconds = settings.PAGE_CACHE_SECONDS
        patch_cache_control(response, public=True, max_age=seconds)
        patch_vary_headers(response, ["Cookie"])
        return response

    def _page_cache_key(self, request) -> str | None:
        """One key per page, and per page number where the page has them."""
        paginated = isinstance(self, MultipleObjectMixin)
        page = shared_page(request.GET, paginated=paginated)
        if page is None:
            return None
        return page_key(request.path, page, translation.get_language())

    def cache_extra(self) -> dict:
        return {}

    def surrogate_keys(self) -> tuple[str, ...]:
        """What the page shows, by surrogate key (see the module's docstring)."""
        return ()

    def cache_hit(self, response, entry: dict) -> None:
        """Hook to mark a response from the cache as the view would have marked it."""
