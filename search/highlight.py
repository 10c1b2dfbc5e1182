"""What a result shows: the page's rows with highlighted headlines and snippets.

ts_headline marks the matches with two private-use characters (search.query.START_SEL and
STOP_SEL); Python escapes the text and only then turns the markers into <mark> tags.
"""

import html
import re

from django.contrib.postgres.search import SearchHeadline
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from search.query import CONFIG, START_SEL, STOP_SEL, to_search_query

# ts_headline parses all of the text it is given, at a cost that grows with its length (a
# third of the page's SQL time for 20 demo stories of 1,800 characters; a long read costs
# more): the snippet is cut from the standfirst and the body's first this many characters.
SNIPPET_SOURCE_CHARS = 1000


# What a result shows and links to (Article.get_absolute_url): loading the other columns
# of the wide row cost 2 ms a page.
RESULT_FIELDS = (
    "title",
    "slug",
    "standfirst",
    "published_at",
    "publish_date",
    "created_at",
    "category__name",
    "category__slug",
)


def strip_tags_sql(expression):
    # A tag cut short at the end of the text goes too.
    return Func(
        expression,
        Value("<[^>]*(>|$)"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def with_snippets(ids: list[int], query: str) -> list[Article]:
    """The articles of ``ids`` (a page of ``ranked``) in that order, with what a result shows.

    ts_headline parses an article's text again, so it runs only for these rows, in the
    statement that fetches them with their section (and their bylines, prefetched).
    """
    articles = Article.objects.filter(pk__in=ids).only(*RESULT_FIELDS).with_bylines()
    search_query = to_search_query(query)
    if search_query is not None:
        headline_options = {"config": CONFIG, "start_sel": START_SEL, "stop_sel": STOP_SEL}
        articles = articles.annotate(
            title_headline=SearchHeadline(
                "title", search_query, highlight_all=True, **headline_options
            ),
            snippet=SearchHeadline(
                Func(
                    F("standfirst"),
                    Value(" "),
                    strip_tags_sql(Left("body", SNIPPET_SOURCE_CHARS)),
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
    by_id = {article.pk: article for article in articles}
    return [by_id[pk] for pk in ids if pk in by_id]


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
