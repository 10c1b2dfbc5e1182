from django.db.models import Max

from articles.sitemaps import PublicSitemap
from pages.models import Page


class PageSitemap(PublicSitemap):
    changefreq = "yearly"

    def items(self):
        return Page.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, page):
        return page.updated_at

    def get_latest_lastmod(self):
        # One aggregate, not every page loaded; None (no pages) drops the index's
        # Last-Modified, as Django does for any sitemap that cannot say.
        return Page.objects.published().aggregate(latest=Max("updated_at"))["latest"]
