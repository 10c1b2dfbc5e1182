"""Refuse requests no view should see, before anything reads them: a body over
REQUEST_MAX_BYTES (413), a Content-Length that is not a number, a charset we do not read,
input Django cannot parse (too many fields or parameters, too much data: 413, broken
multipart) and NUL characters in admin addresses (400)."""

import codecs
import logging
import re

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.responses import action_refused

ADMIN_PREFIX = "/admin/"
# What Python calls UTF-8 and its ASCII subset, however the client spelt them.
UTF8_CODECS = frozenset({"utf-8", "ascii"})
# Everything Django raises while it reads the query string or the body.
UNREADABLE = (
    SuspiciousOperation,
    MultiPartParserError,
    BadRequest,
    UnreadablePostError,
    LookupError,
    ValueError,
)

logger = logging.getLogger(__name__)


class RequestGuardMiddleware:
    """Read the query string and the form body once, here, and refuse what cannot be read.

    Django parses them on first use, which may be in the CSRF check or in another middleware:
    its error then escapes where nothing turns it into a 4xx, and the error handlers, which
    run the CSRF check again, fail again (a 500 and a long traceback per request). Parsed
    here, every later reader gets the cached result. Django streams uploaded files to disk
    whatever their size, so REQUEST_MAX_BYTES is checked before anything is read; it sits
    well above the largest upload a form accepts, so a too-large picture still gets the
    form's own message. Views can no longer change upload handlers; none does.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = request_refusal(request)
        if refusal is None:
            return self.get_response(request)
        message, status = refusal
        logger.warning(
            "Refused %s %r (%s): %s", request.method, request.path[:200], status, message
        )
        # The refusal page must not trip over the same input while it renders.
        request.GET = QueryDict()
        request._mark_post_parse_error()  # Django's own way of saying "no readable body"
        return action_refused(request, message, status=status)


def request_refusal(request: HttpRequest) -> tuple[str, int] | None:
    """What RequestGuardMiddleware refuses `request` for, (message, status), or None.

    Also asked by whatever answers before the guard (the page cache's fast path), so a
    request the guard refuses is never answered from there."""
    length = request.META.get("CONTENT_LENGTH")
    if length:
        if not (length.isascii() and length.isdigit()):
            return _("The request's Content-Length is not a number of bytes."), 400
        limit = settings.REQUEST_MAX_BYTES
        if limit and int(length) > limit:
            message = _("That is %(size)s; the most we accept in one go is %(limit)s.") % {
                "size": filesizeformat(int(length)),
                "limit": filesizeformat(limit),
            }
            return message, 413
    charset = request.content_params.get("charset")
    if charset is not None and not _reads_as_utf8(request, charset):
        message = _("This request is in the “%(charset)s” character set; we read only UTF-8.")
        return message % {"charset": charset[:40]}, 400
    if request.META.get("QUERY_STRING"):
        try:
            request.GET  # noqa: B018 (parsed now, cached for every later reader)
        except TooManyFieldsSent:
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            return _("The address has more than %(limit)s parameters.") % {"limit": limit}, 400
        except UNREADABLE:
            return _("The address could not be read."), 400
    if request.method == "POST":
        refusal = _body_refusal(request)
        if refusal is not None:
            return refusal
    if request.path.startswith(ADMIN_PREFIX) and ("\x00" in request.path or _has_nul(request.GET)):
        # The admin hands path and list-filter values straight to PostgreSQL, which refuses
        # NUL characters with an error (a 500); our own views clean them instead.
        return _("The address contains a NUL character."), 400
    return None


def _body_refusal(request: HttpRequest) -> tuple[str, int] | None:
    try:
        request.POST  # noqa: B018 (with FILES; cached for the CSRF check and the view)
    except RequestDataTooBig:
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return _("The form's fields are too large; the most we read is %(limit)s.") % {
            "limit": limit
        }, 413
    except TooManyFieldsSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return _("The form has more than %(limit)s fields.") % {"limit": limit}, 400
    except TooManyFilesSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return _("The form has more than %(limit)s files.") % {"limit": limit}, 400
    except UNREADABLE:
        return _("The form could not be read; it is not a well-formed form."), 400
    return None


def _reads_as_utf8(request: HttpRequest, charset: str) -> bool:
    try:
        name = codecs.lookup(charset).name
    except (LookupError, ValueError):
        return False
    if name not in UTF8_CODECS:
        return False
    if charset.lower() != "utf-8":
        # Django refuses a form in any other spelling of UTF-8 ("utf8", "us-ascii").
        request.encoding = "utf-8"
    return True


def _has_nul(query) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )


# What Django's session keys look like (32 lower-case letters and digits; others' up to 40).
SESSION_KEY = re.compile(r"[a-z0-9]{8,40}\Z")


class SessionCookieGuardMiddleware:
    """A session cookie no session key could be names no session: forget it before the
    session store looks it up (a NUL character in it makes PostgreSQL refuse the query,
    a 500 on every page). The reader simply has no session, as with no cookie at all, and
    the response clears the cookie. Goes right after SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        key = getattr(session, "session_key", None)
        if key is not None and not SESSION_KEY.match(key):
            session._session_key = None
        return self.get_response(request)
