import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Author
from articles.models import Article
from search.highlight import highlight, with_snippets
from search.query import RANKED_MATCHES, clean_query, matching_articles, ranked, tsquery_parts
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.test_article_pages import check_html

pytestmark = pytest.mark.django_db


def search(client, **params):
    return client.get(reverse("search:search"), params)


def titles(response):
    assert response.status_code == 200
    return [article.title for article in response.context["results"]]


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_the_database_keeps_the_search_vector_up_to_date(section):
    story = ArticleFactory(
        title="Café opens", body="<p>Espresso <b>machines</b> &amp; more</p>", category=section
    )

    vector = Article.objects.values_list("search_vector", flat=True).get(pk=story.pk)
    assert "'cafe':1A" in vector
    assert "'machin':" in vector
    assert "amp" not in vector and "'b'" not in vector

    Article.objects.filter(pk=story.pk).update(title="Bakery opens")
    vector = Article.objects.values_list("search_vector", flat=True).get(pk=story.pk)
    assert "'bakeri':1A" in vector
    assert "cafe" not in vector


def test_a_headline_match_outranks_a_standfirst_match_which_outranks_a_body_match(client, section):
    ArticleFactory(
        title="Weather report", standfirst="", body="<p>A tram strike.</p>", category=section
    )
    ArticleFactory(title="Morning briefing", standfirst="Tram strike looms.", category=section)
    ArticleFactory(title="Tram strike called", standfirst="", category=section)

    assert titles(search(client, q="tram strike")) == [
        "Tram strike called",
        "Morning briefing",
        "Weather report",
    ]


def test_a_recent_story_outranks_an_older_one_that_matches_as_well(client, section):
    ArticleFactory(title="Flood warning issued", published_at=days_ago(40), category=section)
    ArticleFactory(title="Flood warning issued again", published_at=days_ago(1), category=section)
    ArticleFactory(title="Flood warning lifted", published_at=days_ago(400), category=section)

    assert titles(search(client, q="flood warning")) == [
        "Flood warning issued again",
        "Flood warning issued",
        "Flood warning lifted",
    ]


def test_an_old_headline_match_still_beats_a_passing_mention_today(client, section):
    ArticleFactory(title="Bridge closure", published_at=days_ago(60), category=section)
    ArticleFactory(
        title="Traffic news",
        body="<p>Also a bridge closure.</p>",
        published_at=days_ago(0),
        category=section,
    )

    assert titles(search(client, q="bridge closure"))[0] == "Bridge closure"


@pytest.mark.parametrize(
    ("stored", "typed"),
    [("Café reopens", "cafe"), ("Cafe reopens", "café"), ("Élections municipales", "elections")],
)
def test_matching_ignores_accents(client, section, stored, typed):
    ArticleFactory(title=stored, category=section)

    assert titles(search(client, q=typed)) == [stored]


def test_the_last_word_matches_as_a_prefix_while_it_is_being_typed(client, section):
    ArticleFactory(title="Parliament votes on budget", category=section)

    assert titles(search(client, q="parliament bud")) == ["Parliament votes on budget"]
    assert titles(search(client, q="bud parliament")) == []


def test_all_words_must_match(client, section):
    ArticleFactory(title="Budget passes", category=section)
    ArticleFactory(title="Budget fails in parliament", category=section)

    assert titles(search(client, q="budget parliament")) == ["Budget fails in parliament"]


def test_stemming_finds_other_forms_of_a_word(client, section):
    ArticleFactory(title="Workers are striking", category=section)

    assert titles(search(client, q="strikes ")) == ["Workers are striking"]


def test_drafts_scheduled_and_archived_stories_never_appear(client, section):
    ArticleFactory(
        title="Secret merger draft",
        status=Article.Status.DRAFT,
        published_at=None,
        category=section,
    )
    ArticleFactory(
        title="Secret merger scheduled",
        published_at=timezone.now() + timedelta(hours=1),
        category=section,
    )
    ArticleFactory(
        title="Secret merger archived", status=Article.Status.ARCHIVED, category=section
    )
    ArticleFactory(title="Public merger news", category=section)

    response = search(client, q="merger")

    assert titles(response) == ["Public merger news"]
    assert b"Secret" not in response.content
    assert titles(search(client, section=section.slug)) == ["Public merger news"]


def test_filters_narrow_by_section_author_and_dates(client, section):
    sport = CategoryFactory(name="Sport", slug="sport")
    writer = AuthorFactory(slug="writer")
    ArticleFactory(
        title="Match report one", category=sport, authors=[writer], published_at=days_ago(3)
    )
    ArticleFactory(title="Match report two", category=sport, published_at=days_ago(30))
    ArticleFactory(
        title="Match fixing inquiry", category=section, authors=[writer], published_at=days_ago(4)
    )

    assert titles(search(client, q="match", section="sport")) == [
        "Match report one",
        "Match report two",
    ]
    assert titles(search(client, q="match", author="writer")) == [
        "Match report one",
        "Match fixing inquiry",
    ]
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert titles(search(client, q="report", date_from=week_ago)) == ["Match report one"]
    assert titles(search(client, q="report", date_to=week_ago)) == ["Match report two"]


