"""Every action of every ModelAdmin refuses a selection that names no row of its model with a
400 and changes nothing; bad action names and indexes, and NUL characters in admin
addresses, are never a 500."""

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from articles.models import Article
from tests.hostile.support import HUGE, snapshot, status_of

pytestmark = pytest.mark.django_db

BAD_SELECTIONS = ["abc", "\x00", "1\x00", "", "1.5", "1e3", " ", "0x1"]


def changelists():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield model, model_admin, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in admin.site._registry}


def test_no_admin_action_takes_a_selection_that_names_no_row(client, staff_user, world):
    client.force_login(staff_user)
    before = (row_counts(), snapshot(world))
    problems = []
    for _model, model_admin, url in changelists():
        request = client.get(url).wsgi_request
        for action in model_admin.get_actions(request):
            for selected in (["1", "abc"], ["1\x00"]):
                data = {"action": action, ACTION_CHECKBOX_NAME: selected}
                status = status_of(client, "post", url, data)
                if status != 400:
                    problems.append(f"{url} {action} {selected!r} → {status}")
    assert problems == []
    assert (row_counts(), snapshot(world)) == before


@pytest.mark.parametrize("confirmed", [False, True], ids=["asked", "confirmed"])
def test_a_selection_of_any_bad_shape_deletes_nothing(client, staff_user, world, confirmed):
    client.force_login(staff_user)
    url = reverse("admin:articles_article_changelist")
    before = (row_counts(), snapshot(world))
    extra = {"post": "yes"} if confirmed else {}
    for selected in BAD_SELECTIONS:
        data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: selected, **extra}
        assert status_of(client, "post", url, data) == 400, repr(selected)
    assert (row_counts(), snapshot(world)) == before


def test_the_refusal_says_what_was_wrong_and_links_back(client, staff_user, world):
    client.force_login(staff_user)
    url = reverse("admin:articles_article_changelist")
    response = client.post(url, {"action": "unpublish", ACTION_CHECKBOX_NAME: "abc"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "does not name" in html
    assert f'href="{url}"' in html


@pytest.mark.parametrize(
    "data",
    [
        {"action": "no_such_action", ACTION_CHECKBOX_NAME: "1"},
        {"action": "\x00", ACTION_CHECKBOX_NAME: "1"},
        {"action": ["unpublish", "archive"], "index": "x", ACTION_CHECKBOX_NAME: "1"},
        {"action": ["unpublish", "archive"], "index": "-9", ACTION_CHECKBOX_NAME: "1"},
        {"action": ["unpublish", "archive"], "index": HUGE, ACTION_CHECKBOX_NAME: "1"},
        {"action": "unpublish", "select_across": "\x00", ACTION_CHECKBOX_NAME: "1"},
        {"action": "unpublish", "select_across": "maybe"},
        {"action": "unpublish"},
    ],
)
def test_a_bad_action_or_index_is_not_a_server_error(client, staff_user, world, data):
    client.force_login(staff_user)
    before = snapshot(world)
    status = status_of(client, "post", reverse("admin:articles_article_changelist"), data)
    assert isinstance(status, int) and status < 500, status
    assert snapshot(world) == before


def test_a_good_selection_still_runs_the_action(client, staff_user, world):
    client.force_login(staff_user)
    article = world["article"]
    url = reverse("admin:articles_article_changelist")
    response = client.post(url, {"action": "unpublish", ACTION_CHECKBOX_NAME: [article.pk]})
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).status != Article.Status.PUBLISHED


def test_an_anonymous_action_is_sent_to_log_in_not_refused(client, world):
    url = reverse("admin:articles_article_changelist")
    response = client.post(url, {"action": "unpublish", ACTION_CHECKBOX_NAME: "abc"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_nul_character_in_an_admin_path_is_a_400(client, staff_user, world):
    # reversion's history page handed it to PostgreSQL: a DataError, a 500.
    client.force_login(staff_user)
    problems = []
    for _model, _model_admin, url in changelists():
        for tail in ("%00/history/", "1%00/change/", "%00abc/delete/"):
            status = status_of(client, "get", f"{url}{tail}")
            if status != 400:
                problems.append(f"{url}{tail} → {status}")
    assert problems == []
