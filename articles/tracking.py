"""View counting: one view per person per article per window, cheap to record, exact to fold.

How a view is counted (docs/performance.md has the full story):

- Two paths record views: the article page view calls `count_view` (works without
  JavaScript), and the page's beacon POSTs to `view_beacon` (works when the HTML came from
  a cache and the view did not run). A per-reader key makes the two count once together.
- The reader key is an HMAC of the secret key, today's date, and either the user id or the
  client IP and user agent, plus the article: no IP address is stored, the key changes
  every day so it cannot follow anyone, and no cookie is set.
- A counted view goes into a buffer: a Redis hash when REDIS_URL is set, otherwise a few
  shard rows per article and day in PostgreSQL. A thread in each process writes the views
  of the last VIEW_WRITE_BEHIND_MS milliseconds in one go, so a request makes no round
  trip. `fold_views` (a management command, also run every VIEW_FOLD_INTERVAL seconds by
  a request) moves the buffer into Article.view_count and ArticleViewDay with upserts in
  one transaction.
"""

import atexit
import hmac
import logging
import os
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache as memoize
from functools import lru_cache
from hashlib import sha256
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.models import Article, ArticleViewDay, ViewBuffer, ViewDedupe
from core.client import client_ip

logger = logging.getLogger(__name__)

# Crawlers, link-preview fetchers (chat apps and social sites unfurling a shared link),
# monitors and HTTP libraries, matched in lower case. A user agent that does not look like
# a browser at all (no "Mozilla/" or "Opera/") is not counted either.
BOT_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrape|archiver|fetch|preview|"
    r"facebookexternalhit|facebookcatalog|meta-externalagent|embedly|quora link|outbrain|"
    r"pinterestbot|vkshare|whatsapp|telegrambot|discordbot|slack|skypeuri|redditbot|"
    r"linkedinbot|mastodon/|pleroma|misskey|bluesky|iframely|bitlybot|flipboardproxy|"
    r"google-inspectiontool|googleother|google-read-aloud|mediapartners|adsbot|"
    r"feedburner|feedly|inoreader|newsblur|validator|lighthouse|pagespeed|gtmetrix|"
    r"pingdom|uptime|monitor|statuscake|headless|phantomjs|puppeteer|playwright|selenium|"
    r"curl|wget|python|httpx|aiohttp|go-http-client|java/|okhttp|libwww|perl|ruby|axios|"
    r"node-fetch|undici|postman|insomnia|scrapy|httrack|ahrefs|semrush|mj12|dotbot|"
    r"petalbot|yandex|baiduspider|bytespider|sogou|gptbot|chatgpt|oai-searchbot|ccbot|"
    r"claudebot|claude-web|anthropic|perplexity|cohere|diffbot|applebot|bingpreview",
)
BROWSER_USER_AGENT = re.compile(r"^(Mozilla|Opera)/")

# Tests replace this to move time on without sleeping.
now = timezone.now


@memoize
def _setting(name: str, default):
    # Cached: counting runs on every page view, and each settings lookup costs more than
    # the dictionary lookup it replaces. Tests that change settings clear it (below).
    return getattr(settings, name, default)


@memoize
def _dedupe_window(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


@lru_cache(maxsize=4)
def _hmac_key(secret_key: str) -> bytes:
    return f"newsportal.views:{secret_key}".encode()


def _forget_settings(**kwargs) -> None:
    _setting.cache_clear()


setting_changed.connect(_forget_settings)


def dedupe_window() -> timedelta:
    return _dedupe_window(_setting("VIEW_DEDUPE_WINDOW", 30 * 60))


@lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    # Cached: readers share a few hundred user agents, and the pattern is long.
    return not BROWSER_USER_AGENT.match(user_agent) or bool(
        BOT_USER_AGENT.search(user_agent.lower())
    )


PURPOSE_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


def is_countable_request(request: HttpRequest) -> bool:
    """Whether this request is a person looking at the page, as far as we can tell."""
    if request.method not in ("GET", "POST"):
        # HEAD is a link checker or a cache revalidating, never a reader.
        return False
    # META rather than request.headers: this runs on every cached page, and building
    # request.headers costs more than the whole check.
    meta = request.META
    purpose = " ".join(meta.get(name, "") for name in PURPOSE_HEADERS).lower()
    if "prefetch" in purpose or "prerender" in purpose or "preview" in purpose:
        # A speculative load may never be seen; a prerendered page that is shown
        # counts through its beacon, which waits for activation.
        return False
    if is_bot(meta.get("HTTP_USER_AGENT", "")):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_staff and not _setting("VIEW_COUNT_STAFF", False))