def test_filters_alone_list_matching_stories_newest_first(client, section):
    ArticleFactory(title="Older", category=section, published_at=days_ago(2))
    ArticleFactory(title="Newer", category=section, published_at=days_ago(1))
    ArticleFactory(title="Elsewhere", category=CategoryFactory(slug="sport"))

    assert titles(search(client, section="politics")) == ["Newer", "Older"]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "yesterday"},
        {"date_to": "2026-02-30"},
        {"date_from": "2026-05-01", "date_to": "2026-04-01"},
        {"section": "no-such-section"},
        {"author": "nobody"},
        {"author": "nobody\x00"},
        {"date_from": "9999999-01-01"},
    ],
)
def test_bad_filters_are_form_errors_with_a_400_not_a_server_error(client, section, params):
    response = search(client, q="budget", **params)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert b'class="errorlist' in response.content


def test_snippets_highlight_matches_and_escape_everything_else(client, section):
    ArticleFactory(
        title="<script>alert('title')</script> Harbour news",
        standfirst="",
        body="<p>The harbour &lt;script&gt;alert(1)&lt;/script&gt; reopened &amp; more.</p>",
        category=section,
    )

    response = search(client, q="harbour")

    content = response.content.decode()
    assert "<script>alert" not in content
    assert (
        "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; <mark>Harbour</mark> news"
        in content
    )
    snippet = response.context["results"][0].snippet_html
    assert (
        "<mark>harbour</mark> &lt;script&gt;alert(1)&lt;/script&gt; reopened &amp; more" in snippet
    )


def test_highlight_balances_stray_markers():
    assert highlight("\ue000a<b>\ue000b\ue001\ue001c") == "<mark>a&lt;b&gt;b</mark>c"
    assert highlight("\ue000open") == "<mark>open</mark>"


HOSTILE_QUERIES = [
    '"',
    "'",
    "''''",
    '"unbalanced quote',
    "budget & | ! : * ( ) <-> <2>",
    "!!!",
    "budget:*",
    "a:* & b:B",
    "(((((",
    "\\",
    "%",
    "_",
    "' OR 1=1; DROP TABLE articles_article; --",
    "1'); SELECT pg_sleep(10); --",
    "\x00",
    "budget\x00budget",
    "\ue000 marker \ue001",
    "x" * 10_000,
    "budget " * 2_000,
    "word " * 500,
    "😀 emoji",
    "日本語の記事",
    "   ",
    "-budget",
    "budget OR council",
    "<script>alert(1)</script>",
    "a" * 3000 + " b",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_never_error(client, article, query):
    response = search(client, q=query)

    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content


def test_hostile_queries_in_a_raw_query_string_never_error(client, article):
    url = reverse("search:search")
    for raw in ["q=%00", "q=%ff%fe", "q[]=1&q=2", "q=%27%22%5C", "page=1&q=budget&q=x"]:
        assert client.get(f"{url}?{raw}").status_code == 200, raw


def test_query_is_capped_in_length():
    assert len(clean_query("x" * 10_000)) == 200
    assert clean_query("a\x00b\tc\n  d") == "a b c d"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("budget", (None, "'budget':*")),
        ("council budget", ("'council'", "'budget':*")),
        ("council budget ", ("'council' & 'budget'", None)),
        ("eu", ("'eu'", None)),
        ("budget & !council | x:*", ("'budget' & 'council' & 'x'", None)),
        ("' OR 1=1 --", ("'OR' & '1' & '1'", None)),
        ("!&|", (None, None)),
    ],
)
def test_tsquery_is_built_only_from_quoted_words(query, expected):
    assert tsquery_parts(clean_query(query) + (" " if query.endswith(" ") else "")) == expected


def test_a_half_typed_word_matches_even_when_its_stem_is_shorter(client, section):
    ArticleFactory(title="Election results are in", category=section)
    ArticleFactory(title="Electricity prices rise", category=section)

    for typed in ["ele", "elect", "electi", "electio", "election"]:
        assert "Election results are in" in titles(search(client, q=typed)), typed
    assert titles(search(client, q="electio")) == ["Election results are in"]
    assert titles(search(client, q="résultats électio")) == []
    assert titles(search(client, q="results electio")) == ["Election results are in"]


def test_a_misspelled_word_gets_a_did_you_mean_suggestion(client, section):
    ArticleFactory(title="Government announces budget", category=section)

    response = search(client, q="governmnet budgte", section="politics")

    assert titles(response) == []
    assert response.context["suggestion"] == "government budget"
    content = response.content.decode()
    assert "Did you mean" in content
    assert 'href="?q=government+budget&amp;section=politics"' in content


