import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import Author
from accounts.roles import (
    AUTHOR_GROUP,
    EDITOR_GROUP,
    RoleError,
    author_for,
    is_author,
    is_editor,
    role_assign,
    role_of,
    sync_roles,
)
from tests.factories import AuthorFactory, UserFactory

pytestmark = pytest.mark.django_db


def group_perms(name):
    group = Group.objects.get(name=name)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_fresh_database_has_the_editor_group_with_full_newsroom_permissions():
    perms = group_perms(EDITOR_GROUP)
    for model in ("article", "category"):
        for action in ("add", "change", "delete", "view"):
            assert f"articles.{action}_{model}" in perms
    for action in ("add", "change", "delete", "view"):
        assert f"taggit.{action}_tag" in perms
        assert f"accounts.{action}_author" in perms
    assert "accounts.delete_user" not in perms
    assert "auth.change_group" not in perms


def test_fresh_database_has_the_author_group_with_write_but_not_delete_on_articles():
    perms = group_perms(AUTHOR_GROUP)
    assert {"articles.add_article", "articles.change_article", "articles.view_article"} <= perms
    assert "articles.delete_article" not in perms
    assert {"articles.view_category", "taggit.view_tag", "accounts.view_author"} <= perms
    assert "articles.change_category" not in perms
    assert not any(p.startswith("accounts.") and p.endswith("_user") for p in perms)


def test_editor_group_gets_every_permission_of_the_comments_and_polls_apps():
    perms = group_perms(EDITOR_GROUP)
    for app_label in ("comments", "polls"):
        expected = {
            f"{app_label}.{codename}"
            for codename in Permission.objects.filter(
                content_type__app_label=app_label
            ).values_list("codename", flat=True)
        }
        assert expected <= perms


def test_sync_roles_restores_lost_permissions_and_keeps_hand_granted_ones():
    editor = Group.objects.get(name=EDITOR_GROUP)
    extra = Permission.objects.get(codename="view_group")
    editor.permissions.add(extra)
    editor.permissions.remove(Permission.objects.get(codename="delete_article"))
    call_command("sync_roles", stdout=open("/dev/null", "w"))  # noqa: SIM115
    perms = group_perms(EDITOR_GROUP)
    assert "articles.delete_article" in perms
    assert "auth.view_group" in perms


@pytest.mark.django_db(transaction=True)
def test_roles_come_back_after_the_database_is_flushed():
    call_command("flush", interactive=False, verbosity=0)
    assert "articles.delete_article" in group_perms(EDITOR_GROUP)
    assert "articles.add_article" in group_perms(AUTHOR_GROUP)


def test_sync_roles_recreates_deleted_groups():
    Group.objects.filter(name__in=[AUTHOR_GROUP, EDITOR_GROUP]).delete()
    sync_roles()
    assert "articles.add_article" in group_perms(AUTHOR_GROUP)
    assert "articles.delete_article" in group_perms(EDITOR_GROUP)


def test_superuser_counts_as_editor_and_not_author():
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert is_editor(admin)
    assert not is_author(admin)


def test_plain_user_is_a_reader():
    reader = UserFactory()
    assert role_of(reader) == "reader"
    assert not is_editor(reader)
    assert not is_author(reader)


def test_anonymous_user_has_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert not is_editor(AnonymousUser())
    assert not is_author(AnonymousUser())
    assert author_for(AnonymousUser()) is None


def test_member_of_both_groups_is_an_editor_not_an_author():
    user = UserFactory()
    user.groups.add(*Group.objects.filter(name__in=[AUTHOR_GROUP, EDITOR_GROUP]))
    assert is_editor(user)
    assert not is_author(user)


def test_role_assign_author_makes_staff_and_creates_a_byline_profile():
    user = UserFactory(username="jdoe", first_name="Jane", last_name="Doe")
    role_assign(user=user, role="author")
    user.refresh_from_db()
    assert user.is_staff
    assert is_author(user)
    profile = author_for(user)
    assert profile.name == "Jane Doe"
    assert profile.slug == "jane-doe"


def test_role_assign_author_links_an_unused_slug_when_the_name_is_taken():
    AuthorFactory(name="Jane Doe", slug="jane-doe")
    user = UserFactory(first_name="Jane", last_name="Doe")
    role_assign(user=user, role="author")
    assert author_for(user).slug == "jane-doe-2"


def test_role_assign_author_keeps_an_existing_profile():
    user = UserFactory()
    profile = AuthorFactory(user=user)
    role_assign(user=user, role="author")
    assert author_for(user) == profile
    assert Author.objects.filter(user=user).count() == 1


def test_role_assign_editor_then_reader_removes_staff_and_groups():
    user = UserFactory()
    role_assign(user=user, role="editor")
    assert is_editor(user)
    assert user.is_staff
    role_assign(user=user, role="reader")
    user.refresh_from_db()
    assert not user.is_staff
    assert role_of(user) == "reader"
    assert not user.groups.exists()


def test_role_assign_reader_leaves_a_superuser_with_admin_access():
    admin = UserFactory(is_superuser=True, is_staff=True)
    role_assign(user=admin, role="reader")
    admin.refresh_from_db()
    assert admin.is_staff
    assert admin.is_superuser


def test_role_assign_rejects_unknown_roles():
    with pytest.raises(RoleError, match="Unknown role"):
        role_assign(user=UserFactory(), role="overlord")


def test_set_role_command_makes_an_author(capsys):
    user = UserFactory(username="writer")
    call_command("set_role", "writer", "author")
    user.refresh_from_db()
    assert is_author(user)
    assert user.is_staff
    assert author_for(user) is not None
    assert "writer is now an author" in capsys.readouterr().out


