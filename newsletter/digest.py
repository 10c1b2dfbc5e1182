"""What goes into a digest: the top stories of the reader's sections since the last one.

Top stories are the desk's front-page picks (`is_featured`) first, then the newest; then the
most read of the period from `readership`. Only `Article.objects.published()` is read, so
nothing unpublished or scheduled for later can get into a mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from articles.models import Article, Category
from core.dates import site_today

DAILY, WEEKLY = "daily", "weekly"
PERIOD_DAYS = {DAILY: 1, WEEKLY: 7}


@dataclass
class Digest:
    frequency: str
    edition: str
    sections: list[Category]
    top: list[Article] = field(default_factory=list)
    most_read: list[Article] = field(default_factory=list)

    @property
    def article_count(self) -> int:
        return len(self.top) + len(self.most_read)

    @property
    def is_empty(self) -> bool:
        return not self.top and not self.most_read


def edition_for(frequency: str, now: datetime | None = None) -> str:
    """The edition a run at `now` sends: one a day, or one an ISO week."""
    today = site_today(now)
    if frequency == WEEKLY:
        year, week, _day = today.isocalendar()
        return f"weekly-{year}-W{week:02d}"
    return f"daily-{today.isoformat()}"


def _stories(section_ids: list[int], since: datetime):
    stories = Article.objects.published().filter(published_at__gte=since).defer("body")
    if section_ids:
        stories = stories.filter(category_id__in=section_ids)
    return stories.select_related("category")


def digest_build(*, frequency: str, section_ids: list[int], now: datetime | None = None) -> Digest:
    """The digest for readers of `section_ids` (empty: every section) at `now`."""
    now = now or timezone.now()
    since = now - timedelta(days=PERIOD_DAYS[frequency])
    stories = _stories(section_ids, since)
    top_count = settings.NEWSLETTER_TOP_STORIES
    top = list(stories.order_by("-is_featured", "-published_at", "-id")[:top_count])
    shown = [a.pk for a in top]
    most_read = list(
        stories.exclude(pk__in=shown)
        .filter(view_days__day__gte=since.date())
        .annotate(recent_views=Sum("view_days__views"))
        .filter(recent_views__gt=0)
        .order_by("-recent_views", "-published_at", "-id")[: settings.NEWSLETTER_MOST_READ]
    )
    for article in [*top, *most_read]:
        # Mail has no current host: every link is absolute.
        article.absolute_url = settings.SITE_URL + article.get_absolute_url()
    sections = list(Category.objects.filter(pk__in=section_ids)) if section_ids else []
    return Digest(
        frequency=frequency,
        edition=edition_for(frequency, now),
        sections=sections,
        top=top,
        most_read=most_read,
    )
