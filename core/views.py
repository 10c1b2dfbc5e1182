"""The project's own error pages that Django's defaults do not cover.

`page_not_found` is the handler404 and `server_error` the handler500; both answer the
API's clients in JSON. Django calls `server_error` inside the `except` block that caught
the error, wherever it was raised (a view, a middleware such as the session or auth one, a
context processor, a template), so `sys.exc_info()` says what went wrong. When that is
PostgreSQL being out of reach, the reader gets a 503 with Retry-After instead of a 500.
With DEBUG on, Django shows its technical 500 page instead and never calls the handler.
"""

import logging
import sys

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import defaults

from core.responses import error_fragment, json_error, wants_json

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
# SQLSTATEs that mean the server cannot serve us (class 08: the connection broke; 57P: it is
# shutting down, crashed or starting up; 53300: no connection slot free). Other operational
# errors (a statement timeout, a deadlock) are bugs to fix and stay 500s with a traceback.
UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "57P", "53300")


def database_unreachable(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from, says PostgreSQL is out of reach."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, psycopg.Error):
            # No SQLSTATE: the failure came from the client side (refused, reset, closed).
            state = error.sqlstate
            return isinstance(error, DATABASE_ERRORS) and (
                state is None or state.startswith(UNAVAILABLE_SQLSTATE_PREFIXES)
            )
        if isinstance(error, DATABASE_ERRORS) and error.__cause__ is None:
            return True
        error = error.__cause__ or error.__context__
    return False


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The handler404: Django's page, or for the API's clients a JSON body."""
    if wants_json(request):
        return json_error(_("Not found."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Neither page may need the database or a context processor: they may be what failed.
    error = sys.exc_info()[1]
    if database_unreachable(error):
        return database_unavailable(request, error)
    if wants_json(request):
        return json_error(_("Something went wrong on our side."), status=500)
    page = render_to_string("500.html", {"site_name": settings.SITE_NAME})
    return HttpResponse(page, status=500)


def database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 with Retry-After: a short page, or for htmx the one-paragraph error fragment."""
    retry_after = settings.DATABASE_RETRY_AFTER_SECONDS
    message = _("The site is briefly unavailable. Please try again in a moment.")
    if wants_json(request):
        response = json_error(message, status=503)
    elif request.headers.get("HX-Request") == "true":
        response = error_fragment(message, status=503)
    else:
        context = {"site_name": settings.SITE_NAME, "retry_after": retry_after}
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(retry_after)
    # Neither a proxy nor a browser may keep the outage page once the site is back.
    add_never_cache_headers(response)
    # One line per request instead of Django's traceback; an outer middleware failing on the
    # same outage brings the request back here, and it is not logged twice.
    if not getattr(request, "_database_outage_logged", False):
        request._database_outage_logged = True
        logger.error(
            "Database unavailable, answered 503: %s %s: %s",
            request.method,
            request.path,
            " ".join(str(error).split()),
        )
    response._has_been_logged = True  # read by django.utils.log.log_response
    return response
