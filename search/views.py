from django.http import Http404
from django.utils.cache import patch_vary_headers
from django.views.generic import ListView

from articles.models import Article
from search.forms import SearchForm
from search.highlight import add_highlights
from search.paginator import CappedPaginator
from search.query import INDEX_SCANS, local_settings, matching_articles, ranked
from search.suggest import suggest


class SearchView(ListView):
    template_name = "search/search.html"
    context_object_name = "results"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        self.form = SearchForm(request.GET or None)
        response = super().get(request, *args, **kwargs)
        # htmx only swaps in 2xx answers, and the results fragment explains the errors itself.
        if self.form.is_bound and not self.form.is_valid() and not request.htmx:
            response.status_code = 400
        patch_vary_headers(response, ["HX-Request"])
        return response

    def get_template_names(self):
        if self.request.htmx:
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def get_queryset(self):
        if not self.form.has_criteria():
            return Article.objects.none()
        return self.matches_for(self.query)

    def matches_for(self, query: str):
        data = self.form.cleaned_data
        return matching_articles(
            query=query,
            section=data["section"],
            author=data["author"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        return CappedPaginator(queryset, per_page, query=self.query, **kwargs)

    @property
    def query(self) -> str:
        return self.form.cleaned_data["q"] if self.form.is_valid() else ""

    def paginate_queryset(self, queryset, page_size):
        # The ranking and the page's rows go through the indexes; a page out of range is a
        # 404 raised after the transaction, so that the transaction does not end in an error.
        with local_settings(INDEX_SCANS):
            newest_first = self.form.is_valid() and self.form.cleaned_data["sort"] == "newest"
            searching = self.form.has_criteria()
            ids = ranked(queryset, self.query, newest_first=newest_first) if searching else []
            try:
                paginator, page, results, is_paginated = super().paginate_queryset(ids, page_size)
            except Http404 as error:
                not_found = error
            else:
                not_found = None
        if not_found:
            raise not_found
        add_highlights(page.object_list)
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        query = self.query
        context = super().get_context_data(**kwargs)
        suggestion = None
        if query and context["paginator"] and not context["paginator"].count:
            suggestion = suggest(query)
        # Only offer a respelling that finds something with the same filters.
        if suggestion and not self.matches_for(suggestion).exists():
            suggestion = None
        suggestion_params = None
        if suggestion:
            suggestion_params = self.request.GET.copy()
            suggestion_params["q"] = suggestion
            suggestion_params.pop("page", None)
        context.update(
            form=self.form,
            searching=self.form.has_criteria(),
            results_capped=bool(context["paginator"]) and context["paginator"].capped,
            search_query=query,
            suggestion=suggestion,
            suggestion_query=suggestion_params.urlencode() if suggestion_params else "",
        )
        return context
