"""The reading pages: what they show, their HTML, pagination, caching and query budgets."""

import json
from datetime import date, timedelta

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.urls import reverse
from django.utils import timezone, translation

from articles import services
from articles.models import Article, ArticleAuthor
from articles.templatetags.articles_tags import _views_text, view_count
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CommentFactory,
    PollFactory,
)
from tests.html_checks import check_html, parse_page

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> list[dict]:
    page = parse_page(html)
    return [json.loads(block) for block in page.json_ld]


@pytest.fixture(autouse=True)
def _quiet_view_counting(settings):
    # Folding the view buffer now and then would add queries to a random request.
    settings.VIEW_FOLD_INTERVAL = 0


@pytest.fixture
def story(section, author):
    article = ArticleFactory(
        title="Council approves the new budget",
        standfirst="The vote was closer than expected.",
        body="<p>Councillors met on Tuesday.</p><h2>What next</h2><p>More.</p>",
        category=section,
        authors=[author],
        image_caption="The council chamber",
        image_credit="Jo Bloggs",
    )
    article.tags.add("Budget", "Local government")
    Article.objects.filter(pk=article.pk).update(view_count=1234)
    article.refresh_from_db()
    return article


def test_front_page_with_no_stories_says_so(client):
    response = client.get(reverse("frontpage:home"))
    assert response.status_code == 200
    assert "No stories have been published yet." in response.content.decode()
    check_html(response.content.decode())


@pytest.mark.parametrize(
    ("views", "shown"), [(0, "0 views"), (1, "1 view"), (12345, "12,345 views")]
)
def test_the_view_counter_says_view_or_views(client, story, views, shown):
    Article.objects.filter(pk=story.pk).update(view_count=views)
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'<span class="view-count">{shown}</span>' in html


def test_article_page_shows_everything_a_reader_expects(client, story, author, section):
    before = ArticleFactory(category=section, published_at=story.published_at - timedelta(hours=1))
    after = ArticleFactory(
        category=section, published_at=story.published_at + timedelta(minutes=1)
    )

    response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    assert "<h1" in html and "Council approves the new budget" in html
    assert "The vote was closer than expected." in html
    assert f'href="{author.get_absolute_url()}"' in html
    assert f'<time datetime="{story.published_at.isoformat()[:19]}' in html or (
        f'datetime="{timezone.localtime(story.published_at).isoformat()}"' in html
    )
    assert "1,234 views" in html
    assert f'href="{section.get_absolute_url()}"' in html
    assert f'href="{reverse("articles:tag", args=["budget"])}"' in html
    assert before.get_absolute_url() in html and after.get_absolute_url() in html
    assert "Related stories" in html and "Most read" in html
    assert "1 min read" in html


def test_article_page_has_seo_tags_and_news_article_json_ld(client, story, author):
    html = client.get(story.get_absolute_url()).content.decode()

    canonical = "http://127.0.0.1:8000" + story.get_absolute_url()
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta name="description" content="The vote was closer than expected.">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card"' in html
    blocks = {block["@type"]: block for block in json_ld(html)}
    news = blocks["NewsArticle"]
    assert news["headline"] == story.title
    assert news["datePublished"] and news["dateModified"]
    assert news["author"] == [
        {
            "@type": "Person",
            "name": author.name,
            "url": "http://127.0.0.1:8000" + author.get_absolute_url(),
        }
    ]
    assert news["publisher"]["@type"] == "Organization"
    assert news["articleSection"] == "Politics"
    assert [item["position"] for item in blocks["BreadcrumbList"]["itemListElement"]] == [1, 2, 3]
    assert "AggregateRating" not in html and "aggregateRating" not in html


def test_json_ld_cannot_break_out_of_its_script_element(client, section):
    article = ArticleFactory(category=section, title='Bad </script><script>alert("x")</script>')
    html = client.get(article.get_absolute_url()).content.decode()
    assert '</script><script>alert("x")' not in html
    headlines = [b.get("headline") for b in json_ld(html)]
    assert article.title in headlines


