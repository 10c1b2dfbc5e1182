"""From the reader's words to ranked article ids: cleaning, the tsquery, filters, ranking.

The search vector is written by a database trigger (articles migration 0005_search) with the
``newsportal_search`` configuration: English stemming behind unaccent, so "café" finds "cafe".
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import transaction
from django.db.models import F, FloatField, Func, Value

from articles.models import Article
from core.dates import start_of_day

CONFIG = "newsportal_search"
# Plain unaccented words, for the word being typed (articles migration 0007_search_prefix_words).
PREFIX_CONFIG = "newsportal_simple"
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_TERM_LENGTH = 60
MIN_PREFIX_LENGTH = 3
# Only the newest this many matches are ranked (and counted, search.paginator): ranking
# reads every candidate's vector, so ranking all 34,000 matches of a common word on a
# 100,000-story archive cost 200 ms, against a few for a bounded set.
RANKED_MATCHES = 1000

# Private-use characters mark the matches in ts_headline's output (search.highlight): they
# cannot be typed into the query (clean_query removes them), and they survive HTML escaping.
START_SEL = "\ue000"
STOP_SEL = "\ue001"
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
WORD = re.compile(r"\w+")

# For a common word the planner reckons reading the whole table cheaper than the GIN index:
# it prices the @@ test as one cheap operator, but each test reads a vector of a kilobyte or
# more. Through the index, only the matches' vectors are read (twice as fast on 10,000
# articles, see docs/search.md). The other indexes stay available for the filters.
INDEX_SCANS = {"enable_seqscan": "off"}


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


def matching_articles(*, query: str = "", section=None, author=None, date_from=None, date_to=None):
    """Published articles that contain every word of the query and pass the filters."""
    articles = Article.objects.published()
    if section is not None:
        articles = articles.in_section(section)
    if author is not None:
        articles = articles.by_author(author)
    # Ranges on published_at itself, which its indexes serve (published_at__date does not).
    if date_from is not None:
        articles = articles.filter(published_at__gte=start_of_day(date_from))
    if date_to is not None and date_to < date.max:
        articles = articles.filter(published_at__lt=start_of_day(date_to + timedelta(days=1)))
    search_query = to_search_query(query)
    if search_query is not None:
        articles = articles.filter(search_vector=search_query)
    return articles


def days_old():
    return Func(
        F("published_at"),
        template="(EXTRACT(EPOCH FROM (now() - %(expressions)s)) / 86400.0)",
        output_field=FloatField(),
    )


def relevance(search_query: SearchQuery):
    """PostgreSQL's ts_rank over the weighted vector, times a recency boost that halves
    within a week and fades out over months, so a fresh story wins a tie but a headline
    match in an older story still beats a passing mention in today's."""
    recency = Value(1.0) + Value(1.0) / (Value(1.0) + days_old() / Value(7.0))
    return SearchRank(F("search_vector"), search_query) * recency


def candidates(articles, query: str, *, newest_first: bool = False):
    """The newest RANKED_MATCHES matches, newest first: their ids, and their scores unless
    newest first was asked for or there are no words. One statement, through the indexes;
    PostgreSQL scores only the rows that pass the limit (it computes them above it)."""
    articles = articles.order_by("-published_at", "-id")
    search_query = to_search_query(query)
    if search_query is None or newest_first:
        return articles.values_list("pk", flat=True)[:RANKED_MATCHES]
    return articles.annotate(score=relevance(search_query)).values_list("pk", "score")[
        :RANKED_MATCHES
    ]


def ranked(articles, query: str, *, newest_first: bool = False) -> list[int]:
    """The ids of the matches, best first (or newest first): page them, then with_snippets.

    "Best first" ranks the newest RANKED_MATCHES matches (the most that are counted and
    shown, search.paginator). The list is both the count and the pages: one statement
    instead of a count and a ranking that each found the same matches again.
    """
    rows = candidates(articles, query, newest_first=newest_first)
    if to_search_query(query) is None or newest_first:
        return list(rows)
    # sorted() is stable: among equal scores the newest (then the highest id) stays first.
    return [pk for pk, _score in sorted(rows, key=lambda row: -row[1])]


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
