"""Anonymous readers' page-cache hits, answered before any other middleware runs.

A hit through the whole stack costs ~15 middleware (sessions, CSRF, auth, messages, the
CSP header built twice...), the URL resolver and the view, for bytes that were decided
the first time. So the first response, as it left the last middleware, is stored whole
(headers included), and a request that provably gets that same response is answered
with it here. Everything else goes down the stack as before.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import cc_delim_re, patch_cache_control
from django.utils.http import parse_etags

from articles.page_cache import (
    MESSAGES_COOKIE,
    page_key,
    page_lookup,
    seconds_left,
    shared_page,
)
from articles.page_copies import CachedPage, page_copies
from core.guard import request_refusal

# What the key decides for itself: no session or messages cookie (so nothing personal),
# and the language. A response that varies on anything else is not shared from here.
KEYED_VARY = frozenset({"cookie", "accept-language"})
# Left out of the stored copy: they belong to one response.
PER_RESPONSE_HEADERS = frozenset({"set-cookie", "date"})
# Left out of a 304: they describe a body it does not have.
BODY_HEADERS = frozenset({"content-type", "content-length"})
# Longer Accept-Language headers are not remembered (Django reads only this much of them).
LANGUAGE_MEMO_LENGTH = 500


class SharedPageMiddleware:
    """Answer an anonymous reader's request for a cached page with the stored copy.

    Goes first in MIDDLEWARE. A request is answered here only when the stack could not
    have answered it otherwise: GET or HEAD; no session cookie (so no user, and no
    messages in the session) and no messages cookie; nothing SecurityMiddleware would
    redirect, CommonMiddleware refuse or RequestGuardMiddleware refuse (the guard's own
    rule is asked); a query that names a shareable page (`shared_page`); the language
    chosen exactly as LocaleMiddleware chooses it; a copy made under the page's current
    version (a purge deletes the version). Views are then counted by the page's beacon:
    ViewCountingMiddleware, further down, counts fresh renders.

    On the way out, it stores a response the view offered (`page_cache_copy`, set by
    PublicPageCacheMixin) once no later middleware has made it personal: no cookie set,
    no CSP nonce, no Vary beyond what the key decides.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # With language prefixes in the addresses, LocaleMiddleware itself is asked.
        self.locale = LocaleMiddleware(get_response)

    def __call__(self, request):
        # With the page cache off (PAGE_CACHE_SECONDS=0) page_lookup finds nothing: the
        # key (host, guard, language) is not worth making.
        key = self._shared_key(request) if settings.PAGE_CACHE_SECONDS else None
        if key is not None:
            response = self._hit(request, key)
            if response is not None:
                return response
        response = self.get_response(request)
        pending = getattr(response, "page_cache_copy", None)
        if pending is not None and _shareable(request, response):
            _store(response, pending)
        return response

    def _shared_key(self, request) -> str | None:
        if request.method not in ("GET", "HEAD") or _personal(request):
            return None
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None  # SecurityMiddleware redirects it
        if request_refusal(request) is not None:
            return None  # RequestGuardMiddleware refuses it
        try:
            host = request.get_host()
        except DisallowedHost:
            return None  # CommonMiddleware answers 400
        if settings.PREPEND_WWW and not host.startswith("www."):
            return None
        if settings.DISALLOWED_USER_AGENTS:
            agent = request.META.get("HTTP_USER_AGENT", "")
            if any(pattern.search(agent) for pattern in settings.DISALLOWED_USER_AGENTS):
                return None
        # An empty query is the common case: it costs no QueryDict.
        page = shared_page(request.GET) if request.META.get("QUERY_STRING") else ""
        if page is None:
            return None
        return page_key(request.path, page, self._language(request))

    def _language(self, request) -> str:
        """The language LocaleMiddleware activates for `request` (what the view's key
        reads with translation.get_language())."""
        if is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]:
            self.locale.process_request(request)
            return request.LANGUAGE_CODE
        cookie = None
        if "HTTP_COOKIE" in request.META:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        accept = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        if len(accept) > LANGUAGE_MEMO_LENGTH or (cookie and len(cookie) > LANGUAGE_MEMO_LENGTH):
            return _chosen_language(cookie, accept)
        return _remembered_language(cookie, accept)

    def _hit(self, request, key: str) -> HttpResponse | None:
        copy, _version = page_lookup(request, key)
        if copy is None:
            return None
        if not copy.paginated and request.META.get("QUERY_STRING") and "page" in request.GET:
            return None  # ?page=1 of a page without pages: the view decides
        if _not_modified(request, copy):
            response = HttpResponseNotModified()
            for name, value in copy.headers:
                if name.lower() not in BODY_HEADERS:
                    response.headers[name] = value
            return response
        response = HttpResponse(copy.content)
        # The headers were checked when they were first set; only their store is copied.
        response.headers._store = {name.lower(): (name, value) for name, value in copy.headers}
        left = seconds_left(copy)
        if left is not None:
            patch_cache_control(response, max_age=left)
        return response


def _chosen_language(cookie: str | None, accept: str) -> str:
    # Exactly what LocaleMiddleware activates: these two are all it reads of a request
    # when the addresses carry no language prefix.
    request = HttpRequest()
    if cookie is not None:
        request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = cookie
    request.META["HTTP_ACCEPT_LANGUAGE"] = accept
    return translation.to_language(translation.get_language_from_request(request))


_remembered_language = functools.lru_cache(maxsize=1000)(_chosen_language)


def _forget_languages(*, setting, **kwargs):
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LANGUAGE_COOKIE_NAME", "ROOT_URLCONF"}:
        _remembered_language.cache_clear()


setting_changed.connect(_forget_languages)


def _personal(request) -> bool:
    if "HTTP_COOKIE" not in request.META:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies


def _not_modified(request, copy: CachedPage) -> bool:
    condition = request.META.get("HTTP_IF_NONE_MATCH")
    if not condition:
        return False
    etag = dict(copy.headers).get("ETag")
    etags = parse_etags(condition)
    return etag is not None and (etag in etags or "*" in etags)


def _shareable(request, response) -> bool:
    """Whether the response, as the last middleware left it, is the same for every
    anonymous reader of its key."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    # django-csp makes a nonce only for a page that asked for one; it is per response.
    if isinstance(getattr(request, "_csp_nonce", None), str):
        return False
    if "nonce-" in response.get("Content-Security-Policy", ""):
        return False
    if {"private", "no-store", "no-cache"} & _header_words(response, "Cache-Control"):
        return False
    return _header_words(response, "Vary") <= KEYED_VARY


def _header_words(response, name: str) -> set[str]:
    words = {part.strip().lower() for part in cc_delim_re.split(response.get(name, ""))}
    return words - {""}


def _store(response, pending) -> None:
    content = response.content
    response["ETag"] = f'"{hashlib.blake2b(content, digest_size=16).hexdigest()}"'
    headers = tuple(
        (name, value)
        for name, value in response.items()
        if name.lower() not in PER_RESPONSE_HEADERS
    )
    expires = time.time() + pending.seconds
    copy = CachedPage(pending.version, expires, headers, content, pending.paginated, pending.extra)
    page_copies.store(pending.key, copy, pending.seconds)
