"""Account forms, uploads and the desk turn garbage into form errors; whole-request limits,
NUL characters in admin addresses, links that keep their parameters, read-only feeds."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests.factories import (
    UserFactory,
)
from tests.hostile.support import (
    GARBAGE,
    action_url,
    decompression_bomb,
    good_paths,
    snapshot,
    status_of,
    twenty_megabytes,
)

pytestmark = pytest.mark.django_db


ACCOUNT_GARBAGE = [
    ("account_login", {}),
    ("account_login", {"login": "x" * 100_000, "password": "y" * 100_000}),
    ("account_login", {"login": "a\x00b", "password": "\x00"}),
    ("account_login", {"login": ["a", "b"], "password": "p", "remember": "maybe"}),
    ("account_signup", {}),
    ("account_signup", {"email": "not-an-email", "username": "x" * 1000, "password1": "a"}),
    ("account_signup", {"email": "a\x00@example.com", "username": "\x00", "password1": "\x00"}),
    ("account_reset_password", {"email": "x" * 100_000}),
    ("account_reset_password", {"email": "a\x00@example.com"}),
]


def test_garbage_in_the_account_forms_is_a_form_error(client, world, no_limits):
    from accounts.models import User

    users = User.objects.count()
    problems = []
    for name, data in ACCOUNT_GARBAGE:
        status = status_of(client, "post", reverse(name), data=data)
        if status != 200:
            problems.append(f"{name} {str(data)[:60]} → {status}")
    assert problems == []
    assert User.objects.count() == users


def test_garbage_in_the_profile_form_is_a_form_error(client, world):
    user = UserFactory(display_name="Jo")
    client.force_login(user)
    for data in ({"display_name": "x" * 100_000}, {"display_name": "a\x00b"}):
        assert status_of(client, "post", reverse("accounts:profile"), data=data) == 200
    user.refresh_from_db()
    assert user.display_name == "Jo"


@pytest.mark.parametrize("make_file", [twenty_megabytes, decompression_bomb])
def test_an_oversized_or_hostile_avatar_is_a_clear_form_error(client, make_file):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Jo", "avatar": make_file("avatar.png")},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["avatar"]
    assert errors and all(len(message) > 10 for message in errors)
    user.refresh_from_db()
    assert not user.avatar


@pytest.mark.parametrize("make_file", [twenty_megabytes, decompression_bomb])
def test_an_oversized_or_hostile_article_image_is_a_clear_form_error(
    client, staff_user, world, make_file
):
    client.force_login(staff_user)
    articles = Article.objects.count()
    response = client.post(
        reverse("admin:articles_article_add"),
        {"title": "With a huge picture", "image": make_file("huge.png")},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["image"]
    assert any(w in e for e in errors for w in ("largest", "too many", "bomb")), errors
    assert Article.objects.count() == articles


def test_the_log_in_link_returns_to_the_whole_address_with_every_parameter(client, world):
    # {% firstof %} escapes what it stores: "&" reached the link as "&amp;", and after
    # logging in the reader landed on a search without its query.
    response = client.get(reverse("search:search"), {"q": "council", "sort": "newest"})
    html = response.content.decode()
    assert "?next=/search/%3Fq%3Dcouncil%26sort%3Dnewest" in html
    assert "%26amp%3B" not in html


def test_the_log_out_form_returns_to_the_whole_address_with_every_parameter(client, world):
    client.force_login(UserFactory())
    response = client.get(reverse("search:search"), {"q": "<council>", "sort": "newest"})
    html = response.content.decode()
    assert 'name="next" value="/search/?q=%3Ccouncil%3E&amp;sort=newest"' in html


@pytest.mark.parametrize("tags", [["a\x00b"], ["\x00"], ["good", "bad\x00"]])
def test_a_tag_with_a_null_character_is_a_form_error_on_the_desk(client, staff_user, world, tags):
    from tests.test_admin_articles import change_url, form_data

    client.force_login(staff_user)
    article = world["article"]
    page = client.get(change_url(article))
    response = client.post(change_url(article), form_data(page, tags=tags))
    assert response.status_code == 200
    assert "null character" in str(response.context["adminform"].form.errors["tags"])
    assert set(article.tags.names()) == {"budget"}


def test_the_tag_autocomplete_refuses_a_null_character_with_a_400(client, staff_user, world):
    client.force_login(staff_user)
    url = reverse("admin:articles_article_tag_autocomplete")
    assert client.get(url, {"term": "bud\x00get"}).status_code == 400
    assert client.get(url, {"term": "bud"}).json()["results"] == [
        {"id": "budget", "text": "budget"}
    ]


def test_garbage_from_an_anonymous_rater_is_a_4xx_when_anonymous_ratings_are_on(
    client, world, no_limits, settings
):
    settings.RATINGS_ALLOW_ANONYMOUS = True
    client.cookies["np_rater"] = "forged:browser:token"
    before = snapshot(world)
    for name, data in GARBAGE:
        if name == "ratings:rate":
            assert status_of(client, "post", action_url(name, world), data=data) == 400, data
    assert snapshot(world) == before
    forged = Client(enforce_csrf_checks=True)
    assert forged.post(action_url("ratings:rate", world), {"stars": "5"}).status_code == 403
    assert snapshot(world) == before


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_a_request_body_beyond_the_request_limit_is_413_before_anything_reads_it(
    client, world, settings, htmx
):
    # Django streams uploaded files to disk whatever their size; only the limit stops them.
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    user = UserFactory()
    client.force_login(user)
    before = snapshot(world)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for url, data in (
        (reverse("accounts:profile"), {"display_name": "Jo", "avatar": twenty_megabytes("a.png")}),
        (action_url("comments:create", world), {"body": "Hi", "file": twenty_megabytes("x.png")}),
    ):
        response = client.post(url, data, **extra)
        assert response.status_code == 413
        assert "the most we accept in one go is 1.0" in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar and user.display_name != "Jo"
    assert snapshot(world) == before


def test_a_forged_request_beyond_the_request_limit_is_refused_unread(world, settings):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    client = Client(enforce_csrf_checks=True)
    url = action_url("comments:create", world)
    assert client.post(url, {"file": twenty_megabytes("x.png")}).status_code == 413


@pytest.mark.parametrize(
    "query",
    ["status__exact=%00", "q=%00", "category__id__exact=1%00", "%00=1", "o=1&p=%00"],
)
def test_a_nul_character_in_an_admin_address_is_a_400_not_a_500(client, staff_user, query):
    client.force_login(staff_user)
    for url in ("/admin/articles/article/", "/admin/comments/comment/"):
        assert client.get(f"{url}?{query}").status_code == 400


@pytest.mark.parametrize(
    "name",
    ["articles:feed-rss", "articles:feed-tag-atom", "sitemap-index", "sitemap-section"]
    + ["news-sitemap"],
)
def test_feeds_and_sitemaps_answer_only_reads(client, world, name):
    url = good_paths(world)[name]
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    for method in ("post", "put", "delete"):
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url)
        assert response["Allow"] == "GET, HEAD"
