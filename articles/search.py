"""Full-text search over published articles: query building, ranking, snippets, suggestions.

The search vector is written by a database trigger (migration 0005_search) with the
``newsportal_search`` configuration: English stemming behind unaccent, so "café" finds "cafe".
"""

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, FloatField, Func, Prefetch, Q, TextField, Value
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from accounts.models import Author
from articles.models import Article, ArticleAuthor, Category

CONFIG = "newsportal_search"
# Plain unaccented words, for the word being typed (migration 0007_search_prefix_words).
PREFIX_CONFIG = "newsportal_simple"
MAX_QUERY_LENGTH = 200
MAX_RESULTS = 1000
MAX_TERMS = 12
MAX_TERM_LENGTH = 60
MIN_PREFIX_LENGTH = 3
MAX_SUGGESTED_TERMS = 4
SUGGESTION_SIMILARITY = 0.4

# Private-use characters mark the matches in ts_headline's output: they cannot be typed into
# the query (clean_query removes them), and they survive HTML escaping untouched.
START_SEL = "\ue000"
STOP_SEL = "\ue001"
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
WORD = re.compile(r"\w+")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def clean_query(raw: str) -> str:
    """The query as we search it: no control characters, single spaces, at most 200 chars."""
    text = UNSAFE_CHARACTERS.sub(" ", raw[: MAX_QUERY_LENGTH * 4])
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def query_terms(query: str) -> list[str]:
    return [term[:MAX_TERM_LENGTH] for term in WORD.findall(query)[:MAX_TERMS]]


def tsquery_parts(query: str) -> tuple[str | None, str | None]:
    """to_tsquery input for the whole words, and for the word still being typed.

    Every term is quoted and made only of word characters, so the operators
    to_tsquery understands (& | ! <-> : * parentheses) can never come from the reader.
    """
    quoted = [f"'{term}'" for term in query_terms(query)]
    if not quoted:
        return None, None
    still_typing = bool(re.search(r"\w$", query))
    if still_typing and len(quoted[-1]) - 2 >= MIN_PREFIX_LENGTH:
        return " & ".join(quoted[:-1]) or None, f"{quoted[-1]}:*"
    return " & ".join(quoted), None