def test_article_page_lists_several_authors_in_credited_order(client, section):
    first, second = AuthorFactory(name="Zed First"), AuthorFactory(name="Abe Second")
    article = ArticleFactory(category=section, authors=[first, second])
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index("Zed First") < html.index("Abe Second")


def test_article_page_shows_updated_time_only_after_a_real_update(client, story):
    Article.objects.filter(pk=story.pk).update(edited_at=story.published_at + timedelta(minutes=3))
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Updated" not in html
    Article.objects.filter(pk=story.pk).update(edited_at=story.published_at + timedelta(hours=2))
    html = client.get(story.get_absolute_url() + "?fresh").content.decode()
    assert "Updated" in html


def test_wrong_date_in_article_address_is_404(client, story):
    url = reverse("articles:detail", args=[2001, "01", "01", story.slug])
    assert client.get(url).status_code == 404
    url = reverse("articles:detail", args=[2001, "xx", "01", story.slug])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page_type", ["section", "tag", "author"])
def test_list_pages_show_their_stories_and_feed_links(client, story, author, section, page_type):
    elsewhere = ArticleFactory(title="Somewhere else entirely")
    url = {
        "section": section.get_absolute_url(),
        "tag": reverse("articles:tag", args=["budget"]),
        "author": author.get_absolute_url(),
    }[page_type]

    response = client.get(url)

    html = response.content.decode()
    check_html(html)
    assert story.title in html
    assert elsewhere.title not in html
    assert 'rel="alternate" type="application/rss+xml" title="' in html
    feed = reverse(f"articles:feed-{page_type}-rss", args=[url.rstrip("/").split("/")[-1]])
    assert feed in html


def test_author_page_shows_profile(client, author, story):
    html = client.get(author.get_absolute_url()).content.decode()
    assert author.name in html and author.job_title in html and author.bio in html


def test_unknown_section_tag_and_author_are_404(client):
    assert client.get(reverse("articles:section", args=["nope"])).status_code == 404
    assert client.get(reverse("articles:tag", args=["nope"])).status_code == 404
    assert client.get(reverse("articles:author", args=["nope"])).status_code == 404


def test_date_archives_list_the_stories_of_that_year_month_and_day(client, section):
    when = timezone.make_aware(timezone.datetime(2025, 3, 14, 12, 0))
    article = ArticleFactory(category=section, published_at=when, title="Pi day story")
    ArticleFactory(category=section, published_at=when + timedelta(days=40), title="Later one")
    urls = {
        reverse("articles:archive"): True,
        reverse("articles:archive-year", args=["2025"]): True,
        reverse("articles:archive-month", args=["2025", "03"]): True,
        reverse("articles:archive-day", args=["2025", "03", "14"]): True,
        reverse("articles:archive-day", args=["2025", "03", "15"]): False,
    }
    for url, found in urls.items():
        response = client.get(url)
        if not found:
            assert response.status_code == 404, url
            continue
        assert response.status_code == 200, url
        html = response.content.decode()
        check_html(html)
        assert article.title in html
    day_html = client.get(reverse("articles:archive-day", args=["2025", "03", "14"])).content
    assert b"Later one" not in day_html
    assert client.get("/2025/13/").status_code == 404


@pytest.fixture
def many_stories(section, author):
    when = timezone.now() - timedelta(days=1)
    articles = ArticleFactory.create_batch(
        25, category=section, authors=[author], published_at=when
    )
    for article in articles:
        article.tags.add("Budget")
    return articles


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("articles:section", ["politics"]),
        ("articles:tag", ["budget"]),
        ("articles:archive", []),
    ],
)
def test_pagination_has_stable_pages_and_404s_for_bad_ones(client, many_stories, url_name, args):
    url = reverse(url_name, args=args)
    first = client.get(url)
    second = client.get(url + "?page=2")
    assert first.status_code == 200 and second.status_code == 200
    assert len(first.context["object_list"]) == 20
    assert len(second.context["object_list"]) == 5
    assert 'rel="next" href="?page=2"' in first.content.decode()
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{url}?page=2">' in (
        second.content.decode()
    )
    for bad in ("?page=3", "?page=abc", "?page=0", "?page=-1", "?page=99999999999999999999"):
        assert client.get(url + bad).status_code == 404, bad


