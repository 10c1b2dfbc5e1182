from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.http import HttpResponsePermanentRedirect


class WordPressQueryRedirectMiddleware:
    """Send WordPress's "/?p=123" links to the imported article.

    django.contrib.redirects only acts on 404s, and "/" is our front page, so these would
    never reach it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        post_id = request.GET.get("p", "")
        if request.path == "/" and post_id.isdigit() and request.method in ("GET", "HEAD"):
            target = (
                Redirect.objects.filter(site_id=settings.SITE_ID, old_path=f"/?p={post_id}")
                .values_list("new_path", flat=True)
                .first()
            )
            if target:
                return HttpResponsePermanentRedirect(target)
        return self.get_response(request)
