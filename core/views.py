"""The project's own error pages that Django's defaults do not cover."""

from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def server_error(request):
    # The 500 page must not depend on the database or context processors: they may be
    # what failed.
    return render(request, "500.html", {"site_name": "Newsportal"}, status=500)
