from django import template

from pages.selectors import footer_pages as _footer_pages

register = template.Library()


@register.simple_tag
def footer_pages() -> list[dict]:
    """The footer's page links, from the cache: no query on an ordinary page view."""
    return _footer_pages()
