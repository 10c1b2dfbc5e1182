"""Did you mean: a respelling of a query that found nothing, from published headlines."""

from articles.models import Article
from search.query import INDEX_SCANS, MIN_PREFIX_LENGTH, WORD, local_settings, query_terms

MAX_SUGGESTED_TERMS = 4
TITLES_PER_TERM = 100
SUGGESTION_SIMILARITY = 0.4


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
    words close to the reader's; the closest of their words to each term then replaces it.
    """
    terms = query_terms(query)
    checked = [term for term in terms if len(term) >= MIN_PREFIX_LENGTH and not term.isdigit()][
        :MAX_SUGGESTED_TERMS
    ]
    if not checked:
        return None
    # For each term, the first TITLES_PER_TERM published headlines with a word close to it,
    # in no order: ordering them by closeness meant scoring every one of them (9,000 for a
    # slip in "council" on a 100,000-story archive: 120 ms); Python picks the closest word.
    published = Article.objects.published().order_by()
    per_term = [
        published.filter(title__trigram_word_similar=term).values_list("title", flat=True)[
            :TITLES_PER_TERM
        ]
        for term in checked
    ]
    # The operator's own threshold (0.6) misses one-letter slips in short words.
    with local_settings(
        {"pg_trgm.word_similarity_threshold": str(SUGGESTION_SIMILARITY), **INDEX_SCANS}
    ):
        titles = list(per_term[0].union(*per_term[1:], all=True) if per_term[1:] else per_term[0])
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
