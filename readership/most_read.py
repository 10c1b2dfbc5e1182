"""Most read: the front page's and article sidebar's chart, and the editors' dashboard's.

It reads only folded totals (the ArticleViewDay buckets). The readers' chart is cached for
POPULARITY_CACHE_SECONDS, so it costs no queries on most requests and moves a minute or
two after the views that move it; the dashboard asks live.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum, Value
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
    return list(_chart(days, limit, now))


def _chart(days: int, limit: int, now: datetime | None = None):
    since = site_today(now) - timedelta(days=days)
    return (
        # Headlines and links only: the bulky text columns stay in the database.
        Article.objects.published()
        .defer("body", "search_vector")
        .filter(view_days__day__gte=since)
        .annotate(recent_views=Sum("view_days__views"), window=Value(days))
        .filter(recent_views__gt=0)
        .order_by("-recent_views", "-published_at", "-id")[:limit]
    )


def most_read_windows(*, limit: int = 5) -> list[tuple[int, str, list[Article]]]:
    """Most read over every window, for a tabbed block: (days, label, articles), cached.

    One query for all the windows (a UNION ALL of each window's top `limit`), so a cold
    page pays one round trip for the block, not one per window."""
    key = f"popularity:most-read:{limit}"
    charts = cache.get(key)
    if charts is None:
        first, *others = [_chart(days, limit) for days in MOST_READ_WINDOWS]
        charts = {days: [] for days in MOST_READ_WINDOWS}
        for article in first.union(*others, all=True):
            charts[article.window].append(article)
        for chart in charts.values():
            chart.sort(key=lambda a: (-a.recent_views, -a.published_at.timestamp(), -a.pk))
        cache.set(key, charts, settings.POPULARITY_CACHE_SECONDS)
    return [(days, label, charts[days]) for days, label in MOST_READ_WINDOWS.items()]
