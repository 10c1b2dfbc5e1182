import re

from django.http import Http404, HttpResponsePermanentRedirect

from wpimport.models import OldAddress

_READS = ("GET", "HEAD")
# WordPress reads "?p=007" as post 7; anything else is not a post ID and is left alone.
_POST_ID = re.compile(r"[0-9]{1,18}")
_LONGEST = OldAddress._meta.get_field("path").max_length


class WordPressRedirectMiddleware:
    """Send old WordPress addresses to the imported articles, while those are public.

    "/?p=123" is answered before the view, as "/" is our front page; an old permalink only
    when the page would be a 404, like django.contrib.redirects. An address whose article
    is not public (a draft, scheduled, taken down) answers exactly like one never imported,
    so it gives away neither the story nor its address. Other requests cost no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # "?p=ID" for posts and pages alike, "?page_id=ID" for pages.
        name = "p" if "p" in request.GET else "page_id"
        post_id = request.GET.get(name, "")
        if request.path == "/" and _POST_ID.fullmatch(post_id) and request.method in _READS:
            target = _public_target([f"/?{name}={int(post_id)}"])
            if target is None:
                # WordPress answers an unknown post ID with a 404, not its home page.
                raise Http404("No such post.")
            return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code == 404 and request.method in _READS:
            query = request.META.get("QUERY_STRING", "")
            # With the query first, then without: links pick up tracking parameters.
            paths = [f"{request.path}?{query}", request.path] if query else [request.path]
            target = _public_target(paths)
            if target is not None and target != request.get_full_path():
                return HttpResponsePermanentRedirect(target)
        return response


def _public_target(paths: list[str]) -> str | None:
    """The current address of the public article or page the first of `paths` belongs to."""
    # A hostile path can hold what no stored address does (a NUL PostgreSQL refuses).
    paths = [p for p in paths if len(p) <= _LONGEST and "\x00" not in p]
    if not paths:
        return None
    found = {
        address.path: address.target
        for address in OldAddress.objects.public()
        .filter(path__in=paths)
        .select_related("article", "page")
        .only(
            "path",
            "article__slug",
            "article__publish_date",
            "article__published_at",
            "page__slug",
        )
    }
    return next((found[p].get_absolute_url() for p in paths if p in found), None)
