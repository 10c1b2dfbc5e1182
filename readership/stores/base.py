"""What the two view buffers (PostgreSQL and Redis) share: their vocabulary and fold SQL."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from django.conf import settings

from articles.models import Article
from readership.models import ArticleViewDay


class Recorded(NamedTuple):
    counted: bool
    # Until when this reader's views of the article will not count again, if known.
    until: datetime | None


class Pending(NamedTuple):
    """A view on its way to the buffer (queued by write-behind)."""

    key: str
    article_id: int
    day: date
    at: datetime
    # readership.keys.address_key, or "" for a reader the address bound leaves alone.
    address: str = ""


@dataclass(frozen=True)
class FoldResult:
    views: int = 0
    articles: int = 0

    def __add__(self, other: "FoldResult") -> "FoldResult":
        return FoldResult(self.views + other.views, self.articles + other.articles)


@cache
def _window(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


def dedupe_window() -> timedelta:
    """How long one reader's views of one article count once (VIEW_DEDUPE_WINDOW)."""
    return _window(settings.VIEW_DEDUPE_WINDOW)


# How long an address's count of new readers is kept: its minute, and one more for clocks
# of two processes that disagree a little.
ADDRESS_LIFETIME = timedelta(minutes=2)


# Add the rows of `moved` (article_id, day, views) to the daily buckets and the totals.
# Articles deleted meanwhile are skipped by the joins.
FOLD_UPSERTS = f"""
    per_day AS (
        SELECT m.article_id, m.day, SUM(m.views)::integer AS views FROM moved m
        JOIN {Article._meta.db_table} a ON a.id = m.article_id
        GROUP BY m.article_id, m.day
    ),
    days AS (
        INSERT INTO {ArticleViewDay._meta.db_table} AS d (article_id, day, views)
        SELECT article_id, day, views FROM per_day
        ON CONFLICT (article_id, day) DO UPDATE SET views = d.views + EXCLUDED.views
        RETURNING 1
    ),
    totals AS (
        UPDATE {Article._meta.db_table} a SET view_count = a.view_count + t.views
        FROM (SELECT article_id, SUM(views) AS views FROM per_day GROUP BY article_id) t
        WHERE a.id = t.article_id
        RETURNING 1
    )
"""  # noqa: S608 - table names come from our models
