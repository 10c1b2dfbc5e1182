"""Which stories each zone of a page shows, as of a time: pins first, then the rule.

A page's selection is built in a fixed number of queries however many zones it has (the
zones with their pins and the next scheduled story, one UNION of every zone's rule, the
stories, their bylines) and shared from the cache until the next change: a purge (every
`articles.page_cache.pages_purge` drops the generation it is kept under) or the next
time a pin starts or ends or a scheduled story goes out, whichever comes first.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

from articles.models import Article
from articles.page_cache import FRONT_SELECTION_KEY
from frontpage.defaults import DEFAULT_FRONT_ZONES
from frontpage.models import Pin, Zone

# A safety net only: every change we know of purges at once, and time-driven changes end
# an entry at their own time.
SELECTION_SECONDS = 600
GENERATION_SECONDS = 24 * 60 * 60


@dataclass
class Block:
    zone: Zone
    stories: list[Article]


@dataclass
class Selection:
    blocks: list[Block]
    # When the selection changes by itself (a pin starts or ends, a story goes out).
    until: datetime | None

    @property
    def lead(self) -> Article | None:
        for block in self.blocks:
            if block.stories:
                return block.stories[0]
        return None


def _rule(zone: Zone, at: datetime):
    stories = Article.objects.published(at)
    if zone.section_id:
        stories = stories.filter(category_id=zone.section_id)
    if zone.tag_id:
        stories = stories.filter(tags__id=zone.tag_id)
    if zone.featured_only:
        stories = stories.filter(is_featured=True)
    return stories.order_by("-published_at", "-id")


def _candidates(zones: list[Zone], pins: dict[int, list[int]], at) -> dict[int, list[int]]:
    """Each zone's newest matching story ids, enough to fill it whatever the zones above
    it take: one UNION ALL query, each part a short range scan on an index."""
    parts, taken_above = [], 0
    for zone in zones:
        if not zone.size:
            continue
        # Pins can drop out (shown higher up, unpublished): the rule stands in for them.
        pinned = len(pins.get(zone.pk, []))
        limit = zone.size + pinned + (0 if zone.allow_repeats else taken_above)
        parts.append(
            _rule(zone, at).annotate(zone_key=Value(zone.pk)).values_list("zone_key", "pk")[:limit]
        )
        if not zone.allow_repeats:
            taken_above += max(zone.size, pinned)
    found: dict[int, list[int]] = {}
    if parts:
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for zone_key, pk in query:
            found.setdefault(zone_key, []).append(pk)
    return found


def _next_scheduled(at):
    """When the next scheduled story goes out: one index lookup."""
    scheduled = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=at)
    return scheduled.order_by("published_at").values_list("published_at", flat=True)[:1]


def _zones(page_id: int | None, at) -> tuple[list[Zone], list[Pin], datetime | None]:
    """The page's visible zones in order, every pin of theirs, and when the next scheduled
    story goes out: one query, the pins as a JSON array on each zone."""
    pins = Pin.objects.filter(zone=OuterRef("pk")).order_by("position", "id")
    fields = JSONObject(id="id", article_id="article_id", starts_at="starts_at", ends_at="ends_at")
    zones = list(
        Zone.objects.filter(page_id=page_id, is_visible=True)
        .select_related("section")
        .annotate(
            pin_rows=ArraySubquery(pins.values(json=fields)),
            scheduled=Subquery(_next_scheduled(at)),
        )
        .order_by("position", "id")
    )
    if not zones:
        # Only the front page's stand-in zones (below) need to know it then.
        return [], [], _next_scheduled(at).first() if page_id is None else None
    all_pins = [
        Pin(
            pk=row["id"],
            zone_id=zone.pk,
            article_id=row["article_id"],
            starts_at=_moment(row["starts_at"]),
            ends_at=_moment(row["ends_at"]),
        )
        for zone in zones
        for row in zone.pin_rows
    ]
    return zones, all_pins, zones[0].scheduled


def _moment(value: str | None) -> datetime | None:
    # A timestamptz in JSON is ISO 8601 with its offset.
    return datetime.fromisoformat(value) if value else None


def _next_change(pins: list[Pin], scheduled: datetime | None, at) -> datetime | None:
    times = [t for pin in pins for t in (pin.starts_at, pin.ends_at) if t and t > at]
    if scheduled:
        times.append(scheduled)
    return min(times, default=None)


def selection_build(*, page_id: int | None, at: datetime) -> Selection:
    """The zones of a page (None: the front page) with their stories as of `at`."""
    zones, all_pins, scheduled = _zones(page_id, at)
    if not zones and page_id is None:
        # Unsaved stand-ins with made-up keys: they have no pins and are never written.
        zones = [Zone(pk=-n, **zone) for n, zone in enumerate(DEFAULT_FRONT_ZONES, start=1)]
    if not zones:
        return Selection(blocks=[], until=None)
    pinned: dict[int, list[int]] = {}
    for pin in all_pins:
        if pin.is_active(at):
            pinned.setdefault(pin.zone_id, []).append(pin.article_id)
    candidates = _candidates(zones, pinned, at)
    wanted = {pk for ids in (*pinned.values(), *candidates.values()) for pk in ids}
    stories = Article.objects.published(at).with_bylines().defer("body", "search_vector")
    by_id = stories.in_bulk(wanted)
    blocks, shown = [], set()
    for zone in zones:
        chosen: list[Article] = []
        skip = set() if zone.allow_repeats else shown
        for pk in pinned.get(zone.pk, []):
            if pk in by_id and pk not in skip and by_id[pk] not in chosen:
                chosen.append(by_id[pk])
        for pk in candidates.get(zone.pk, []):
            if len(chosen) >= zone.size:
                break
            if pk in by_id and pk not in skip and by_id[pk] not in chosen:
                chosen.append(by_id[pk])
        if not zone.allow_repeats:
            shown.update(story.pk for story in chosen)
        blocks.append(Block(zone=zone, stories=chosen))
    return Selection(blocks=blocks, until=_next_change(all_pins, scheduled, at))


def generation() -> str:
    generation = cache.get(FRONT_SELECTION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        if not cache.add(FRONT_SELECTION_KEY, generation, GENERATION_SECONDS):
            generation = cache.get(FRONT_SELECTION_KEY) or generation
    return generation


def selection_for(*, page_id: int | None, at: datetime | None = None) -> Selection:
    """The page's selection now, from the cache; as of `at` (a staff preview), built fresh."""
    if at is not None:
        return selection_build(page_id=page_id, at=at)
    now = timezone.now()
    key = f"frontpage:selection:{generation()}:{page_id or 0}"
    selection = cache.get(key)
    if selection is None or (selection.until is not None and selection.until <= now):
        selection = selection_build(page_id=page_id, at=now)
        seconds = SELECTION_SECONDS
        if selection.until is not None:
            seconds = min(seconds, int((selection.until - now).total_seconds()))
        if seconds > 0:
            cache.set(key, selection, seconds)
    return selection
