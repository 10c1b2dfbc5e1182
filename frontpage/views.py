"""The front page: its zones as the editors arranged them, and a staff preview by time."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from articles.page_cache import FRONT_KEY, PublicPageCacheMixin, page_expires_at
from articles.top_rated import top_rated_recent
from core.responses import action_refused
from frontpage.fragments import zones_fragment

PREVIEW_PARAM = "at"
# How long the sidebar's rendered charts are shared, on top of their own cache.
SIDEBAR_SECONDS = 60


def preview_time(value: str) -> datetime | None:
    """A `datetime-local` value ("2026-12-02T18:00") in the site's time zone, or None."""
    try:
        when = parse_datetime(value)
    except ValueError:
        return None
    if when is None:
        return None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


class FrontPageView(PublicPageCacheMixin, TemplateView):
    template_name = "frontpage/front.html"

    def surrogate_keys(self):
        return (FRONT_KEY,)

    def get(self, request, *args, **kwargs):
        self.preview_at = None
        value = request.GET.get(PREVIEW_PARAM)
        if value is not None:
            # Only staff see tomorrow's front page; a reader's ?at= is not a page of its own.
            if not request.user.is_staff:
                raise PermissionDenied
            self.preview_at = preview_time(value)
            if self.preview_at is None:
                message = _("Give the preview time as 2026-12-02T18:00.")
                return action_refused(request, message, status=400)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        zones = zones_fragment(page_id=None, at=self.preview_at)
        page_expires_at(self.request, zones.until)
        at = self.preview_at or timezone.now()
        context.update(
            zones=zones,
            # Called by the template only when the cached sidebar is stale.
            top_rated=top_rated_recent,
            sidebar_seconds=SIDEBAR_SECONDS,
            can_preview=self.request.user.is_staff,
            preview_at=self.preview_at,
            preview_value=timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"),
            meta_description=_("The latest news from %(site)s.") % {"site": settings.SITE_NAME},
        )
        return context
