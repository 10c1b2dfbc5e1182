from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.models import Article
from readership.counting import view_record


# The beacon is exempt from CSRF: it takes no input but the article id, and can only add
# one view per reader and window, the same as loading the page would. A forged cross-site
# POST gains nothing, and browsers say so anyway (Sec-Fetch-Site), so those are ignored.
@csrf_exempt
@require_POST
@never_cache
def beacon(request: HttpRequest, pk: int) -> HttpResponse:
    """Count a view from the article page's script: works when the page came from a cache."""
    article = get_object_or_404(
        Article.objects.published().only("id", "status", "published_at"), pk=pk
    )
    if request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none"):
        view_record(request=request, article=article)
    return HttpResponse(status=204)
