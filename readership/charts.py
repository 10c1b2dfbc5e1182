"""The 30-day views charts of the admin: the whole site's, and one article's."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from articles.models import Article
from core.dates import site_today
from readership.models import ArticleViewDay

CHART_DAYS = 30
CHART_WIDTH = 600
CHART_HEIGHT = 160
CHART_TOP_PADDING = 12


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


def daily_views(
    article: Article | None = None, days: int = CHART_DAYS, now: datetime | None = None
) -> list[tuple[date, int]]:
    """Views per day over the last `days` days up to today, oldest first, zeros included."""
    today = site_today(now)
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
    """The chart of daily_views(): the site's without an article, else that article's."""
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