def reader_key(request: HttpRequest, article_id: int, day: date) -> str:
    """A key that is the same for one reader and article all day, and reveals neither."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    else:
        who = f"anon:{client_ip(request)}:{request.META.get('HTTP_USER_AGENT', '')}"
    message = f"{day.isoformat()}|{who}|{article_id}".encode()
    secret = _hmac_key(_setting("SECRET_KEY", ""))
    # 128 bits tell readers apart as well as 256 would, in half the index.
    return hmac.new(secret, message, sha256).hexdigest()[:32]


class Recorded(NamedTuple):
    counted: bool
    # Until when this reader's views of the article will not count again, if known.
    until: datetime | None


class RecentReaders:
    """Reader keys this process knows are inside their window, and until when.

    A reload then costs no round trip to Redis or PostgreSQL. Only ever says "already
    counted" when the store said so, so it cannot lose a view; at worst, once full, it
    forgets everything and asks the store again.
    """

    def __init__(self, size: int = 20_000):
        self.size = size
        self._until: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def holds(self, key: str, at: datetime) -> bool:
        until = self._until.get(key)
        return until is not None and at < until

    def remember(self, key: str, until: datetime) -> None:
        with self._lock:
            if len(self._until) >= self.size:
                self._until = {}
            self._until[key] = until

    def clear(self) -> None:
        with self._lock:
            self._until = {}


recent_readers = RecentReaders()


@dataclass(frozen=True)
class FoldResult:
    views: int = 0
    articles: int = 0

    def __add__(self, other: "FoldResult") -> "FoldResult":
        return FoldResult(self.views + other.views, self.articles + other.articles)


class Pending(NamedTuple):
    key: str
    article_id: int
    day: date
    at: datetime


class WriteBehind:
    """Views on their way to the buffer (PostgreSQL or Redis), written in batches.

    With VIEW_WRITE_BEHIND_MS > 0, a request only appends to a list, and a thread of the
    same process writes what has gathered every that many milliseconds in one statement
    or script: a page view then costs microseconds instead of a round trip. The batch is written
    again if writing fails, and written at exit, so only a process killed outright
    (SIGKILL, out of memory) loses its last fraction of a second of views.
    """

    batch_size = 1000
    max_items = 100_000

    def __init__(self):
        self._items: list[Pending] = []
        self._in_flight: list[Pending] = []
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def enabled(self) -> bool:
        return _setting("VIEW_WRITE_BEHIND_MS", 0) > 0

    def put(self, item: Pending) -> None:
        with self._lock:
            if len(self._items) >= self.max_items:
                # The database has been away for a long while; keep the newest views.
                logger.error("View write-behind queue full: dropping the oldest views")
                del self._items[: self.batch_size]
            self._items.append(item)
            size = len(self._items)
            if self._pid != os.getpid() or not (self._thread and self._thread.is_alive()):
                self._start()
        if size >= self.batch_size:
            self._wake.set()

    def pending(self, article_id: int) -> int:
        with self._lock:
            items = self._items + self._in_flight
            return len({item.key for item in items if item.article_id == article_id})

    def flush(self) -> int:
        """Write everything queued now; returns the views that counted.

        One flush at a time per process, so a flush (and so a fold) that returns has also
        seen the end of a batch another thread was writing.
        """
        counted = 0
        with self._flush_lock:
            while True:
                with self._lock:
                    batch = self._in_flight = self._items[: self.batch_size]
                    del self._items[: self.batch_size]
                if not batch:
                    return counted
                try:
                    counted += get_store().write_batch(batch)
                except Exception:
                    with self._lock:
                        self._items[:0] = batch
                    raise
                finally:
                    with self._lock:
                        self._in_flight = []

    def _start(self) -> None:
        # A forked worker does not inherit the parent's thread: start one per process.
        if self._pid != os.getpid():
            self._pid = os.getpid()
            atexit.register(self._flush_at_exit)
        self._thread = threading.Thread(target=self._run, name="view-write-behind", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while self.enabled():
                self._wake.wait(_setting("VIEW_WRITE_BEHIND_MS", 0) / 1000)
                self._wake.clear()
                try:
                    self.flush()
                except Exception:
                    logger.exception("Writing buffered views failed; retrying")
                    connection.close()
                    time.sleep(1)
            self.flush()
        finally:
            connection.close()

    def _flush_at_exit(self) -> None:
        try:
            self.flush()
        except Exception:
            logger.exception("Writing buffered views at exit failed")


write_behind = WriteBehind()


def _write_batch(batch: list[Pending]) -> int:
    # Claim all reader keys and add the claimed views to one shard row per article and
    # day, in one statement. Keys are claimed in key order, and buffer rows in article
    # order, so two processes writing batches at once cannot deadlock.
    window = dedupe_window()
    sql = f"""
        WITH async_commit AS MATERIALIZED (
            SELECT set_config('synchronous_commit', 'off', true)
        ),
        incoming AS (
            SELECT DISTINCT ON (key) key, article_id, day, at
            FROM unnest(%(keys)s::varchar[], %(articles)s::bigint[], %(days)s::date[],
                        %(ats)s::timestamptz[]) AS t(key, article_id, day, at)
            WHERE EXISTS (SELECT 1 FROM {Article._meta.db_table} a WHERE a.id = t.article_id)
            ORDER BY key, at
        ),
        claim AS (
            INSERT INTO {ViewDedupe._meta.db_table} AS seen (key, expires_at)
            SELECT key, at + %(window)s FROM incoming ORDER BY key
            ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
            WHERE seen.expires_at <= EXCLUDED.expires_at - %(window)s
            RETURNING key
        ),
        bump AS (
            INSERT INTO {ViewBuffer._meta.db_table} AS buf (article_id, day, shard, views)
            SELECT i.article_id, i.day, %(shard)s, COUNT(*) FROM incoming i
            JOIN claim c ON c.key = i.key
            GROUP BY i.article_id, i.day ORDER BY i.article_id, i.day
            ON CONFLICT (article_id, day, shard) DO UPDATE SET views = buf.views + EXCLUDED.views
        )
        SELECT (SELECT COUNT(*) FROM claim) FROM async_commit
    """  # noqa: S608 - table names come from our models, values are parameters
    params = {
        "keys": [item.key for item in batch],
        "articles": [item.article_id for item in batch],
        "days": [item.day for item in batch],
        "ats": [item.at for item in batch],
        "window": window,
        "shard": random.randrange(_setting("VIEW_BUFFER_SHARDS", 8)),  # noqa: S311
    }
    for attempt in range(2):
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return int(cursor.fetchone()[0])
        except IntegrityError:
            # An article was deleted between the check and the insert: once more
            # leaves it out.
            if attempt:
                raise
    return 0


class DatabaseViewStore:
    """The buffer in PostgreSQL: used when there is no Redis."""

    def record(self, *, article_id: int, key: str, day: date, at: datetime) -> Recorded:
        if write_behind.enabled():
            write_behind.put(Pending(key, article_id, day, at))
            # Whether it counts is settled when the batch is written: a reader seen by
            # another process in the same window is not counted then.
            return Recorded(True, at + dedupe_window())
        # One statement: claim the reader key (new, or its window has passed), and only if
        # that worked add one to a random shard row of the buffer. Two requests from one
        # reader racing each other meet on the key's primary key, so only one counts.
        # Outside a transaction it also turns off waiting for the WAL flush at commit:
        # a crash may lose the last fraction of a second of views, which is cheaper than
        # an fsync per page view.
        async_commit, from_async = "", ""
        if not connection.in_atomic_block:
            async_commit = (
                "async_commit AS MATERIALIZED "
                "(SELECT set_config('synchronous_commit', 'off', true)),"
            )
            from_async = "FROM async_commit"
        sql = f"""
            WITH {async_commit}
            claim AS (
                INSERT INTO {ViewDedupe._meta.db_table} AS seen (key, expires_at)
                VALUES (%(key)s, %(expires)s)
                ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
                WHERE seen.expires_at <= %(at)s
                RETURNING expires_at
            ),
            bump AS (
                INSERT INTO {ViewBuffer._meta.db_table} AS buf (article_id, day, shard, views)
                SELECT %(article)s, %(day)s, %(shard)s, 1 FROM claim
                ON CONFLICT (article_id, day, shard) DO UPDATE SET views = buf.views + 1
                RETURNING 1
            )
            SELECT EXISTS (SELECT 1 FROM bump), COALESCE(
                (SELECT expires_at FROM claim),
                (SELECT expires_at FROM {ViewDedupe._meta.db_table} WHERE key = %(key)s)
            )
            {from_async}
        """  # noqa: S608 - table names come from our models, values are parameters
        params = {
            "key": key,
            "at": at,
            "expires": at + dedupe_window(),
            "article": article_id,
            "day": day,
            "shard": random.randrange(_setting("VIEW_BUFFER_SHARDS", 8)),  # noqa: S311
        }
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                counted, until = cursor.fetchone()
        except IntegrityError:
            # The article was deleted between loading it and counting.
            return Recorded(False, None)
        return Recorded(counted, until)

    def write_batch(self, batch: list[Pending]) -> int:
        return _write_batch(batch)

    def pending(self, article_id: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COALESCE(SUM(views), 0) FROM {ViewBuffer._meta.db_table} "  # noqa: S608
                "WHERE article_id = %s",
                [article_id],
            )
            return cursor.fetchone()[0] + write_behind.pending(article_id)

    def fold(self, batch_size: int = 10_000) -> FoldResult:
        write_behind.flush()
        total = FoldResult()
        while True:
            result = self._fold_batch(batch_size)
            total += result
            if result.views == 0:
                return total

    @transaction.atomic
    def _fold_batch(self, batch_size: int) -> FoldResult:
        # Delete the batch and add it to the totals in one statement, so the counts are
        # either still in the buffer or in the totals, never both and never neither.
        # SKIP LOCKED leaves rows a reader is incrementing right now for the next batch.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH moved AS (
                    DELETE FROM {ViewBuffer._meta.db_table}
                    WHERE id IN (
                        SELECT id FROM {ViewBuffer._meta.db_table}
                        ORDER BY id LIMIT %(batch)s FOR UPDATE SKIP LOCKED
                    )
                    RETURNING article_id, day, views
                ), {_FOLD_UPSERTS}
                SELECT COALESCE(SUM(views), 0), COUNT(DISTINCT article_id) FROM moved
                """,  # noqa: S608
                {"batch": batch_size},
            )
            views, articles = cursor.fetchone()
        return FoldResult(int(views), articles)

    def prune_dedupe(self, at: datetime) -> int:
        return ViewDedupe.objects.filter(expires_at__lte=at).delete()[0]


