from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.page_cache import page_expires_at
from frontpage.banners import current_banner
from frontpage.fragments import zones_fragment

register = template.Library()


@register.simple_tag(takes_context=True)
def breaking_banner(context) -> str:
    """The breaking-news banner, on every page; a cached copy of the page ends with it.
    Without one, no template is rendered (an inclusion tag ran every context processor
    again for its empty one)."""
    banner = current_banner()
    if not banner:
        return ""
    request = context.get("request")
    if request is not None:
        page_expires_at(request, banner["expires_at"])
    return render_to_string("frontpage/_banner.html", {"banner": banner})


@register.simple_tag(takes_context=True)
def section_top_stories(context, section):
    """The zones editors placed at the top of a section's page (usually pinned stories)."""
    zones = zones_fragment(page_id=section.pk, on_section=True)
    request = context.get("request")
    if request is not None:
        page_expires_at(request, zones.until)
    return mark_safe(zones.html)  # noqa: S308 (rendered by our own template, escaped there)
