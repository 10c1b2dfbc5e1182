"""Most read: the front page's and article sidebar's chart, and the editors' dashboard's.

It reads only folded totals (the ArticleViewDay buckets). The readers' chart is cached for
POPULARITY_CACHE_SECONDS, so it costs no queries on most requests and moves a minute or
two after the views that move it; the dashboard asks live.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

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


class ChartRow(NamedTuple):
    """One line of a chart, as the block's template reads it."""

    pk: int
    title: str
    url: str
    recent_views: int


def most_read_charts(*, limit: int = 5) -> dict[int, tuple[tuple, ...]]:
    """Most read over every window, {days: ((id, headline, address, views), ...)}, cached.

    One query for all the windows (a UNION ALL of each window's top `limit`), so a cold
    page pays one round trip for the block, not one per window. The cache holds plain
    tuples: every rendered page reads it, and unpickling fifteen model instances was a
    twentieth of a rendered article page, fifteen named tuples (a constructor written in
    Python each) still a fiftieth."""
    key = f"popularity:most-read-rows:{limit}"
    charts = cache.get(key)
    if charts is None:
        charts = _charts(limit)
        cache.set(key, charts, settings.POPULARITY_CACHE_SECONDS)
    return charts


def most_read_windows(
    *, limit: int = 5, charts: dict | None = None
) -> list[tuple[int, str, list[ChartRow]]]:
    """Most read over every window, for a tabbed block: (days, label, rows)."""
    charts = most_read_charts(limit=limit) if charts is None else charts
    return [
        (days, label, [ChartRow(*row) for row in charts[days]])
        for days, label in MOST_READ_WINDOWS.items()
    ]


def _charts(limit: int) -> dict[int, tuple[tuple, ...]]:
    first, *others = [_chart(days, limit) for days in MOST_READ_WINDOWS]
    articles = {days: [] for days in MOST_READ_WINDOWS}
    for article in first.union(*others, all=True):
        articles[article.window].append(article)
    return {
        days: tuple(
            (a.pk, a.title, a.get_absolute_url(), a.recent_views)
            for a in sorted(chart, key=_chart_order)
        )
        for days, chart in articles.items()
    }


def _chart_order(article: Article) -> tuple:
    return (-article.recent_views, -article.published_at.timestamp(), -article.pk)