# Shared by both stores: add the rows of `moved` (article_id, day, views) to the daily
# buckets and the totals. Articles deleted meanwhile are skipped by the joins.
_FOLD_UPSERTS = f"""
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
"""  # noqa: S608


# Counting is only "if the key is new or expired, set it and add one": done in Redis as one
# script so two racing requests cannot both count. Timestamps come from our clock (not
# Redis's) so the window follows `now`, and the key also expires by itself.
_RECORD_SCRIPT = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local last = redis.call('GET', KEYS[1])
if last and now - tonumber(last) < window then return {0, tonumber(last) + window} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
return {1, now + window}
"""

# Move the live buffer aside to fold it. A batch left over by a fold that died is folded
# first, so nothing is lost on restart.
_RECORD_BATCH_SCRIPT = """
local window = tonumber(ARGV[1])
local counted = 0
for i = 3, #KEYS do
  local j = 2 + (i - 3) * 3
  local now = tonumber(ARGV[j])
  local last = redis.call('GET', KEYS[i])
  if not (last and now - tonumber(last) < window) then
    redis.call('SET', KEYS[i], ARGV[j], 'PX', window)
    redis.call('HINCRBY', KEYS[1], ARGV[j + 1], 1)
    redis.call('HINCRBY', KEYS[2], ARGV[j + 2], 1)
    counted = counted + 1
  end