def test_author_pages_paginate_too(client, many_stories, author):
    url = author.get_absolute_url()
    assert client.get(url + "?page=2").status_code == 200
    assert client.get(url + "?page=abc").status_code == 404
    assert client.get(url + "?page=9").status_code == 404


# Related stories ------------------------------------------------------------------------


def test_related_stories_rank_pinned_then_shared_tags_then_section_then_recent(section):
    sport = CategoryFactory(name="Sport", slug="sport")
    base = timezone.now() - timedelta(days=3)
    article = ArticleFactory(category=section, published_at=base)
    article.tags.add("a", "b", "c")
    recent_elsewhere = ArticleFactory(category=sport, published_at=base + timedelta(days=2))
    same_section = ArticleFactory(category=section, published_at=base - timedelta(days=1))
    one_tag = ArticleFactory(category=sport, published_at=base - timedelta(days=2))
    one_tag.tags.add("a")
    two_tags = ArticleFactory(category=sport, published_at=base - timedelta(days=5))
    two_tags.tags.add("a", "b")
    pinned = ArticleFactory(category=sport, published_at=base - timedelta(days=9))
    article.pinned_related.add(pinned)
    draft = ArticleFactory(category=section, status=Article.Status.DRAFT)
    draft.tags.add("a", "b", "c")
    article.pinned_related.add(draft)

    from articles.related import related_articles

    related = related_articles(article, limit=10)

    assert related[:5] == [pinned, two_tags, one_tag, same_section, recent_elsewhere]
    assert article not in related and draft not in related


def test_related_stories_are_computed_in_one_query_and_cached(section, django_assert_num_queries):
    from articles.related import related_articles

    article = ArticleFactory(category=section)
    article.tags.add("a")
    for _ in range(6):
        ArticleFactory(category=section).tags.add("a")
    related_articles(article)  # warms ContentType's cache
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(1):
        first = related_articles(article)
    with django_assert_num_queries(0):
        assert related_articles(article) == first
    assert len(first) == 5


def test_cached_related_stories_are_read_only_to_render_their_piece(
    client, section, settings, django_assert_num_queries
):
    from django.core.cache import caches

    from articles.related import related_articles

    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(category=section)
    article.tags.add("harbour")
    first = ArticleFactory(category=section, title="Ferry timetable changes")
    first.tags.add("harbour")
    url = article.get_absolute_url()
    assert "Ferry timetable changes" in client.get(url).content.decode()

    cached = related_articles(article)  # what the cache holds: ids and what the cards show
    with django_assert_num_queries(0):
        assert cached.ids[0] == first.pk and len(cached) >= 1
    with django_assert_num_queries(1):
        assert cached[0] == first  # the stories themselves, for a piece's render
    caches["template_fragments"].clear()  # another process: the list cached, no piece
    assert "Ferry timetable changes" in client.get(url).content.decode()


# Query budgets ---------------------------------------------------------------------------

# Cold caches: most read (its three windows in one query), the related stories and the
# sections one each (three in all; none once cached). Warm: the story (section, bylines,
# tags, gallery, corrections, previous and next, its polls and the thread's digest in one;
# on a miss of the thread's piece its count, page and replies). A signed-in reader adds the
# session, the user, their poll votes, rating, commenter record and comment votes. +2 for
# the live pages' id list and the footer's pages (cached); +1 for the breaking-news
# banners (cached).
ARTICLE_PAGE_BUDGET = 10
LOGGED_IN_ARTICLE_PAGE_BUDGET = 15
FRONT_PAGE_BUDGET = 10


