"""The zones of a page rendered once and shared: the HTML of every card is the bulk of a
front page's rendering (about 100 ms of CPU per request on the demo site), and it changes
only when its selection does."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from frontpage.selection import SELECTION_SECONDS, Selection, generation, selection_for


@dataclass
class Fragment:
    html: str
    # When the zones change by themselves (see Selection.until).
    until: datetime | None
    # The first story's picture, for the page's social card; "" when there is none.
    lead_image: str
    has_stories: bool


def _render(selection: Selection, *, on_section: bool) -> Fragment:
    html = render_to_string(
        "frontpage/_zones.html", {"blocks": selection.blocks, "on_section": on_section}
    )
    lead = selection.lead
    return Fragment(
        html=html,
        until=selection.until,
        lead_image=lead.social_image_url if lead else "",
        has_stories=lead is not None,
    )


def zones_fragment(
    *, page_id: int | None, at: datetime | None = None, on_section: bool = False
) -> Fragment:
    """The page's zones as HTML, from the cache; as of `at` (a staff preview), fresh."""
    if at is not None:
        return _render(selection_for(page_id=page_id, at=at), on_section=on_section)
    now = timezone.now()
    key = f"frontpage:html:{generation()}:{page_id or 0}:{get_language()}"
    fragment = cache.get(key)
    if fragment is None or (fragment.until is not None and fragment.until <= now):
        fragment = _render(selection_for(page_id=page_id), on_section=on_section)
        seconds = SELECTION_SECONDS
        if fragment.until is not None:
            seconds = min(seconds, int((fragment.until - now).total_seconds()))
        if seconds > 0:
            cache.set(key, fragment, seconds)
    return fragment