end
return counted
"""

_TAKE_SCRIPT = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[3])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[4]) end
return 1
"""


class RedisViewStore:
    """The buffer in Redis: counting costs one round trip and no database write."""

    def __init__(self, url: str, prefix: str):
        import redis

        self.client = redis.Redis.from_url(url)
        # The braces keep every key in one Redis Cluster slot, as the scripts need.
        base = f"{prefix}{{views}}"
        self.seen_prefix = f"{base}:seen:"
        self.buffer = f"{base}:buffer"
        self.pending_totals = f"{base}:pending"
        self.folding = f"{base}:folding"
        self.folding_totals = f"{base}:folding-pending"
        self.lock = f"{base}:fold-lock"
        self._record = self.client.register_script(_RECORD_SCRIPT)
        self._record_batch = self.client.register_script(_RECORD_BATCH_SCRIPT)
        self._take = self.client.register_script(_TAKE_SCRIPT)

    def record(self, *, article_id: int, key: str, day: date, at: datetime) -> Recorded:
        if write_behind.enabled():
            write_behind.put(Pending(key, article_id, day, at))
            return Recorded(True, at + dedupe_window())
        keys = [self.seen_prefix + key, self.buffer, self.pending_totals]
        window_ms = int(dedupe_window().total_seconds() * 1000)
        args = [int(at.timestamp() * 1000), window_ms, f"{article_id}:{day}", article_id]
        counted, until_ms = self._record(keys=keys, args=args)
        return Recorded(bool(counted), datetime.fromtimestamp(until_ms / 1000, tz=UTC))

    def pending(self, article_id: int) -> int:
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hget(self.pending_totals, article_id)
            pipe.hget(self.folding_totals, article_id)
            live, folding = pipe.execute()
        return int(live or 0) + int(folding or 0) + write_behind.pending(article_id)

    def write_batch(self, batch: list[Pending]) -> int:
        # The same rule as the single-view script, for a whole batch in one round trip.
        keys = [self.buffer, self.pending_totals]
        args = [int(dedupe_window().total_seconds() * 1000)]
        for item in batch:
            keys.append(self.seen_prefix + item.key)
            args += [int(item.at.timestamp() * 1000), f"{item.article_id}:{item.day}"]
            args.append(item.article_id)
        return int(self._record_batch(keys=keys, args=args))

    def fold(self, batch_size: int = 10_000) -> FoldResult:
        write_behind.flush()
        token = uuid.uuid4().hex
        if not self.client.set(self.lock, token, nx=True, ex=600):
            return FoldResult()  # another process is folding right now
        try:
            total = FoldResult()
            keys = [self.buffer, self.pending_totals, self.folding, self.folding_totals]
            while (taken := self._take(keys=keys)) != 0:
                total += self._fold_taken(batch_size)
                # Only the DEL after the commit can be lost; then that batch would count
                # twice, which a crash in a window of one round trip makes very unlikely.
                self.client.delete(self.folding, self.folding_totals)
                if taken == 1:
                    break
            return total
        finally:
            if self.client.get(self.lock) == token.encode():
                self.client.delete(self.lock)

    def _fold_taken(self, batch_size: int) -> FoldResult:
        rows = []
        for field, views in self.client.hgetall(self.folding).items():
            article_id, day = field.decode().split(":")
            rows.append((int(article_id), date.fromisoformat(day), int(views)))
        if not rows:
            return FoldResult()
        with transaction.atomic(), connection.cursor() as cursor:
            for start in range(0, len(rows), batch_size):
                batch = rows[start : start + batch_size]
                cursor.execute(
                    f"""
                    WITH moved AS (
                        SELECT * FROM unnest(%s::bigint[], %s::date[], %s::integer[])
                            AS m(article_id, day, views)
                    ), {_FOLD_UPSERTS}
                    SELECT 1
                    """,  # noqa: S608
                    [[r[0] for r in batch], [r[1] for r in batch], [r[2] for r in batch]],
                )
        return FoldResult(sum(r[2] for r in rows), len({r[0] for r in rows}))

    def prune_dedupe(self, at: datetime) -> int:
        return 0  # Redis expires the keys by itself