def count_queries(client, url, django_assert_max_num_queries, budget):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Cold: the page cache and the rendered pieces of pages (core.fragments) alike.
    for each in caches.all():
        each.clear()
    with django_assert_max_num_queries(budget), CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_article_page_query_count_does_not_grow_with_what_the_page_holds(
    client, section, django_assert_max_num_queries
):
    small = ArticleFactory(category=section, authors=[AuthorFactory()])
    small.tags.add("one")
    ArticleFactory(category=section).tags.add("one")

    big = ArticleFactory(category=section, authors=AuthorFactory.create_batch(6))
    big.tags.add(*[f"tag {n}" for n in range(12)])
    for n in range(12):
        other = ArticleFactory(category=section, authors=AuthorFactory.create_batch(3))
        other.tags.add(f"tag {n}", "tag 0")
        big.pinned_related.add(other)
    add_polls_and_comments(big)
    add_polls_and_comments(small, polls=1, comments=1)
    few = count_queries(
        client, small.get_absolute_url(), django_assert_max_num_queries, ARTICLE_PAGE_BUDGET
    )
    many = count_queries(
        client, big.get_absolute_url(), django_assert_max_num_queries, ARTICLE_PAGE_BUDGET
    )

    assert many == few


def add_polls_and_comments(article, *, polls=3, comments=30):
    for n in range(polls):
        PollFactory(article=article, answers=[f"yes {n}", f"no {n}", f"maybe {n}"])
    for _ in range(comments):
        root = CommentFactory(article=article)
        CommentFactory(article=article, parent=root)


def test_front_page_query_count_does_not_grow_with_sections_or_stories(
    client, django_assert_max_num_queries
):
    ArticleFactory(category=CategoryFactory(), authors=[AuthorFactory()], is_featured=True)
    few = count_queries(client, "/", django_assert_max_num_queries, FRONT_PAGE_BUDGET)

    for _ in range(8):
        section = CategoryFactory()
        for _ in range(5):
            article = ArticleFactory(
                category=section, authors=AuthorFactory.create_batch(2), is_featured=True
            )
            article.tags.add("x", "y")
    many = count_queries(client, "/", django_assert_max_num_queries, FRONT_PAGE_BUDGET)

    assert many == few


@pytest.mark.parametrize("page_type", ["section", "tag", "author"])
def test_list_page_query_count_is_fixed(
    client, many_stories, author, section, page_type, django_assert_max_num_queries
):
    for article in many_stories[:10]:
        ArticleAuthor.objects.create(article=article, author=AuthorFactory(), position=1)
    url = {
        "section": section.get_absolute_url(),
        "tag": reverse("articles:tag", args=["budget"]),
        "author": author.get_absolute_url(),
    }[page_type]
    # The first view computes the list's stored count (articles.listings: three queries
    # more, however long the list); later views read it, one row, instead of counting.
    # +1 on a cold cache: the breaking-news banners (then cached until they change); the
    # section page also asks once which zones editors placed on it; +1, the footer's pages.
    # Each run renders the cards (every cache cleared): what they show (their piece's key),
    # then the stories and their bylines; a cached piece needs only the first.
    cold = 13 if page_type == "section" else 12
    count_queries(client, url, django_assert_max_num_queries, cold)
    # The list's stored count, its cards, the section's own zones (section pages).
    count_queries(client, url, django_assert_max_num_queries, 9 if page_type == "section" else 8)


