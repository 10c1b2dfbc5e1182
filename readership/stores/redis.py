"""The view buffer in Redis: counting costs one round trip and no database write.

Reader keys are plain keys that expire by themselves; the buffer is a hash of
`article:day -> views` plus a hash of `article -> views` for the pending totals. Folding
renames both aside and writes them to PostgreSQL in one transaction.
"""

import uuid
from datetime import UTC, date, datetime

from django.db import connection, transaction

from readership.stores.base import FOLD_UPSERTS, FoldResult, Pending, Recorded, dedupe_window

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

# The same rule for a whole batch (from write-behind) in one round trip.
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

# Move the live buffer aside to fold it. A batch left over by a fold that died is folded
# first, so nothing is lost on restart.
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
        keys = [self.seen_prefix + key, self.buffer, self.pending_totals]
        window_ms = int(dedupe_window().total_seconds() * 1000)
        args = [int(at.timestamp() * 1000), window_ms, f"{article_id}:{day}", article_id]
        counted, until_ms = self._record(keys=keys, args=args)
        return Recorded(bool(counted), datetime.fromtimestamp(until_ms / 1000, tz=UTC))

    def write_batch(self, batch: list[Pending]) -> int:
        """Record a batch of views in one script; returns how many counted."""
        keys = [self.buffer, self.pending_totals]
        args = [int(dedupe_window().total_seconds() * 1000)]
        for item in batch:
            keys.append(self.seen_prefix + item.key)
            args += [int(item.at.timestamp() * 1000), f"{item.article_id}:{item.day}"]
            args.append(item.article_id)
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

    def prune_dedupe(self, at: datetime) -> int:
        return 0  # Redis expires the keys by itself