def test_each_misspelled_word_is_respelled_from_headlines_close_to_it(client, section):
    # Many headlines close to the first word must not crowd out the second one's.
    ArticleFactory.create_batch(5, title="Council meets", category=section)
    ArticleFactory(title="Hospital opens", category=section)
    ArticleFactory(title="Council hospital plan", category=section)

    assert search(client, q="councel hospitl").context["suggestion"] == "council hospital"


def test_no_suggestion_when_there_are_results_or_nothing_close(client, section):
    ArticleFactory(title="Government announces budget", category=section)

    assert search(client, q="budget").context["suggestion"] is None
    assert search(client, q="zzzzqqq").context["suggestion"] is None


def test_suggestions_never_come_from_unpublished_headlines(client, section):
    ArticleFactory(
        title="Embargoed takeover",
        status=Article.Status.DRAFT,
        published_at=None,
        category=section,
    )

    assert search(client, q="takeovr").context["suggestion"] is None


def test_empty_search_shows_a_clear_prompt(client):
    response = search(client)

    assert response.status_code == 200
    assert b"Type a few words to search" in response.content


def test_no_results_says_so(client, article):
    response = search(client, q="xylophone")

    assert response.status_code == 200
    assert "No published stories match “xylophone”" in response.content.decode()


def test_results_show_section_date_and_byline(client, section):
    writer = AuthorFactory(name="Ada Reporter")
    ArticleFactory(title="Budget day", category=section, authors=[writer])

    content = search(client, q="budget").content.decode()

    assert 'href="/section/politics/">Politics</a>' in content
    assert f'href="{writer.get_absolute_url()}">Ada Reporter</a>' in content
    assert "<time datetime=" in content


def test_form_fields_are_labelled_and_page_has_one_h1(client, article):
    content = search(client, q="budget").content.decode()

    for field in ["q", "section", "author", "date_from", "date_to"]:
        assert f'for="id_{field}"' in content
        assert f'id="id_{field}"' in content
    assert content.count("<h1") == 1
    assert 'id="site-search"' not in content


def test_results_are_paginated_and_bad_pages_are_404(client, section):
    ArticleFactory.create_batch(25, category=section)

    first = search(client, q="council")
    second = search(client, q="council", page=2)

    assert len(first.context["results"]) == 20
    assert len(second.context["results"]) == 5
    assert "?q=council&amp;page=2" in first.content.decode()
    assert search(client, q="council", page="abc").status_code == 404
    assert search(client, q="council", page=99).status_code == 404


def test_search_page_makes_a_fixed_number_of_queries(
    client, section, django_assert_max_num_queries
):
    for _ in range(20):
        ArticleFactory(category=section, authors=[AuthorFactory(), AuthorFactory()])
    search(client, q="council")  # warm the cached sections and authors

    # The page's settings, the chosen section, the ranked ids (also the count), the page's
    # rows with their headlines, their bylines.
    with django_assert_max_num_queries(5):
        response = search(client, q="council", section="politics")
    assert len(response.context["results"]) == 20


def test_the_filters_options_come_from_the_cache_and_follow_changes(client, section):
    ArticleFactory(category=section, authors=[AuthorFactory(name="Ann Writer", slug="ann")])
    search(client, q="council")

    with CaptureQueriesContext(connection) as queries:
        content = search(client, q="council").content.decode()
    assert '<option value="ann">Ann Writer</option>' in content
    assert f'<option value="{section.slug}">{section.name}</option>' in content
    for table in ("accounts_author", "articles_category"):
        assert not [q["sql"] for q in queries if q["sql"].startswith(f'SELECT "{table}"')]

    AuthorFactory(name="Bob Newcomer", slug="bob")
    response = search(client, q="council", author="bob")
    assert '<option value="bob" selected>Bob Newcomer</option>' in response.content.decode()
    Author.objects.get(slug="bob").delete()
    assert 'value="bob"' not in search(client, q="council").content.decode()


def test_ranked_matches_can_be_fetched_with_snippets_without_the_view(section):
    ArticleFactory(title="Ferry timetable changes", category=section)
    ArticleFactory(title="Ferry strike", category=section, published_at=days_ago(3))
    ArticleFactory(title="Bus timetable", category=section)

    page = ranked(matching_articles(query="ferry timetable "), "ferry timetable ")[:20]
    results = list(with_snippets(page, "ferry timetable "))

    assert [article.title for article in results] == ["Ferry timetable changes"]
    assert "\ue000Ferry\ue001" in results[0].title_headline
    everything = list(with_snippets(ranked(matching_articles(section=section), "")[:2], ""))
    assert [article.title for article in everything] == [
        "Bus timetable",
        "Ferry timetable changes",
    ]
    assert not hasattr(everything[0], "snippet")


