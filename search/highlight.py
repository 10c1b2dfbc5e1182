"""What a result shows: the page's rows with highlighted headlines and snippets.

ts_headline marks the matches with two private-use characters (search.query.START_SEL and
STOP_SEL); Python escapes the text and only then turns the markers into <mark> tags.
"""

import html
import re

from django.contrib.postgres.search import SearchHeadline
from django.db.models import F, Func, TextField, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from search.query import CONFIG, START_SEL, STOP_SEL, relevance, to_search_query


def strip_tags_sql(expression):
    return Func(
        expression,
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def with_snippets(page, query: str):
    """The articles of ``page`` (a slice of ``ranked``) in its order, with what a result shows.

    ts_headline parses an article's whole text again, so it runs only for these rows: the
    page's ids come from ``page`` as a subquery, and the highlighted headline and snippet,
    the section and the bylines are fetched for those ids alone, in the same statement.
    """
    articles = Article.objects.filter(pk__in=page).defer("body", "search_vector").with_bylines()
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


def add_highlights(articles) -> None:
    """Give each row fetched with_snippets its safe ``title_html`` and ``snippet_html``."""
    for article in articles:
        if hasattr(article, "snippet"):
            article.title_html = highlight(article.title_headline)
            # The body is HTML: its entities are decoded before the text is escaped again.
            article.snippet_html = highlight(
                with_ellipses(html.unescape(article.snippet), article)
            )
