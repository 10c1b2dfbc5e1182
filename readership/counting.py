"""View counting: one view per person per article per window, cheap to record, exact to fold.

How a view is counted (docs/performance.md has the full story):

- Two paths record views: the article page (ViewCountingMiddleware, which counts the
  article the page says it showed, fresh or from the page cache; works without
  JavaScript), and the page's beacon (readership.views.beacon; works when the HTML came
  from a CDN and Django never saw the page). A per-reader key (readership.keys) makes the
  two count once together.
- Bots, prefetches, HEAD and staff are left out (readership.bots); a reload inside the
  window is answered from this process's memory (readership.recent) when it can be.
- A counted view goes into a buffer (readership.stores): a Redis hash when REDIS_URL is
  set, otherwise a few shard rows per article and day in PostgreSQL, written in batches
  by a thread (readership.writebehind). Folding (readership.folding) moves the buffer
  into Article.view_count and ArticleViewDay.
"""

from django.conf import settings
from django.http import HttpRequest

from articles.models import Article
from core.dates import site_today
from readership import clock
from readership.bots import is_countable_request
from readership.folding import fold_if_due
from readership.keys import reader_key
from readership.recent import recent_readers
from readership.stores import get_store
from readership.stores.base import Pending, Recorded, dedupe_window
from readership.writebehind import write_behind


def view_record(*, request: HttpRequest, article: Article) -> bool:
    """Count `request` as a view of `article` if it is a person reading a public article.

    Returns whether the view was counted: False for bots, prefetches, HEAD, staff, drafts,
    and the same reader again within VIEW_DEDUPE_WINDOW.
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
    if write_behind.enabled():
        write_behind.put(Pending(key, article.pk, day, at))
        # Whether it counts is settled when the batch is written: a reader seen by
        # another process in the same window is not counted then.
        recorded = Recorded(True, at + dedupe_window())
    else:
        recorded = get_store().record(article_id=article.pk, key=key, day=day, at=at)
    if recorded.until is not None:
        recent_readers.remember(key, recorded.until)
    fold_if_due()
    return recorded.counted
