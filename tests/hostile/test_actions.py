"""Every action refuses a missing CSRF token, the wrong method, a missing log-in, garbage and
things that are not there with a 4xx, and a refused action changes nothing."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from articles.models import Article
from comments.models import Comment
from tests.factories import (
    CommentFactory,
    PollChoiceFactory,
    UserFactory,
)
from tests.hostile.support import (
    ACTIONS,
    BIG_INT,
    GARBAGE,
    HUGE,
    LOGIN_ACTIONS,
    action_url,
    snapshot,
    status_of,
    valid_data,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(ACTIONS - {"readership:beacon"}))
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "reader"])
def test_an_action_without_a_csrf_token_is_forbidden_and_changes_nothing(
    name, signed_in, world, no_limits
):
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        # The comment's own author, so edit and delete would otherwise be allowed.
        client.force_login(world["commenter"])
    before = snapshot(world)
    response = client.post(action_url(name, world), valid_data(name, world))
    assert response.status_code == 403
    assert snapshot(world) == before
    if signed_in:
        assert "_auth_user_id" in client.session, "a forged logout must not log anyone out"


def test_the_view_beacon_is_the_one_csrf_exempt_action_and_only_adds_a_view(world):
    # By design (readership/views.py): the page may come from a shared cache, without a token.
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 Firefox/140.0")
    before = snapshot(world)
    assert client.post(action_url("readership:beacon", world)).status_code == 204
    after = snapshot(world)
    assert {k: v for k, v in after.items() if k != "views"} == {
        k: v for k, v in before.items() if k != "views"
    }


@pytest.mark.parametrize("name", sorted(ACTIONS - {"account_logout"}))
def test_get_on_an_action_is_405_and_changes_nothing(name, client, world):
    client.force_login(world["commenter"])
    before = snapshot(world)
    url = action_url(name, world)
    assert client.get(url).status_code == 405
    assert client.get(url, valid_data(name, world)).status_code == 405
    assert client.head(url).status_code == 405
    assert snapshot(world) == before


def test_get_on_logout_asks_for_confirmation_and_keeps_the_reader_logged_in(client, world):
    client.force_login(world["commenter"])
    assert client.get(reverse("account_logout")).status_code == 200
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("name", LOGIN_ACTIONS)
def test_an_anonymous_action_is_sent_to_log_in_and_changes_nothing(name, client, world):
    before = snapshot(world)
    response = client.post(action_url(name, world), valid_data(name, world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert snapshot(world) == before


@pytest.mark.parametrize("name", LOGIN_ACTIONS)
def test_an_anonymous_background_action_gets_401(name, client, world):
    before = snapshot(world)
    response = client.post(
        action_url(name, world), valid_data(name, world), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 401
    assert snapshot(world) == before


@pytest.mark.parametrize("name", ["accounts:profile", "account_change_password", "account_email"])
def test_an_anonymous_account_form_post_is_sent_to_log_in(name, client, world):
    response = client.post(reverse(name), {"display_name": "Someone", "email": "a@example.com"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_garbage_in_an_action_is_a_4xx_and_changes_nothing(client, world, no_limits, htmx):
    client.force_login(UserFactory())
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    before = snapshot(world)
    problems = []
    for name, data in GARBAGE:
        status = status_of(client, "post", action_url(name, world), data=data, **extra)
        if not (isinstance(status, int) and 400 <= status < 500):
            problems.append(f"{name} {str(data)[:60]} → {status}")
    assert problems == []
    assert snapshot(world) == before


def test_an_answer_from_another_poll_is_refused(client, world, no_limits):
    foreign = PollChoiceFactory(poll__article=world["other_article"])
    client.force_login(UserFactory())
    before = snapshot(world)
    response = client.post(action_url("polls:vote", world), {"choice": foreign.pk})
    assert response.status_code == 400
    assert snapshot(world) == before


def test_a_reply_to_a_comment_on_another_article_is_refused(client, world, no_limits):
    elsewhere = CommentFactory(article=world["other_article"])
    client.force_login(UserFactory())
    before = Comment.objects.count()
    response = client.post(
        action_url("comments:create", world), {"body": "Replying across", "parent": elsewhere.pk}
    )
    assert response.status_code == 400
    assert Comment.objects.count() == before


@pytest.mark.parametrize("name", ["comments:edit", "comments:delete"])
def test_someone_elses_comment_cannot_be_edited_or_deleted(name, client, world, no_limits):
    client.force_login(UserFactory())
    before = snapshot(world)
    response = client.post(action_url(name, world), valid_data(name, world))
    assert response.status_code == 403
    assert snapshot(world) == before


@pytest.mark.parametrize(
    "name", ["comments:create", "ratings:rate", "polls:vote", "votes:vote", "comments:report"]
)
def test_an_action_on_an_article_that_is_not_public_is_404(name, client, world, no_limits):
    Article.objects.filter(pk=world["article"].pk).update(status=Article.Status.DRAFT)
    client.force_login(UserFactory())
    before = snapshot(world)
    assert client.post(action_url(name, world), valid_data(name, world)).status_code == 404
    assert snapshot(world) == before


# The newsletter's profile action points at nothing in its address: the reader's own row.
@pytest.mark.parametrize("name", sorted(ACTIONS - {"account_logout", "newsletter:profile"}))
def test_an_action_on_something_that_does_not_exist_is_404(name, client, world, no_limits):
    client.force_login(UserFactory())
    url = action_url(name, world)
    for missing in ("999999", BIG_INT, HUGE):
        pk = str(world["poll"].pk if name == "polls:vote" else world["article"].pk)
        if name.startswith(("comments:", "votes:")) and name != "comments:create":
            pk = str(world["comment"].pk)
        bad = url.replace(f"/{pk}/", f"/{missing}/")
        assert status_of(client, "post", bad, data=valid_data(name, world)) == 404, bad


def test_a_body_beyond_the_upload_limit_is_413_and_changes_nothing(client, world, no_limits):
    client.force_login(UserFactory())
    before = snapshot(world)
    oversized = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    for name in ("comments:create", "ratings:rate", "polls:vote", "votes:vote"):
        data = {**valid_data(name, world), "padding": oversized}
        assert status_of(client, "post", action_url(name, world), data=data) == 413, name
    assert snapshot(world) == before


def test_too_many_fields_is_400_and_changes_nothing(client, world, no_limits):
    client.force_login(UserFactory())
    before = snapshot(world)
    data = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    data["body"] = "A fine comment"
    assert status_of(client, "post", action_url("comments:create", world), data=data) == 400
    assert snapshot(world) == before
