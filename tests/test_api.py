"""The content API (/api/v1/): what it shows, its filters, cursors, caching, limits and errors."""

import json
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from api import cursors
from articles import services
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now
ARTICLES = "/api/v1/articles"


def get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response, json.loads(response.content) if response.content else None


def walk(client, **params) -> list[dict]:
    """Every page of the article list, following next_cursor to the end."""
    items, cursor = [], None
    for _page in range(1000):
        response, body = get(client, ARTICLES, **params, **({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, body
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ended")


@pytest.fixture
def hidden(section):
    """One story of every kind the public must not see."""
    return {
        "draft": ArticleFactory(category=section, status=Article.Status.DRAFT, title="Draft"),
        "review": ArticleFactory(category=section, status=Article.Status.REVIEW, title="Rev"),
        "archived": ArticleFactory(category=section, status=Article.Status.ARCHIVED),
        "scheduled": ArticleFactory(category=section, published_at=NOW() + timedelta(hours=2)),
    }


# What it shows ----------------------------------------------------------------------------


def test_a_story_carries_everything_a_client_needs(client, section, author):
    article = ArticleFactory(
        category=section,
        authors=[author, AuthorFactory(name="Second Writer")],
        body="<p>Hello</p><script>alert(1)</script>",
        view_count=771,
        rating_count=4,
        rating_sum=15,
        comment_count=3,
    )
    article.tags.add("Budget", "Council")
    response, body = get(client, f"{ARTICLES}/{article.pk}")
    assert response.status_code == 200
    assert body["headline"] == article.title
    assert body["standfirst"] == article.standfirst
    assert body["body"] == "<p>Hello</p>"
    assert body["url"] == "http://127.0.0.1:8000" + article.get_absolute_url()
    assert body["section"]["slug"] == "politics"
    assert [a["name"] for a in body["authors"]] == [author.name, "Second Writer"]
    assert sorted(t["slug"] for t in body["tags"]) == ["budget", "council"]
    assert body["counts"] == {"views": 771, "comments": 3, "ratings": 4, "rating_average": 3.75}
    assert body["image"] is None
    assert body["published_at"] and body["updated_at"]


def test_a_story_with_an_image_lists_its_renditions(client, section, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (800, 500), "teal").save(buffer, "JPEG")
    upload = SimpleUploadedFile("harbour.jpg", buffer.getvalue(), content_type="image/jpeg")
    article = ArticleFactory(category=section, image=upload, image_alt="The harbour at dawn")
    _response, body = get(client, f"{ARTICLES}/{article.pk}")
    image = body["image"]
    assert image["alt"] == "The harbour at dawn"
    assert (image["width"], image["height"]) == (800, 500)
    assert {(r["format"], r["width"]) for r in image["renditions"]} == {
        (kind, width) for kind in ("webp", "jpeg") for width in (320, 640, 800)
    }
    assert all(r["url"].startswith("http://127.0.0.1:8000/media/") for r in image["renditions"])
    assert image["social"].endswith("social.jpg")


def test_nothing_unpublished_ever_appears(client, article, hidden):
    listed = walk(client)
    assert [item["id"] for item in listed] == [article.pk]
    for story in hidden.values():
        response, body = get(client, f"{ARTICLES}/{story.pk}")
        assert response.status_code == 404
        assert body == {"detail": "No published story has this id."}


def test_a_scheduled_story_appears_once_its_time_has_come(client, section):
    story = ArticleFactory(category=section, published_at=NOW() + timedelta(hours=1))
    assert get(client, f"{ARTICLES}/{story.pk}")[0].status_code == 404
    Article.objects.filter(pk=story.pk).update(published_at=NOW() - timedelta(seconds=1))
    # No purge is needed: a 404 is never kept, and published() is asked on every render.
    assert get(client, f"{ARTICLES}/{story.pk}")[0].status_code == 200


def test_tags_only_on_drafts_are_not_listed(client, article, hidden):
    article.tags.add("Public topic")
    hidden["draft"].tags.add("Secret merger")
    hidden["scheduled"].tags.add("Embargoed")
    _response, body = get(client, "/api/v1/tags")
    assert [tag["slug"] for tag in body["items"]] == ["public-topic"]


def test_sections_come_in_menu_order(client):
    CategoryFactory(name="Sport", slug="sport", position=2)
    CategoryFactory(name="World", slug="world", position=1)
    _response, body = get(client, "/api/v1/sections")
    assert [s["slug"] for s in body] == ["world", "sport"]


def test_authors_page_through_by_slug(client):
    for n in range(5):
        AuthorFactory(name=f"Writer {n}", slug=f"writer-{n}")
    first, body = get(client, "/api/v1/authors", limit=3)
    assert [a["slug"] for a in body["items"]] == ["writer-0", "writer-1", "writer-2"]
    _second, rest = get(client, "/api/v1/authors", limit=3, cursor=body["next_cursor"])
    assert [a["slug"] for a in rest["items"]] == ["writer-3", "writer-4"]
    assert rest["next_cursor"] is None and rest["next"] is None


# Filters ----------------------------------------------------------------------------------


def test_filters_by_section_tag_author_and_dates(client, section, author):
    sport = CategoryFactory(name="Sport", slug="sport")
    other = AuthorFactory(slug="other-writer")
    old = ArticleFactory(
        category=section, authors=[author], published_at=NOW() - timedelta(days=9)
    )
    new = ArticleFactory(category=sport, authors=[other], published_at=NOW() - timedelta(days=1))
    new.tags.add("Football")

    def ids(**params):
        return [item["id"] for item in walk(client, **params)]

    assert ids(section="sport") == [new.pk]
    assert ids(section="politics") == [old.pk]
    assert ids(tag="football") == [new.pk]
    assert ids(author=author.slug) == [old.pk]
    assert ids(author="other-writer", section="politics") == []
    since = (NOW() - timedelta(days=2)).isoformat()
    assert ids(published_after=since) == [new.pk]
    assert ids(published_before=since) == [old.pk]
    assert ids(section="no-such-section") == []


def test_a_time_without_a_zone_is_the_newsrooms(client, section):
    story = ArticleFactory(category=section, published_at=NOW() - timedelta(days=3))
    local = timezone.localtime(story.published_at).replace(tzinfo=None)
    assert [i["id"] for i in walk(client, published_after=local.isoformat())] == [story.pk]
    later = (local + timedelta(seconds=1)).isoformat()
    assert walk(client, published_after=later) == []


# Cursor pagination ------------------------------------------------------------------------


def test_walking_the_cursor_sees_every_story_once_in_order(client, section):
    moment = NOW() - timedelta(days=1)
    # Ties on the publish time too: the id breaks them.
    stories = [
        ArticleFactory(category=section, published_at=moment - timedelta(minutes=n // 3))
        for n in range(23)
    ]
    listed = walk(client, limit=4)
    expected = sorted(stories, key=lambda a: (a.published_at, a.pk), reverse=True)
    assert [item["id"] for item in listed] == [a.pk for a in expected]


def test_stories_published_during_a_walk_neither_repeat_nor_push_others_off(client, section):
    for n in range(10):
        ArticleFactory(category=section, published_at=NOW() - timedelta(hours=n + 1))
    seen = []
    _response, body = get(client, ARTICLES, limit=3)
    seen += body["items"]
    cursor = body["next_cursor"]
    while cursor:
        # A new story lands at the top of the list before every page.
        ArticleFactory(category=section, published_at=NOW() - timedelta(seconds=1))
        _response, body = get(client, ARTICLES, limit=3, cursor=cursor)
        seen += body["items"]
        cursor = body["next_cursor"]
    ids = [item["id"] for item in seen]
    assert len(ids) == len(set(ids)) == 10


def test_the_next_link_keeps_the_filters(client, section):
    for _n in range(3):
        ArticleFactory(category=section)
    _response, body = get(client, ARTICLES, limit=2, section="politics")
    assert body["next"].startswith("http://127.0.0.1:8000/api/v1/articles?")
    path = body["next"].removeprefix("http://127.0.0.1:8000")
    _response, rest = get(client, path)
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        cursors.encode([1, 2, 3]),
        cursors.encode(["x", 1]),
        cursors.encode([10**30, 1]),
        cursors.encode([1, 0]),
        cursors.encode([1, 2**63]),
        cursors.encode({"a": 1}),
        "A" * 5000,
        "é",
    ],
)
def test_a_cursor_not_made_by_the_api_is_a_400(client, article, cursor):
    response, body = get(client, ARTICLES, cursor=cursor)
    assert response.status_code == 400
    assert "cursor" in body["detail"]


# Bad parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "51"},
        {"limit": "ten"},
        {"limit": "9" * 400},
        {"section": "a\x00b"},
        {"tag": "<script>"},
        {"author": "x" * 201},
        {"published_after": "yesterday"},
        {"published_after": "0.5"},
        {"published_before": "1796185128"},
        {"published_after": "9999-12-31T23:59:59-14:00"},
        {"published_before": "0001-01-01T00:00:00+14:00"},
        {"published_before": "2026-13-40"},
        {"fresh": "1"},
    ],
)
def test_bad_parameters_are_a_400_with_a_json_body(client, article, params):
    response, body = get(client, ARTICLES, **params)
    assert response.status_code == 400, body
    assert body["detail"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "query",
    [
        "section=%ff%fe",
        "tag=%C0%AF..%2F..%2Fetc",
        "author[]=x",
        "limit=1&limit=2&limit=x",
        "published_after=2026-02-30T00:00:00Z",
        "published_after=2026-01-01T25:00:00Z",
        "cursor=" + "%00" * 10,
        "section='%20OR%201=1--",
    ],
)
def test_hostile_query_strings_are_a_400_never_a_500(client, article, query):
    response = client.get(f"{ARTICLES}?{query}")
    assert response.status_code == 400, response.content[:300]
    assert json.loads(response.content)["detail"]


@pytest.mark.parametrize(
    "path", ["/articles/0", "/articles/abc", "/articles/" + "9" * 30, "/articles/-1"]
)
def test_a_malformed_id_is_a_400(client, path):
    response, body = get(client, "/api/v1" + path)
    assert response.status_code == 400 and body["errors"]


def test_unknown_addresses_under_the_api_are_a_json_404(client):
    response, body = get(client, "/api/v1/nothing-here")
    assert response.status_code == 404
    assert body == {"detail": "Not found."}


def test_writes_are_refused(client, article):
    response = client.post(ARTICLES, {"title": "x"})
    assert response.status_code == 405


def test_a_request_the_guard_refuses_is_answered_in_json(client):
    query = "&".join(f"p{n}=1" for n in range(1100))
    response = client.get(f"{ARTICLES}?{query}")
    assert response.status_code == 400
    assert json.loads(response.content)["detail"].startswith("The address has more than")


# Caching, ETag and purge ------------------------------------------------------------------


def test_answers_carry_an_etag_and_a_conditional_get_is_a_304(client, article):
    first = client.get(ARTICLES)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=60"
    etag = first["ETag"]
    again = client.get(ARTICLES, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    other = client.get(ARTICLES, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_a_cached_answer_and_its_304_need_no_query(client, article, django_assert_num_queries):
    etag = client.get(f"{ARTICLES}/{article.pk}")["ETag"]
    with django_assert_num_queries(0):
        assert client.get(f"{ARTICLES}/{article.pk}").status_code == 200
        response = client.get(f"{ARTICLES}/{article.pk}", headers={"If-None-Match": etag})
        assert response.status_code == 304


def test_an_editorial_change_purges_the_answers(
    client, article, django_capture_on_commit_callbacks
):
    etag = client.get(f"{ARTICLES}/{article.pk}")["ETag"]
    article.title = "Corrected headline"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_save(article=article)
    response = client.get(f"{ARTICLES}/{article.pk}", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert json.loads(response.content)["headline"] == "Corrected headline"
    assert response["ETag"] != etag


def test_unpublishing_takes_a_story_out_of_the_cached_list(
    client, article, django_capture_on_commit_callbacks
):
    assert [i["id"] for i in get(client, ARTICLES)[1]["items"]] == [article.pk]
    article.status = Article.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        services.article_save(article=article)
    assert get(client, ARTICLES)[1]["items"] == []
    assert get(client, f"{ARTICLES}/{article.pk}")[0].status_code == 404


# Rate limit -------------------------------------------------------------------------------


def test_too_many_requests_from_one_address_get_a_json_429(client, article, settings):
    settings.RATELIMITS = {"api": (3, 60)}
    for _n in range(3):
        assert client.get(ARTICLES).status_code == 200
    response, body = get(client, ARTICLES)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "too often" in body["detail"]
    assert "no-store" in response["Cache-Control"]
    # Another address is counted apart.
    assert client.get(ARTICLES, REMOTE_ADDR="10.0.0.9").status_code == 200


# Query budgets and the schema -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        (ARTICLES, 3),  # stories with their sections, bylines, tags
        (ARTICLES + "?author=author-x", 3),
        (ARTICLES + "?tag=topic-1&section=politics", 3),
        ("/api/v1/sections", 1),
        ("/api/v1/authors", 1),
        ("/api/v1/tags", 1),
    ],
)
def test_each_endpoint_keeps_its_query_budget_however_many_stories(
    client, section, path, budget, django_assert_max_num_queries
):
    writer = AuthorFactory(slug="author-x")
    for n in range(12):
        story = ArticleFactory(category=section, authors=[writer, AuthorFactory()])
        story.tags.add("Topic 1", f"Other {n}")
    client.get("/api/v1/tags?limit=1")  # the content type is looked up once per process
    with django_assert_max_num_queries(budget):
        response = client.get(path)
    assert response.status_code == 200


def test_the_detail_keeps_its_query_budget(client, article, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get(f"{ARTICLES}/{article.pk}").status_code == 200


def test_the_schema_is_openapi_3_and_names_every_endpoint(client):
    response = client.get("/api/v1/schema/")
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/sections",
        "/api/v1/authors",
        "/api/v1/tags",
    }


def test_the_docs_page_loads_its_files_from_this_site(client):
    response = client.get(reverse("api:openapi-view"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_answers_do_not_vary_on_the_cookie(client, reader_client, article):
    # The same for every reader, signed in or not: a cache in front may share one copy.
    assert "Cookie" not in Client().get(ARTICLES).get("Vary", "")
    response = reader_client.get(ARTICLES)
    assert "Cookie" not in response.get("Vary", "") and not response.cookies


def test_an_error_under_the_api_is_a_json_500_and_an_outage_a_json_503(rf):
    from django.db import OperationalError

    from core.views import server_error

    request = rf.get(ARTICLES)
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Something went wrong on our side."}
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"]
    assert json.loads(response.content)["detail"].startswith("The site is briefly unavailable")
