from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    context = {
        "sitemaps": [
            settings.SITE_URL + reverse("sitemap-index"),
            settings.SITE_URL + reverse("news-sitemap"),
        ],
        "search_path": reverse("search:search"),
    }
    return HttpResponse(
        render_to_string("robots.txt", context), content_type="text/plain; charset=utf-8"
    )
