from django.shortcuts import get_object_or_404
from django.views.generic import DateDetailView, DetailView, ListView

from accounts.models import Author
from articles.models import Article, Category


class PublishedArticlesMixin:
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().select_related("category").prefetch_related("authors")


class HomeView(PublishedArticlesMixin, ListView):
    template_name = "articles/home.html"


class ArticleDetailView(PublishedArticlesMixin, DateDetailView):
    date_field = "published_at"
    month_format = "%m"
    template_name = "articles/article_detail.html"


class SectionView(PublishedArticlesMixin, ListView):
    template_name = "articles/section.html"

    def get_queryset(self):
        self.section = get_object_or_404(Category, slug=self.kwargs["slug"])
        return super().get_queryset().in_section(self.section)


class AuthorView(DetailView):
    model = Author
    template_name = "articles/author.html"