def test_set_role_command_finds_users_by_email_case_insensitively():
    user = UserFactory(username="boss", email="boss@example.com")
    call_command("set_role", "BOSS@example.com", "editor", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user.refresh_from_db()
    assert is_editor(user)


def test_set_role_command_fails_clearly_for_unknown_users():
    with pytest.raises(CommandError, match="No user"):
        call_command("set_role", "nobody", "editor")


def test_role_checks_cost_one_query_per_user(django_assert_max_num_queries):
    user = UserFactory()
    role_assign(user=user, role="author")
    with django_assert_max_num_queries(1):
        for _ in range(5):
            is_editor(user)
            is_author(user)


# The user and author admin -----------------------------------------------------------------


def staff(role, **kwargs):
    user = UserFactory(**kwargs)
    role_assign(user=user, role=role)
    user.refresh_from_db()
    return user


def user_change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def user_form_data(user, **overrides):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return data


def test_an_author_cannot_open_the_user_admin_at_all(client):
    author = staff("author")
    client.force_login(author)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(user_change_url(author)).status_code == 403


def test_an_author_cannot_raise_their_own_role_even_with_a_stray_permission(client):
    author = staff("author")
    author.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(author)
    editor_group = Group.objects.get(name=EDITOR_GROUP)
    response = client.post(
        user_change_url(author),
        user_form_data(author, is_superuser="on", groups=[editor_group.pk]),
    )
    assert response.status_code == 403
    author.refresh_from_db()
    assert not author.is_superuser
    assert role_of(author) == "author"


def test_an_editor_sees_privilege_fields_read_only_on_their_own_account(client):
    editor = staff("editor")
    client.force_login(editor)
    response = client.get(user_change_url(editor))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert name not in form.fields


def test_an_editor_cannot_make_themself_superuser(client):
    editor = staff("editor")
    client.force_login(editor)
    all_perms = list(Permission.objects.values_list("pk", flat=True)[:5])
    response = client.post(
        user_change_url(editor),
        user_form_data(
            editor,
            display_name="Chief",
            is_superuser="on",
            is_staff="on",
            groups=[g.pk for g in Group.objects.all()],
            user_permissions=all_perms,
        ),
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.display_name == "Chief"  # the allowed part of the form saved
    assert not editor.is_superuser
    assert not editor.user_permissions.exists()
    assert set(editor.groups.values_list("name", flat=True)) == {EDITOR_GROUP}


def test_an_editor_can_deactivate_a_reader(client):
    client.force_login(staff("editor"))
    reader = UserFactory()
    data = user_form_data(reader)
    del data["is_active"]
    response = client.post(user_change_url(reader), data)
    assert response.status_code == 302
    reader.refresh_from_db()
    assert not reader.is_active


def test_an_editor_cannot_change_another_staff_member_or_a_superuser(client):
    client.force_login(staff("editor"))
    for other in (staff("author"), staff("editor"), UserFactory(is_superuser=True, is_staff=True)):
        response = client.post(
            user_change_url(other), user_form_data(other, email="x@evil.example")
        )
        assert response.status_code == 403
        other.refresh_from_db()
        assert other.email != "x@evil.example"


def test_an_editor_cannot_set_someone_elses_password(client):
    client.force_login(staff("editor"))
    reader = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[reader.pk])
    assert client.get(url).status_code == 403


def test_an_editor_cannot_add_or_delete_users_or_assign_roles(client):
    client.force_login(staff("editor"))
    reader = UserFactory()
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    assert client.get(reverse("admin:accounts_user_delete", args=[reader.pk])).status_code == 403
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "make_editor", "_selected_action": [reader.pk]},
    )
    assert role_of(reader) == "reader"
    assert response.status_code in (200, 302)


def test_a_superuser_assigns_roles_with_the_admin_action(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    reader = UserFactory()
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "make_author", "_selected_action": [reader.pk]},
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert is_author(reader)
    assert author_for(reader) is not None


def test_user_changelist_shows_roles_within_a_query_budget(client, django_assert_max_num_queries):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for role in ("reader", "author", "editor") * 4:
        staff(role)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    assert "Editor" in response.content.decode()


def author_form_data(author, **overrides):
    data = {
        "name": author.name,
        "slug": author.slug,
        "job_title": author.job_title,
        "bio": author.bio,
        "website": "",
        "social_handle": "",
    }
    data.update(overrides)
    return data


def test_an_author_can_edit_their_own_byline_but_not_its_slug_or_account(client):
    author = staff("author")
    profile = author_for(author)
    client.force_login(author)
    other_user = UserFactory()
    response = client.post(
        reverse("admin:accounts_author_change", args=[profile.pk]),
        author_form_data(profile, bio="New bio.", slug="hijacked", user=other_user.pk),
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.bio == "New bio."
    assert profile.slug != "hijacked"
    assert profile.user == author


def test_an_author_cannot_edit_someone_elses_byline(client):
    client.force_login(staff("author"))
    other = AuthorFactory()
    response = client.post(
        reverse("admin:accounts_author_change", args=[other.pk]),
        author_form_data(other, bio="Vandalised."),
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.bio != "Vandalised."


def test_an_editor_manages_any_byline(client):
    client.force_login(staff("editor"))
    other = AuthorFactory()
    response = client.post(
        reverse("admin:accounts_author_change", args=[other.pk]),
        author_form_data(other, job_title="Political editor"),
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.job_title == "Political editor"
