"""View counting: one view per person per article per window, cheap to record, exact to fold.

How a view is counted (docs/performance.md has the full story):

- Two paths record views: the article page (ViewCountingMiddleware, which counts the
  article the page says it showed, fresh or from the page cache; works without
  JavaScript), and the page's beacon (readership.views.beacon; works when the HTML came
  from a CDN and Django never saw the page). A per-reader key (readership.keys) makes the
  two count once together.
- Bots, prefetches, HEAD and staff are left out (readership.bots); a reload inside the
  window is answered from this process's memory (readership.recent) when it can be.
- One address adds at most VIEW_READERS_PER_ADDRESS new anonymous readers to an article
  per minute, whatever user agents it sends (readership.keys.address_key).
- A counted view goes into a buffer (readership.stores): a Redis hash when REDIS_URL is
  set (PostgreSQL while Redis is away), otherwise a few shard rows per article and day in
  PostgreSQL, written in batches by a thread (readership.writebehind). Folding
  (readership.folding), on a timer thread and never in the request, moves the buffer into
  Article.view_count and ArticleViewDay.
"""

from typing import Protocol

from django.conf import settings
from django.http import HttpRequest

from core.dates import site_today
from readership import clock
from readership.bots import is_countable_request
from readership.folding import fold_timer
from readership.keys import address_key, reader_key
from readership.recent import recent_readers
from readership.stores import get_store
from readership.stores.base import ADDRESS_LIFETIME, Pending, Recorded, dedupe_window
from readership.writebehind import write_behind


class Story(Protocol):
    """What counting needs of a story: an Article, or the page's `shown_article`."""

    pk: int

    @property
    def is_public(self) -> bool: ...


def view_record(*, request: HttpRequest, article: Story) -> bool:
    """Count `request` as a view of `article` if it is a person reading a public article.

    Returns whether the view was counted: False for bots, prefetches, HEAD, staff, drafts,
    the same reader again within VIEW_DEDUPE_WINDOW, and readers past their address's bound.
    """
    if not settings.VIEW_COUNTING_ENABLED:
        return False
    if not article.is_public or not is_countable_request(request):
        return False
    at = clock.now()
    # The site's calendar day, whatever time zone the reader's request activated.
    day = site_today(at)
    key = reader_key(request, article.pk, day)
    if recent_readers.holds(key, at):
        return False
    address = address_key(request, article.pk, at)
    if write_behind.enabled():
        write_behind.put(Pending(key, article.pk, day, at, address))
        # Whether it counts is settled when the batch is written: a reader seen by
        # another process in the same window, or past their address's bound, is not
        # counted then. The latter may count in a later minute, so an anonymous reader is
        # remembered only as long as the bound lasts.
        recorded = Recorded(True, at + (ADDRESS_LIFETIME if address else dedupe_window()))
    else:
        recorded = get_store().record(
            article_id=article.pk, key=key, day=day, at=at, address=address
        )
    if recorded.until is not None:
        recent_readers.remember(key, recorded.until)
    fold_timer.ensure_started()
    return recorded.counted
