from django.views.generic import DetailView

from articles.page_cache import PublicPageCacheMixin
from pages.models import Page


class PageView(PublicPageCacheMixin, DetailView):
    template_name = "pages/page.html"
    context_object_name = "page"

    def get_queryset(self):
        return Page.objects.published()
