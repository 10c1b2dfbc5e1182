from django.core.cache import cache

from pages.models import Page

# Every page's footer shows these links: kept in the cache, dropped by the services.
FOOTER_KEY = "pages:footer"
FOOTER_SECONDS = 24 * 60 * 60


def footer_pages() -> list[dict]:
    """Title and address of each page linked from the footer, in order; cached."""
    links = cache.get(FOOTER_KEY)
    if links is None:
        links = [
            {"title": page.title, "url": page.get_absolute_url()}
            for page in Page.objects.in_footer().only("title", "slug")
        ]
        cache.set(FOOTER_KEY, links, FOOTER_SECONDS)
    return links