_database_store = DatabaseViewStore()


@memoize
def _redis_store(url: str, prefix: str) -> RedisViewStore:
    return RedisViewStore(url, prefix)


def get_store() -> DatabaseViewStore | RedisViewStore:
    backend = _setting("VIEW_STORE", "auto")
    url = _setting("REDIS_URL", "")
    if backend == "redis" or (backend == "auto" and url):
        prefix = _setting("VIEW_REDIS_PREFIX", _setting("CACHE_KEY_PREFIX", "newsportal") + ":")
        return _redis_store(url, prefix)
    return _database_store


def count_view(request: HttpRequest, article: Article) -> bool:
    """Count `request` as a view of `article` if it is a person reading a public article.

    Returns whether the view was counted: False for bots, prefetches, HEAD, staff, drafts,
    and the same reader again within VIEW_DEDUPE_WINDOW.
    """
    if not _setting("VIEW_COUNTING_ENABLED", True):
        return False
    if not article.is_public or not is_countable_request(request):
        return False
    at = now()
    # The site's calendar day, whatever time zone the reader's request activated.
    day = timezone.localdate(at, timezone.get_default_timezone())
    key = reader_key(request, article.pk, day)
    if recent_readers.holds(key, at):
        return False
    counted, until = get_store().record(article_id=article.pk, key=key, day=day, at=at)
    if until is not None:
        recent_readers.remember(key, until)
    maybe_fold()
    return counted


