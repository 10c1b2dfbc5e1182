from django import template

from pages.selectors import footer_pages as _footer_pages

register = template.Library()


@register.simple_tag
def footer_pages(path: str = "") -> list[dict]:
    """The footer's page links, from the cache: no query on an ordinary page view. The
    link to the page at `path` is marked current, so the rendered list is one piece for
    every other page."""
    return [{**link, "current": link["url"] == path} for link in _footer_pages()]