def test_counting_stops_at_the_cap(client, section, monkeypatch):
    monkeypatch.setattr("search.paginator.MAX_RESULTS", 3)
    ArticleFactory.create_batch(5, category=section)

    response = search(client, q="council")

    assert response.context["paginator"].count == 3
    assert response.context["results_capped"]
    assert "The best 3 results" in response.content.decode()


def test_htmx_requests_get_only_the_results_fragment(client, article):
    response = client.get(reverse("search:search"), {"q": "council"}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section class="search-results" id="search-results"')
    assert "<html" not in content
    assert article.title.split()[0] in content


def test_htmx_requests_with_bad_filters_explain_the_error_in_the_fragment(client, article):
    response = client.get(
        reverse("search:search"), {"q": "council", "date_from": "soon"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "From: Enter a valid date." in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "council"}, {"q": "xylophone"}, {"q": "council", "date_from": "soon"}],
    ids=["empty", "results", "no-results", "errors"],
)
def test_search_page_html_follows_the_rules(client, article, params):
    check_html(search(client, **params).content.decode())


def test_results_can_be_ordered_newest_first(client, section):
    ArticleFactory(title="Ferry strike", published_at=days_ago(5), category=section)
    ArticleFactory(
        title="Weather", body="<p>The ferry runs.</p>", published_at=days_ago(1), category=section
    )

    assert titles(search(client, q="ferry")) == ["Ferry strike", "Weather"]
    assert titles(search(client, q="ferry", sort="newest")) == ["Weather", "Ferry strike"]
    assert search(client, sort="newest").context["searching"] is False
    assert search(client, q="ferry", sort="oldest").status_code == 400


def test_a_suggestion_keeps_numbers_and_must_find_something(client, section):
    ArticleFactory(title="Budget 2026 explained", category=section)

    assert search(client, q="budgte 2026").context["suggestion"] == "budget 2026"
    assert search(client, q="budgte 1999").context["suggestion"] is None
    assert search(client, q="budgte", section="sport").status_code == 400


def test_headlines_are_computed_only_for_the_rows_on_the_page(client, section):
    ArticleFactory.create_batch(25, category=section)

    with CaptureQueriesContext(connection) as queries:
        response = search(client, q="council")

    results = response.context["results"]
    assert len(results) == 20
    assert all(article.snippet_html for article in results)
    with_headlines = [query["sql"] for query in queries if "ts_headline" in query["sql"]]
    ranking = [query["sql"] for query in queries if "ts_rank" in query["sql"]]
    # One statement ranks the matches (and is the count); another fetches the page's 20
    # rows by id with their headlines.
    assert len(with_headlines) == 1
    assert len(ranking) == 1
    assert "ts_headline" not in ranking[0]
    assert f"LIMIT {RANKED_MATCHES}" in ranking[0]
    assert "ts_rank" not in with_headlines[0]
    page_ids = re.search(r'"id" IN \(([\d, ]+)\)', with_headlines[0]).group(1)
    assert sorted(int(pk) for pk in page_ids.split(", ")) == sorted(a.pk for a in results)
    assert not [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]


def test_snippets_are_cut_from_the_start_of_a_long_body(client, section):
    filler = "<p>" + "Nothing to see in this paragraph at all. " * 40 + "</p>"
    ArticleFactory(
        title="Harbour report",
        standfirst="The harbour report is out.",
        body=f"<p>The report names the harbour master.</p>{filler}<p>A ferry sank.</p>",
        category=section,
    )

    [result] = search(client, q="harbour").context["results"]
    assert "<mark>harbour</mark> master" in result.snippet_html
    # A word only found past SNIPPET_SOURCE_CHARS still finds the story; its snippet is
    # then the text's beginning, unmarked.
    [result] = search(client, q="ferry").context["results"]
    assert result.title == "Harbour report"
    assert "<mark>" not in result.snippet_html
    assert "<" not in result.snippet_html.replace("<mark>", "").replace("</mark>", "")


def test_date_filters_take_whole_local_days_and_survive_extreme_dates(client, section):
    yesterday = timezone.localdate() - timedelta(days=1)
    late = timezone.make_aware(datetime.combine(yesterday, time(23, 30)))
    ArticleFactory(title="Late night vote", published_at=late, category=section)
    today = (yesterday + timedelta(days=1)).isoformat()

    assert titles(search(client, q="vote", date_to=yesterday.isoformat())) == ["Late night vote"]
    assert titles(search(client, q="vote", date_from=yesterday.isoformat())) == ["Late night vote"]
    assert titles(search(client, q="vote", date_from=today)) == []
    assert titles(search(client, q="vote", date_from="0001-01-01", date_to="9999-12-31")) == [
        "Late night vote"
    ]
