"""Most read: the front page's and article sidebar's chart, and the editors' dashboard's.

It reads only folded totals (the ArticleViewDay buckets). The readers' chart is cached for
POPULARITY_CACHE_SECONDS, so it costs no queries on most requests and moves a minute or
two after the views that move it; the dashboard asks live.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from core.dates import site_today

MOST_READ_WINDOWS = {1: _("24 hours"), 7: _("7 days"), 30: _("30 days")}


def most_read(*, days: int = 1, limit: int = 5, now: datetime | None = None) -> list[Article]:
    """The published articles with the most views over the last `days` days.

    Buckets are calendar days, so the window is today plus the `days` days before it: it
    always covers the last `days` × 24 hours, and at most one day more. Each article carries
    `recent_views`, its views in the window.
    """
    since = site_today(now) - timedelta(days=days)
    return list(
        # Headlines and links only: the bulky text columns stay in the database.
        Article.objects.published()
        .defer("body", "search_vector")
        .filter(view_days__day__gte=since)
        .annotate(recent_views=Sum("view_days__views"))
        .filter(recent_views__gt=0)
        .order_by("-recent_views", "-published_at", "-id")[:limit]
    )


def most_read_windows(*, limit: int = 5) -> list[tuple[int, str, list[Article]]]:
    """Most read over every window, for a tabbed block: (days, label, articles), cached."""
    windows = []
    for days, label in MOST_READ_WINDOWS.items():
        key = f"popularity:most-read:{days}:{limit}"
        articles = cache.get(key)
        if articles is None:
            articles = most_read(days=days, limit=limit)
            cache.set(key, articles, settings.POPULARITY_CACHE_SECONDS)
        windows.append((days, label, articles))
    return windows
