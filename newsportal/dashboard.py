"""The editors' dashboard on the admin index: what is going out, what waits, what is read.

Project level on purpose: it reads articles and, when installed, comments, so neither app
has to know about the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from articles.models import Article, ArticleViewDay

CHART_DAYS = 30
CHART_WIDTH = 600
CHART_HEIGHT = 160
CHART_TOP_PADDING = 12
MOST_READ_LIMIT = 5
SCHEDULED_LIMIT = 5


@dataclass(frozen=True)
class Bar:
    day: date
    views: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        return date_format(self.day, "D j M")


@dataclass(frozen=True)
class ViewsChart:
    """Daily views for a chart: bars in SVG units plus the numbers for the data table."""

    title: str
    bars: list[Bar]
    total: int
    peak: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT

    @property
    def first(self) -> Bar:
        return self.bars[0]

    @property
    def last(self) -> Bar:
        return self.bars[-1]


def _today_bounds(now: datetime) -> tuple[datetime, datetime]:
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(today, time.min))
    return start, start + timedelta(days=1)


def published_today(now: datetime | None = None) -> list[Article]:
    """Articles that went public since local midnight, newest first."""
    now = now or timezone.now()
    start, _end = _today_bounds(now)
    return list(
        Article.objects.published()
        .filter(published_at__gte=start)
        .select_related("category")
        .order_by("-published_at")
    )


def scheduled_next(limit: int = SCHEDULED_LIMIT, now: datetime | None = None) -> list[Article]:
    """Published articles with a publish time still ahead, soonest first."""
    now = now or timezone.now()
    return list(
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .select_related("category")
        .order_by("published_at")[:limit]
    )


def pending_comment_count() -> int | None:
    """Comments waiting for moderation, or None when there is no comments app to ask."""
    if not apps.is_installed("comments"):
        return None
    try:
        Comment = apps.get_model("comments", "Comment")
    except LookupError:
        return None
    status = getattr(getattr(Comment, "Status", None), "PENDING", "pending")
    return Comment.objects.filter(status=status).count()


def most_read(
    limit: int = MOST_READ_LIMIT, now: datetime | None = None
) -> list[tuple[Article, int]]:
    """Articles with the most views in the last 24 hours, with those views.

    Views are kept in daily buckets, so "the last 24 hours" is today and yesterday: never
    less than a full day's reading, at most a day more.
    """
    now = now or timezone.now()
    since = timezone.localdate(now) - timedelta(days=1)
    rows = (
        ArticleViewDay.objects.filter(day__gte=since, article__in=Article.objects.published())
        .values("article")
        .annotate(total=Sum("views"))
        .filter(total__gt=0)
        .order_by("-total", "article")[:limit]
    )
    rows = list(rows)
    articles = Article.objects.in_bulk([row["article"] for row in rows])
    return [(articles[row["article"]], row["total"]) for row in rows if row["article"] in articles]


def daily_views(
    article: Article | None = None, days: int = CHART_DAYS, now: datetime | None = None
) -> list[tuple[date, int]]:
    """Views per day over the last `days` days up to today, oldest first, zeros included."""
    today = timezone.localdate(now or timezone.now())
    first = today - timedelta(days=days - 1)
    buckets = ArticleViewDay.objects.filter(day__gte=first, day__lte=today)
    if article is not None:
        buckets = buckets.filter(article=article)
    totals = dict(buckets.values_list("day").annotate(total=Sum("views")).order_by())
    return [
        (first + timedelta(days=n), totals.get(first + timedelta(days=n), 0)) for n in range(days)
    ]


def views_chart(
    article: Article | None = None, days: int = CHART_DAYS, now: datetime | None = None
) -> ViewsChart:
    series = daily_views(article, days, now)
    peak = max((views for _day, views in series), default=0)
    slot = CHART_WIDTH / len(series)
    usable = CHART_HEIGHT - CHART_TOP_PADDING
    bars = []
    for index, (day, views) in enumerate(series):
        height = round(usable * views / peak, 1) if peak else 0
        bars.append(
            Bar(
                day=day,
                views=views,
                x=round(index * slot + 1, 1),
                y=round(CHART_HEIGHT - height, 1),
                width=round(slot - 2, 1),
                height=height,
            )
        )
    if article is None:
        title = _("Views on the whole site, last %(days)d days") % {"days": days}
    else:
        title = _("Views of this article, last %(days)d days") % {"days": days}
    return ViewsChart(title=title, bars=bars, total=sum(b.views for b in bars), peak=peak)


def dashboard(now: datetime | None = None) -> dict:
    """Everything the admin index shows, in one dict for the template."""
    now = now or timezone.now()
    return {
        "published_today": published_today(now),
        "scheduled_next": scheduled_next(now=now),
        "pending_comments": pending_comment_count(),
        "most_read": most_read(now=now),
        "site_chart": views_chart(now=now),
    }