def strip_tags_sql(expression):
    return Func(
        expression,
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def days_old():
    return Func(
        F("published_at"),
        template="(EXTRACT(EPOCH FROM (now() - %(expressions)s)) / 86400.0)",
        output_field=FloatField(),
    )


def to_search_query(query: str) -> SearchQuery | None:
    """All words must match; the last one also as a prefix of a stem or of a plain word."""
    words, prefix = tsquery_parts(query)
    search_query = SearchQuery(words, search_type="raw", config=CONFIG) if words else None
    if prefix:
        typed = SearchQuery(prefix, search_type="raw", config=CONFIG) | SearchQuery(
            prefix, search_type="raw", config=PREFIX_CONFIG
        )
        search_query = search_query & typed if search_query else typed
    return search_query


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone, like published_at__date."""
    return timezone.make_aware(datetime.combine(day, time.min))


def matching_articles(*, query: str = "", section=None, author=None, date_from=None, date_to=None):
    """Published articles that contain every word of the query and pass the filters."""
    articles = Article.objects.published()
    if section is not None:
        articles = articles.in_section(section)
    if author is not None:
        articles = articles.filter(bylines__author=author)
    # Ranges on published_at itself, which its indexes serve (published_at__date does not).
    if date_from is not None:
        articles = articles.filter(published_at__gte=start_of_day(date_from))
    if date_to is not None and date_to < date.max:
        articles = articles.filter(published_at__lt=start_of_day(date_to + timedelta(days=1)))
    search_query = to_search_query(query)
    if search_query is not None:
        articles = articles.filter(search_vector=search_query)
    return articles


def relevance(search_query: SearchQuery):
    """PostgreSQL's ts_rank over the weighted vector, times a recency boost that halves
    within a week and fades out over months, so a fresh story wins a tie but a headline
    match in an older story still beats a passing mention in today's."""
    recency = Value(1.0) + Value(1.0) / (Value(1.0) + days_old() / Value(7.0))
    return SearchRank(F("search_vector"), search_query) * recency


def ranked(articles, query: str, *, newest_first: bool = False):
    """The ids of the matches, best first (or newest first): slice it, then with_snippets.

    Only the id and the score are computed for every match; everything shown is fetched
    for the slice alone.
    """
    articles = articles.order_by("-published_at", "-id")
    search_query = to_search_query(query)
    if search_query is not None and not newest_first:
        articles = articles.annotate(score=relevance(search_query)).order_by(
            "-score", "-published_at", "-id"
        )
    return articles.values("pk")


def with_snippets(page, query: str):
    """The articles of ``page`` (a slice of ``ranked``) in its order, with what a result shows.

    ts_headline parses an article's whole text again, so it runs only for these rows: the
    page's ids come from ``page`` as a subquery, and the highlighted headline and snippet,
    the section and the bylines are fetched for those ids alone, in the same statement.
    """
    articles = (
        Article.objects.filter(pk__in=page)
        .defer("body", "search_vector")
        .select_related("category")
        .prefetch_related(
            Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author"))
        )
    )
    search_query = to_search_query(query)
    if search_query is None:
        return articles.order_by(*page.query.order_by)
    if "score" in page.query.annotations:
        # The same expression in the same statement: the same order as the subquery's.
        articles = articles.annotate(score=relevance(search_query))
    headline_options = {"config": CONFIG, "start_sel": START_SEL, "stop_sel": STOP_SEL}
    return articles.order_by(*page.query.order_by).annotate(
        title_headline=SearchHeadline(
            "title", search_query, highlight_all=True, **headline_options
        ),
        snippet=SearchHeadline(
            Func(
                F("standfirst"),
                Value(" "),
                strip_tags_sql(F("body")),
                function="concat",
                output_field=TextField(),
            ),
            search_query,
            max_words=35,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
            **headline_options,
        ),
    )


def search_articles(*, limit: int = 20, **criteria):
    """The best ``limit`` published articles matching ``criteria`` (see matching_articles)."""
    query = criteria.get("query", "")
    return with_snippets(ranked(matching_articles(**criteria), query)[:limit], query)


@contextmanager
def local_settings(settings: dict[str, str]) -> Iterator[None]:
    """Run the block in a transaction with these PostgreSQL settings.

    They last until that transaction ends: the block's own, or the caller's if the block
    runs inside one (no savepoint, which would not end them anyway).
    """
    with transaction.atomic(savepoint=False):
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)),
                [item for name_value in settings.items() for item in name_value],
            )
        yield


# For a common word the planner reckons reading the whole table cheaper than the GIN index:
# it prices the @@ test as one cheap operator, but each test reads a vector of a kilobyte or
# more. Through the index, only the matches' vectors are read (twice as fast on 10,000
# articles, see docs/search.md). The other indexes stay available for the filters.
INDEX_SCANS = {"enable_seqscan": "off"}


