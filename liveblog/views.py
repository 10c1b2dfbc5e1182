"""The entries fragment that readers' open live pages poll for what is new."""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from articles.models import Article
from liveblog.models import LiveCoverage
from liveblog.selectors import LivePage, entries_with_authors, fragment_version

# Entries a poll can bring at once; a reader further behind is told to reload.
FRAGMENT_ENTRIES = 100


def _after(request) -> int | None:
    value = request.GET.get("after", "0")
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return int(value)


def _fragment_data(coverage_id: int) -> dict:
    """What any poll of this live page is answered from, rendered once per version.

    One cache entry per version whatever `after` readers send, so made-up values cannot
    fill the cache; kept no longer than a page, so unpublishing shows within that bound.
    """
    key = f"liveblog:fragment:{coverage_id}:{fragment_version(coverage_id)}"
    data = cache.get(key)
    if data is not None:
        return data
    coverage = (
        LiveCoverage.objects.filter(pk=coverage_id, article__in=Article.objects.published())
        .select_related("article")
        .first()
    )
    if coverage is None:
        data = {"public": False}
    else:
        entries = list(entries_with_authors().filter(coverage=coverage)[:FRAGMENT_ENTRIES])
        live = LivePage(coverage=coverage, entries=entries)
        data = {
            "public": True,
            "open": coverage.is_open,
            "oldest": entries[-1].pk if len(entries) == FRAGMENT_ENTRIES else 0,
            "entries": [
                (entry.pk, render_to_string("liveblog/_entry.html", {"entry": entry}))
                for entry in entries
            ],
            "key_events": render_to_string(
                "liveblog/_key_events.html", {"live": live, "oob": True}
            ),
            "poller": render_to_string(
                "liveblog/_poller.html",
                {"live": live, "oob": True, "poll_seconds": settings.LIVEBLOG_POLL_SECONDS},
            ),
        }
    cache.set(key, data, settings.PAGE_CACHE_SECONDS)
    return data


@require_safe
def entries(request, pk: int):
    """The entries posted after `?after=<id>`, newest first, to put on top of the page.

    204 when nothing is new on an open page; otherwise the entries plus the new poller
    (polling from the newest id, or the "coverage ended" note that stops polling) and
    the key events, swapped out of band.
    """
    after = _after(request)
    if after is None:
        return HttpResponseBadRequest(_("“after” must be the number of an entry."))
    data = _fragment_data(pk)
    if not data["public"]:
        raise Http404(_("No such live page."))
    new = [html for entry_id, html in data["entries"] if entry_id > after]
    if not new and data["open"]:
        response = HttpResponse(status=204)
    else:
        parts = list(new)
        if data["oldest"] and after < data["oldest"]:
            # Further behind than one poll brings: say so rather than leave a silent gap.
            parts.append(render_to_string("liveblog/_gap.html"))
        parts += [data["poller"], data["key_events"]]
        response = HttpResponse("".join(parts))
    # Shared by every reader polling from the same entry; a new entry shows within this
    # even through a proxy cache that is not purged.
    patch_cache_control(response, public=True, max_age=settings.LIVEBLOG_FRAGMENT_MAX_AGE)
    return response
