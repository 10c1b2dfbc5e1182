from django import template

from articles.page_cache import page_expires_at
from frontpage.banners import current_banner
from frontpage.selection import selection_for

register = template.Library()


@register.inclusion_tag("frontpage/_banner.html", takes_context=True)
def breaking_banner(context):
    """The breaking-news banner, on every page; a cached copy of the page ends with it."""
    banner = current_banner()
    request = context.get("request")
    if banner and request is not None:
        page_expires_at(request, banner["expires_at"])
    return {"banner": banner}


@register.inclusion_tag("frontpage/_zones.html", takes_context=True)
def section_top_stories(context, section):
    """The zones editors placed at the top of a section's page (usually pinned stories)."""
    selection = selection_for(page_id=section.pk)
    request = context.get("request")
    if request is not None:
        page_expires_at(request, selection.until)
    return {"blocks": selection.blocks, "heading_level": 2, "on_section": True}