@pytest.mark.parametrize("page_type", ["section", "tag", "author"])
def test_list_page_counts_follow_publishing_and_unpublishing(
    client, section, author, page_type, django_capture_on_commit_callbacks
):
    """The stored count is forgotten by every change that shows on the list: the last
    page's link appears and goes with the story that makes it."""
    from django.core.cache import cache

    from articles import services

    def paginator(path):
        cache.clear()  # the page itself, not its cached copy
        response = client.get(path)
        assert response.status_code == 200
        return response.context["paginator"]

    stories = ArticleFactory.create_batch(20, category=section, authors=[author])
    extra = ArticleFactory(
        category=section, authors=[author], status=Article.Status.DRAFT, published_at=None
    )
    for story in [*stories, extra]:
        story.tags.add("budget")
    url = {
        "section": section.get_absolute_url(),
        "tag": reverse("articles:tag", args=["budget"]),
        "author": author.get_absolute_url(),
    }[page_type]
    assert (paginator(url).count, paginator(url).num_pages) == (20, 1)

    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(article=extra)
    assert (paginator(url).count, paginator(url).num_pages) == (21, 2)
    assert len(paginator(url + "?page=2").page(2)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.article_unpublish(article=stories[0])
    assert (paginator(url).count, paginator(url).num_pages) == (20, 1)


# Caching ---------------------------------------------------------------------------------


def test_anonymous_readers_share_a_cached_page(client, story, django_assert_num_queries):
    first = client.get(story.get_absolute_url())
    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    Article.objects.filter(pk=story.pk).update(title="Changed behind the cache")
    second = client.get(story.get_absolute_url())
    assert second.content == first.content
    assert "public" in second["Cache-Control"]


def test_closing_comments_purges_the_cached_article_page_at_once(
    client, story, django_capture_on_commit_callbacks
):
    assert "Log in to comment" in client.get(story.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_set_comments(articles=[story], mode=Article.Comments.CLOSED)
    assert "Comments are closed" in client.get(story.get_absolute_url()).content.decode()


def test_unpublishing_purges_the_cached_front_page_and_section(
    client, story, django_capture_on_commit_callbacks
):
    section_url = story.category.get_absolute_url()
    for url in ("/", section_url):
        assert story.title in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_unpublish(article=story)
    for url in ("/", section_url):
        assert story.title not in client.get(url).content.decode()
    assert client.get(story.get_absolute_url()).status_code == 404


def test_logged_in_readers_get_a_fresh_private_page_that_is_never_cached(client, story, user):
    client.force_login(user)
    page = client.get(story.get_absolute_url())
    assert "private" in page["Cache-Control"]
    assert user.username in page.content.decode()

    client.logout()
    anonymous = client.get(story.get_absolute_url())
    assert user.username not in anonymous.content.decode()

    client.force_login(user)
    Article.objects.filter(pk=story.pk).update(title="Fresh for members")
    assert "Fresh for members" in client.get(story.get_absolute_url()).content.decode()


def test_pages_with_messages_to_show_are_not_cached(client, rf, story):
    request = rf.get("/")
    storage = CookieStorage(request)
    storage.add(message_levels.SUCCESS, "Thanks for your comment")
    from django.http import HttpResponse

    response = HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value

    page = client.get(story.get_absolute_url())

    assert "Thanks for your comment" in page.content.decode()
    assert "private" in page["Cache-Control"]
    del client.cookies["messages"]
    assert "Thanks for your comment" not in client.get(story.get_absolute_url()).content.decode()


def test_front_page_is_cached_for_anonymous_readers(client, story):
    first = client.get("/")
    ArticleFactory(title="Brand new story")
    assert client.get("/").content == first.content


def test_logged_in_article_page_query_count_is_fixed_too(
    client, section, user, django_assert_max_num_queries
):
    client.force_login(user)
    budget = LOGGED_IN_ARTICLE_PAGE_BUDGET
    small = ArticleFactory(category=section, authors=[AuthorFactory()])
    small.tags.add("one")
    add_polls_and_comments(small, polls=1, comments=1)
    few = count_queries(client, small.get_absolute_url(), django_assert_max_num_queries, budget)
    big = ArticleFactory(category=section, authors=AuthorFactory.create_batch(5))
    big.tags.add(*[f"tag {n}" for n in range(10)])
    for n in range(8):
        ArticleFactory(category=section, authors=[AuthorFactory()]).tags.add(f"tag {n}")
    add_polls_and_comments(big)
    many = count_queries(client, big.get_absolute_url(), django_assert_max_num_queries, budget)
    assert many == few


def test_head_and_repeat_requests_for_a_hidden_article_are_404(client, section):
    draft = ArticleFactory(category=section, status=Article.Status.DRAFT)
    assert client.head(draft.get_absolute_url()).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_an_article_address_without_leading_zeros_redirects_to_the_canonical_one(client, section):
    when = timezone.make_aware(timezone.datetime(2025, 3, 5, 12, 0))
    article = ArticleFactory(category=section, published_at=when)
    response = client.get(f"/2025/3/5/{article.slug}/?utm=x")
    assert response.status_code == 301
    assert response["Location"] == f"/2025/03/05/{article.slug}/?utm=x"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("year", ["02025", "002025"])
def test_an_address_with_a_padded_year_redirects_to_the_canonical_one(client, section, year):
    when = timezone.make_aware(timezone.datetime(2025, 3, 5, 12, 0))
    article = ArticleFactory(category=section, published_at=when)
    response = client.get(f"/{year}/03/05/{article.slug}/")
    assert response.status_code == 301
    assert response["Location"] == f"/2025/03/05/{article.slug}/"


def test_a_story_knows_its_own_address_from_any_other():
    article = Article(slug="budget", publish_date=date(2025, 3, 5))
    assert article.is_addressed_by(article.get_absolute_url())
    for path in ("/2025/3/5/budget/", "/02025/03/05/budget/", "/2025/03/05/budget-2/"):
        assert not article.is_addressed_by(path)


@pytest.mark.parametrize(
    "url",
    [
        "/99999999999/01/01/x/",
        "/2026/00/10/x/",
        "/2026/02/30/x/",
        "/0/01/01/x/",
        "/2026/%C3%A9/01/x/",
        "/9999/",
        "/2026/99/",
        "/2026/02/31/",
    ],
)
def test_impossible_dates_are_404_not_500(client, url):
    assert client.get(url).status_code == 404


def test_campaign_tags_share_the_cached_page_but_made_up_queries_skip_the_cache(client, story):
    url = story.get_absolute_url()
    first = client.get(url + "?utm_source=newsletter")
    Article.objects.filter(pk=story.pk).update(title="Edited title")
    assert client.get(url + "?utm_medium=social&fbclid=abc").content == first.content
    fresh = client.get(url + "?anything=1")
    assert "Edited title" in fresh.content.decode()
    assert "public" not in fresh.get("Cache-Control", "")


def test_the_prepared_story_statement_reads_what_the_orm_reads(section, author):
    from articles import reading
    from articles.models import Correction, GalleryImage

    story = ArticleFactory(category=section, authors=[author])
    story.tags.add("harbour", "budget")
    # bulk_create: no file to read the picture's size from.
    GalleryImage.objects.bulk_create([GalleryImage(article=story, image="gallery/a.jpg", alt="A")])
    Correction.objects.create(article=story, note="The vote was on Tuesday.")
    before = ArticleFactory(category=section, published_at=story.published_at - timedelta(1))
    orm = Article.objects.published().for_reading().get(pk=story.pk)
    prepared = reading.public_story(day=story.publish_date, slug=story.slug)
    shown = [f.attname for f in Article._meta.concrete_fields if f.name != "search_vector"]
    rows = ("byline_rows", "tag_rows", "gallery_rows", "correction_rows", "previous_row")
    for name in (*shown, *rows, "next_row"):
        assert getattr(prepared, name) == getattr(orm, name), name
    assert prepared.category == section and prepared.category.name == section.name
    assert prepared.previous_row["id"] == before.pk and len(prepared.gallery_rows) == 1
    # The time it is public as of is the request's: a scheduled story is not found yet.
    later = ArticleFactory(published_at=timezone.now() + timedelta(hours=1))
    assert reading.public_story(day=later.publish_date, slug=later.slug) is None


def test_a_rendered_article_page_asks_for_the_story_and_its_thread_only(client, section, settings):
    """Warm (the site-wide lists and pieces cached), a rendered page for a new reader is
    one statement: the story with its polls and its thread's digest (the key of the
    thread's piece). Nothing grows with the polls, choices or comments it shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(category=section)
    add_polls_and_comments(article, polls=2, comments=3)
    url = article.get_absolute_url()
    client.get(url)  # warms the site-wide lists and the pieces
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads
    assert "polls_poll" in reads[0] and "articles_article" in reads[0]
    assert "MD5(STRING_AGG" in reads[0]
    for n in range(2):
        assert f"yes {n}" in page and f"maybe {n}" in page


def test_the_view_counter_is_written_for_the_language_and_the_settings(settings):
    assert view_count(12345) == "12,345 views"
    with translation.override("de"):  # German groups with a dot; no German messages here
        assert view_count(12345) == "12.345 views"
    assert view_count(1) == "1 view"
    settings.THOUSAND_SEPARATOR = " "  # a setting the text may follow: none is kept
    assert _views_text.cache_info().currsize == 0
