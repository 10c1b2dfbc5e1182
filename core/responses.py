"""How an action says no: a refusal page, or for htmx one alert fragment; and log in first.

htmx does not swap error answers; static/js/htmx-config.js shows the fragment's text next
to the form that was sent. Every refusal in the project (a rule, a rate limit, a request
too large, a missing log-in) goes through `error_fragment` for htmx requests, and is a JSON
body `{"detail": ...}` under settings.API_PATH_PREFIX, whose clients read no HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.exceptions import ServiceError


def error_fragment(message: str, *, status: int) -> HttpResponse:
    """The one-paragraph answer to an htmx request that was refused."""
    body = format_html('<p class="form-error" role="alert">{}</p>', message)
    return HttpResponse(body, status=status)


def wants_json(request: HttpRequest) -> bool:
    """Whether `request` is one of the API's, answered in JSON whatever happens."""
    return request.path.startswith(settings.API_PATH_PREFIX)


def json_error(message: str, *, status: int) -> JsonResponse:
    """The API's error body; api/schemas.py describes it to the API's clients."""
    return JsonResponse({"detail": str(message)}, status=status)


def action_refused(
    request: HttpRequest,
    message: str,
    *,
    status: int = 400,
    back_url: str | None = None,
    template: str = "action_refused.html",
    context: dict | None = None,
) -> HttpResponse:
    """Say why an action was refused: a page (`template`), the fragment for htmx, or JSON."""
    if wants_json(request):
        return json_error(message, status=status)
    if getattr(request, "htmx", False):
        return error_fragment(message, status=status)
    page = {"message": message, "back_url": back_url, "status": status, **(context or {})}
    return render(request, template, page, status=status)


def service_refused(request: HttpRequest, error: ServiceError, **kwargs) -> HttpResponse:
    """A service's refusal, with its message and status; `kwargs` as for action_refused."""
    return action_refused(request, error.message, status=error.status_code, **kwargs)


def log_in_first(request: HttpRequest, next_url: str, message: str) -> HttpResponse:
    """Send an anonymous reader to log in and back to `next_url` (which may hold a #fragment).

    htmx requests get 401 with an HX-Redirect header: htmx follows it even on an error
    status, so the whole page goes to the log-in form.
    """
    login = redirect_to_login(next_url)
    if getattr(request, "htmx", False):
        response = error_fragment(message, status=401)
        response["HX-Redirect"] = login["Location"]
        return response
    return login


def login_required_or_401(next_url: Callable[..., str | None], message: str | None = None):
    """Like @login_required, for POST-only actions: after logging in the reader goes back to
    `next_url(**url_kwargs)` (the page the form was on, not this address; the front page
    when it says None), and htmx requests get 401 (see log_in_first)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            back = next_url(**kwargs) or "/"
            return log_in_first(request, back, message or _("Please log in first."))

        return wrapped

    return decorator
