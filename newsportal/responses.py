"""Answers shared by the engagement actions (ratings, polls, comments, votes)."""

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
