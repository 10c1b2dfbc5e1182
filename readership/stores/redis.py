"""The view buffer in Redis: counting costs one round trip and no database write.

Reader keys and the per-address counts of new readers are plain keys that expire by
themselves; the buffer is a hash of `article:day -> views` plus a hash of
`article -> views` for the pending totals. Folding
renames both aside and writes them to PostgreSQL in one transaction.
"""

import uuid
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from readership.stores.base import (
    ADDRESS_LIFETIME,
    FOLD_UPSERTS,
    FoldResult,
    Pending,
    Recorded,
    dedupe_window,
)

# Counting is only "if the key is new or expired, set it and add one": done in Redis as one
# script so two racing requests cannot both count. Timestamps come from our clock (not
# Redis's) so the window follows `now`, and the key also expires by itself. A new anonymous
# reader first adds one to their address's count for the minute (KEYS[4]); past the bound
# (ARGV[5]) the key is not set, so that reader can still count in a later minute.
_RECORD_SCRIPT = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local last = redis.call('GET', KEYS[1])
if last and now - tonumber(last) < window then return {0, tonumber(last) + window} end
if KEYS[4] then
  local readers = redis.call('INCR', KEYS[4])
  if readers == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[6]) end
  if readers > tonumber(ARGV[5]) then return {0, 0} end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
return {1, now + window}
"""

# The same rule for a whole batch (from write-behind) in one round trip. Each view brings
# two keys (reader, address) and four arguments (time, buffer field, article, bounded).
_RECORD_BATCH_SCRIPT = """
local window, limit, lifetime = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local counted = 0
for i = 3, #KEYS, 2 do
  local j = 4 + (i - 3) * 2
  local now = tonumber(ARGV[j])
  local last = redis.call('GET', KEYS[i])
  if not (last and now - tonumber(last) < window) then
    local admitted = true
    if ARGV[j + 3] == '1' then
      local readers = redis.call('INCR', KEYS[i + 1])
      if readers == 1 then redis.call('PEXPIRE', KEYS[i + 1], lifetime) end
      admitted = readers <= limit
    end
    if admitted then
      redis.call('SET', KEYS[i], ARGV[j], 'PX', window)
      redis.call('HINCRBY', KEYS[1], ARGV[j + 1], 1)
      redis.call('HINCRBY', KEYS[2], ARGV[j + 2], 1)
      counted = counted + 1
    end
  end
end
return counted
"""

# Move the live buffer aside to fold it. A batch left over by a fold that died is folded
# first, so nothing is lost on restart.
_TAKE_SCRIPT = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[3])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[4]) end
return 1
"""


def _ms(duration: timedelta) -> int:
    return int(duration.total_seconds() * 1000)


class RedisViewStore:
    """The buffer in Redis: counting costs one round trip and no database write."""

    def __init__(self, url: str, prefix: str):
        import redis

        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
            socket_timeout=settings.REDIS_TIMEOUT,
        )
        # The braces keep every key in one Redis Cluster slot, as the scripts need.
        base = f"{prefix}{{views}}"
        self.seen_prefix = f"{base}:seen:"
        self.address_prefix = f"{base}:address:"
        self.buffer = f"{base}:buffer"
        self.pending_totals = f"{base}:pending"
        self.folding = f"{base}:folding"
        self.folding_totals = f"{base}:folding-pending"
        self.lock = f"{base}:fold-lock"
        self._record = self.client.register_script(_RECORD_SCRIPT)
        self._record_batch = self.client.register_script(_RECORD_BATCH_SCRIPT)
        self._take = self.client.register_script(_TAKE_SCRIPT)

    def record(
        self, *, article_id: int, key: str, day: date, at: datetime, address: str = ""
    ) -> Recorded:
        keys = [self.seen_prefix + key, self.buffer, self.pending_totals]
        if address:
            keys.append(self.address_prefix + address)
        args = [int(at.timestamp() * 1000), _ms(dedupe_window()), f"{article_id}:{day}"]
        args.append(article_id)
        args += [settings.VIEW_READERS_PER_ADDRESS, _ms(ADDRESS_LIFETIME)]
        counted, until_ms = self._record(keys=keys, args=args)
        if not until_ms:
            return Recorded(False, None)  # over the address's bound: not remembered
        return Recorded(bool(counted), datetime.fromtimestamp(until_ms / 1000, tz=UTC))

    def write_batch(self, batch: list[Pending]) -> int:
        """Record a batch of views in one script; returns how many counted."""
        keys = [self.buffer, self.pending_totals]
        args = [_ms(dedupe_window()), settings.VIEW_READERS_PER_ADDRESS, _ms(ADDRESS_LIFETIME)]
        for item in batch:
            # An unbounded view still names an address key (never touched) so that every
            # view brings the same number of keys.
            keys += [self.seen_prefix + item.key, self.address_prefix + item.address]
            args += [int(item.at.timestamp() * 1000), f"{item.article_id}:{item.day}"]
            args += [item.article_id, "1" if item.address else "0"]
        return int(self._record_batch(keys=keys, args=args))

    def pending(self, article_id: int) -> int:
        """Views of the article in the buffer (and in a fold under way), not yet folded."""
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hget(self.pending_totals, article_id)
            pipe.hget(self.folding_totals, article_id)
            live, folding = pipe.execute()
        return int(live or 0) + int(folding or 0)

    def fold(self, batch_size: int = 10_000) -> FoldResult:
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
                    ), {FOLD_UPSERTS}
                    SELECT 1
                    """,  # noqa: S608
                    [[r[0] for r in batch], [r[1] for r in batch], [r[2] for r in batch]],
                )
        return FoldResult(sum(r[2] for r in rows), len({r[0] for r in rows}))

    def remember_readers(self, claims: list[tuple[str, datetime]], at: datetime) -> None:
        """Take over reader keys claimed elsewhere (key, until), keeping any already here."""
        window = dedupe_window()
        with self.client.pipeline(transaction=False) as pipe:
            for key, until in claims:
                left = _ms(until - at)
                if left > 0:
                    counted_at = int((until - window).timestamp() * 1000)
                    pipe.set(self.seen_prefix + key, counted_at, px=left, nx=True)
            pipe.execute()

    def prune_dedupe(self, at: datetime) -> int:
        return 0  # Redis expires the keys by itself
