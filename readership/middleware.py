"""Count the article a page showed, so the article app needs to know nothing of counting."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from readership.counting import view_record


class ViewCountingMiddleware:
    """Count a view of the article a response names in `shown_article`.

    The article page sets `response.shown_article` (its pk and published_at) when it
    renders; hits answered by articles.middleware.SharedPageMiddleware never get here and
    are counted by the page's beacon. Must come after AuthenticationMiddleware:
    staff and logged-in readers are told apart by request.user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        shown = getattr(response, "shown_article", None)
        if shown is not None:
            # Only what the page says was public (its pk and is_public): no model needed.
            view_record(request=request, article=shown)
        return response