def fold_views(batch_size: int = 10_000) -> FoldResult:
    """Move buffered views into Article.view_count and ArticleViewDay; prune old keys."""
    store = get_store()
    result = store.fold(batch_size)
    store.prune_dedupe(now())
    return result


next_fold_check = 0.0


def maybe_fold() -> None:
    """Fold at most every VIEW_FOLD_INTERVAL seconds, from whichever request comes first.

    Saves running cron for small sites; with the interval at 0, run `fold_views` by cron.
    """
    global next_fold_check
    interval = _setting("VIEW_FOLD_INTERVAL", 60)
    if not interval or time.monotonic() < next_fold_check:
        return
    # Ask the shared cache only once per interval per process, not on every view.
    next_fold_check = time.monotonic() + interval
    if not cache.add("views:fold-due", 1, interval):
        return
    try:
        fold_views()
    except Exception:
        # The reader's page must not fail because of bookkeeping; the next fold retries.
        logger.exception("Folding buffered views failed")


def view_count_display(article: Article) -> int:
    """The views to show: the folded total plus the views still in the buffer."""
    return article.view_count + get_store().pending(article.pk)


# The beacon is exempt from CSRF: it takes no input but the article id, and can only add
# one view per reader and window, the same as loading the page would. A forged cross-site
# POST gains nothing, and browsers say so anyway (Sec-Fetch-Site), so those are ignored.
@csrf_exempt
@require_POST
@never_cache
def view_beacon(request: HttpRequest, pk: int) -> HttpResponse:
    """Count a view from the article page's script: works when the page came from a cache."""
    article = get_object_or_404(
        Article.objects.published().only("id", "status", "published_at"), pk=pk
    )
    if request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none"):
        count_view(request, article)
    return HttpResponse(status=204)
