"""The best-rated recent stories, for the front page's chart."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article

TOP_RATED_KEY = "articles:top-rated"


def top_rated_recent(count: int = 5) -> list[Article]:
    """The best-rated stories of the last TOP_RATED_DAYS, shared for a while.

    A window, like most read: the front page is about the news, and ranking the whole
    archive would read every row of it."""
    articles = cache.get(TOP_RATED_KEY)
    if articles is None:
        since = timezone.now() - timedelta(days=settings.TOP_RATED_DAYS)
        # Headlines and links only: the bulky text columns stay in the database.
        best = (
            Article.objects.published()
            .filter(published_at__gte=since)
            .defer("body", "search_vector")
        )
        weight = settings.TOP_RATED_PRIOR_WEIGHT
        articles = list(best.top_rated(prior_weight=weight)[:count])
        cache.set(TOP_RATED_KEY, articles, settings.POPULARITY_CACHE_SECONDS)
    return articles
