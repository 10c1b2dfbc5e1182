"""Most read and top rated: the two popularity charts on the front page and article sidebar.

Both read only folded totals (ArticleViewDay buckets, the rating counters) and are cached
for a short while, so a chart costs no queries on most requests and changes a minute or two
after the views or ratings that move it.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, FloatField, Sum, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article

MOST_READ_WINDOWS = {1: _("24 hours"), 7: _("7 days"), 30: _("30 days")}


def _cache_seconds() -> int:
    return getattr(settings, "POPULARITY_CACHE_SECONDS", 120)


def _chart_queryset():
    # The charts show headlines and links only: no bylines or sections to fetch, and the
    # bulky text columns stay in the database.
    return Article.objects.published().defer("body", "search_vector")


def most_read(days: int = 1, limit: int = 5) -> list[Article]:
    """The published articles with the most views over the last `days` days.

    Buckets are calendar days, so the window is today plus the `days` days before it: it
    always covers the last `days` × 24 hours, and at most one day more. Each article carries
    `recent_views`, its views in the window.
    """
    key = f"popularity:most-read:{days}:{limit}"
    articles = cache.get(key)
    if articles is None:
        since = timezone.localdate(timezone=timezone.get_default_timezone()) - timedelta(days=days)
        articles = list(
            _chart_queryset()
            .filter(view_days__day__gte=since)
            .annotate(recent_views=Sum("view_days__views"))
            .filter(recent_views__gt=0)
            .order_by("-recent_views", "-published_at", "-id")[:limit]
        )
        cache.set(key, articles, _cache_seconds())
    return articles


def most_read_windows(limit: int = 5) -> list[tuple[int, str, list[Article]]]:
    """Most read over every window, for a tabbed block: (days, label, articles)."""
    return [
        (days, label, most_read(days=days, limit=limit))
        for days, label in MOST_READ_WINDOWS.items()
    ]


def site_mean_rating() -> float | None:
    """The mean star rating over every published rating: the prior for top_rated."""
    totals = Article.objects.published().aggregate(
        stars=Sum("rating_sum"), count=Sum("rating_count")
    )
    if not totals["count"]:
        return None
    return totals["stars"] / totals["count"]


def top_rated(limit: int = 5) -> list[Article]:
    """The published articles with the best Bayesian average rating.

    score = (C × m + rating_sum) / (C + rating_count), with m the site's mean rating and
    C = TOP_RATED_PRIOR_WEIGHT: every article starts as if it had C votes at the site mean,
    so one 5-star vote moves an article only a little above the crowd, and many good
    votes are needed to top the chart. Each article carries `bayesian_rating`.
    """
    key = f"popularity:top-rated:{limit}"
    articles = cache.get(key)
    if articles is None:
        mean = site_mean_rating()
        if mean is None:
            articles = []
        else:
            weight = float(getattr(settings, "TOP_RATED_PRIOR_WEIGHT", 5))
            score = (Value(weight * mean) + Cast(F("rating_sum"), FloatField())) / (
                Value(weight) + Cast(F("rating_count"), FloatField())
            )
            articles = list(
                _chart_queryset()
                .filter(rating_count__gt=0)
                .annotate(bayesian_rating=score)
                .order_by("-bayesian_rating", "-rating_count", "-published_at", "-id")[:limit]
            )
        cache.set(key, articles, _cache_seconds())
    return articles