class CappedPaginator(Paginator):
    """Pages of ``ranked`` ids, shown with_snippets. Counts at most MAX_RESULTS matches:
    nobody reads page 51, and counting stops early for a common word."""

    def __init__(self, *args, count_from, query: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_from = count_from
        self.query = query

    @cached_property
    def count(self):
        return self.count_from.order_by()[:MAX_RESULTS].count()

    def _get_page(self, object_list, *args, **kwargs):
        return super()._get_page(with_snippets(object_list, self.query), *args, **kwargs)


def highlight(text: str) -> SafeString:
    """Escape everything, then turn ts_headline's match markers into balanced <mark> tags."""
    parts = []
    open_mark = False
    for part in re.split(f"({START_SEL}|{STOP_SEL})", text):
        if part == START_SEL and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif part == STOP_SEL and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif part not in (START_SEL, STOP_SEL):
            parts.append(escape(part))
    if open_mark:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text was escaped above


def with_ellipses(snippet: str, article) -> str:
    """Mark a snippet cut from the middle of the text as such, at either end."""
    snippet = snippet.strip()
    plain = snippet.replace(START_SEL, "").replace(STOP_SEL, "")
    if not (article.standfirst or plain).startswith(plain[:12]):
        snippet = "… " + snippet
    if not plain.endswith((".", "!", "?", "…", '"', "”")):
        snippet += " …"
    return snippet


def trigrams(word: str) -> set[str]:
    # The same trigrams pg_trgm makes: lower case, two spaces before and one after.
    padded = f"  {word.lower()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigram_similarity(a: str, b: str) -> float:
    first, second = trigrams(a), trigrams(b)
    return len(first & second) / len(first | second)


def suggest(query: str) -> str | None:
    """A respelling of the query from words in published headlines, or None.

    One indexed query (word_similarity on the title's trigram index) finds headlines with
    words close to the reader's; the closest word for each term then replaces it.
    """
    terms = query_terms(query)
    checked = [term for term in terms if len(term) >= MIN_PREFIX_LENGTH and not term.isdigit()][
        :MAX_SUGGESTED_TERMS
    ]
    if not checked:
        return None
    close_to_any = Q()
    for term in checked:
        close_to_any |= Q(title__trigram_word_similar=term)
    similarities = [TrigramWordSimilarity(term, "title") for term in checked]
    # The operator's own threshold (0.6) misses one-letter slips in short words.
    with local_settings({"pg_trgm.word_similarity_threshold": str(SUGGESTION_SIMILARITY)}):
        titles = list(
            Article.objects.published()
            .filter(close_to_any)
            .annotate(closeness=Greatest(*similarities) if len(checked) > 1 else similarities[0])
            .order_by("-closeness")
            .values_list("title", flat=True)[:30]
        )
    words = {word.lower() for title in titles for word in WORD.findall(title)}
    suggestion = []
    for term in terms:
        best = max(words, key=lambda word: (trigram_similarity(term, word), word), default=None)
        if (
            term in checked
            and best is not None
            and trigram_similarity(term, best) >= SUGGESTION_SIMILARITY
        ):
            suggestion.append(best)
        else:
            suggestion.append(term.lower())
    suggested = " ".join(suggestion)
    return suggested if suggested != " ".join(terms).lower() else None


class DatePicker(forms.DateInput):
    """A date input that never echoes back something that is not a date: HTML allows only
    yyyy-mm-dd as its value (browsers show anything else as empty anyway), and the field's
    error message already says what was wrong."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            try:
                return date.fromisoformat(value).isoformat() if ISO_DATE.fullmatch(value) else None
            except ValueError:
                return None
        return super().format_value(value)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), required=False, max_length=MAX_QUERY_LENGTH)
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All sections"),
    )
    author = forms.ModelChoiceField(
        label=_("Author"),
        queryset=Author.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All authors"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DatePicker())
    date_to = forms.DateField(label=_("To"), required=False, widget=DatePicker())
    sort = forms.ChoiceField(
        label=_("Order"),
        choices=[("", _("Best match")), ("newest", _("Newest first"))],
        required=False,
    )

    def __init__(self, data=None, **kwargs):
        if data is not None:
            # Hostile input is cleaned, not refused: a NUL byte or a 10 kB query must not
            # turn a search into an error page (or reach PostgreSQL, which rejects NULs).
            data = data.copy()
            for key in data:
                data.setlist(key, [value.replace("\x00", "") for value in data.getlist(key)])
            data["q"] = clean_query(data.get("q", ""))
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned

    def has_criteria(self) -> bool:
        return self.is_valid() and any(
            value for name, value in self.cleaned_data.items() if name != "sort"
        )


class SearchView(ListView):
    template_name = "articles/search.html"
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
            self.matches = Article.objects.none()
            return self.matches
        data = self.form.cleaned_data
        self.matches = self.matches_for(data["q"])
        return ranked(self.matches, data["q"], newest_first=data["sort"] == "newest")

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
        return CappedPaginator(
            queryset, per_page, count_from=self.matches, query=self.query, **kwargs
        )

    @property
    def query(self) -> str:
        return self.form.cleaned_data["q"] if self.form.is_valid() else ""

    def paginate_queryset(self, queryset, page_size):
        # Both the count and the page go through the GIN index; a page out of range is a 404
        # raised after the transaction, so that the transaction does not end in an error.
        with local_settings(INDEX_SCANS):
            try:
                paginator, page, results, is_paginated = super().paginate_queryset(
                    queryset, page_size
                )
            except Http404 as error:
                not_found = error
            else:
                not_found = None
                page.object_list = list(results)
        if not_found:
            raise not_found
        for article in page.object_list:
            if hasattr(article, "snippet"):
                article.title_html = highlight(article.title_headline)
                # The body is HTML: its entities are decoded before the text is escaped again.
                article.snippet_html = highlight(
                    with_ellipses(html.unescape(article.snippet), article)
                )
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
            results_capped=bool(context["paginator"])
            and context["paginator"].count >= MAX_RESULTS,
            search_query=query,
            suggestion=suggestion,
            suggestion_query=suggestion_params.urlencode() if suggestion_params else "",
        )
        return context
