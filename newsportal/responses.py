"""Answers shared by the engagement actions (ratings, polls, comments, votes)."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html


def action_refused(
    request: HttpRequest, message: str, *, status: int = 400, back_url: str | None = None
) -> HttpResponse:
    """Say why an action was refused: a page, or a one-line fragment for htmx requests.

    htmx does not swap error answers; static/js/htmx-config.js shows the fragment's text
    next to the form that was sent.
    """
    if getattr(request, "htmx", False):
        body = format_html('<p class="form-error" role="alert">{}</p>', message)
        return HttpResponse(body, status=status)
    context = {"message": message, "back_url": back_url, "status": status}
    return render(request, "action_refused.html", context, status=status)


def log_in_first(request: HttpRequest, next_url: str, message: str) -> HttpResponse:
    """Send an anonymous reader to log in and back to `next_url` (which may hold a #fragment).

    htmx requests get 401 with an HX-Redirect header: htmx follows it even on an error
    status, so the whole page goes to the log-in form.
    """
    login = redirect_to_login(next_url)
    if getattr(request, "htmx", False):
        response = action_refused(request, message, status=401)
        response["HX-Redirect"] = login["Location"]
        return response
    return login
