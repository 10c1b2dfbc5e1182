"""Newsroom roles: who may do what, defined once.

A role is a Django group plus the flags the admin needs (`is_staff`). Readers are every
signed-up user and have no group; authors and editors are groups whose permissions come
from `ROLE_PERMISSIONS`. Superusers are editors and more.

The groups are created by a data migration and completed after every `migrate` (and after
the test runner flushes the database) by `sync_roles`, so permissions of apps whose models
arrive later still end up in the right group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps as global_apps
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.exceptions import ServiceError
from core.slugs import unique_slug

if TYPE_CHECKING:
    from accounts.models import Author, User

AUTHOR_GROUP = "Author"
EDITOR_GROUP = "Editor"

READER = "reader"
AUTHOR = "author"
EDITOR = "editor"
ROLES = (READER, AUTHOR, EDITOR)
ROLE_CHOICES = [(READER, _("Reader")), (AUTHOR, _("Author")), (EDITOR, _("Editor"))]

# Every permission of a model, including custom ones such as a "publish" permission.
ALL = None
# (app_label, model) -> actions ("add", "change", ...) or ALL. Model "*" means every
# model of that app, for apps whose models are still being written.
ROLE_PERMISSIONS: dict[str, dict[tuple[str, str], frozenset[str] | None]] = {
    EDITOR_GROUP: {
        ("articles", "article"): ALL,
        ("articles", "articleauthor"): ALL,
        ("articles", "category"): ALL,
        ("articles", "galleryimage"): ALL,
        ("articles", "bodyimage"): ALL,
        ("articles", "correction"): ALL,
        ("taggit", "tag"): ALL,
        ("accounts", "author"): ALL,
        # Editors deal with troublesome readers; the user admin stops them raising anyone's role.
        ("accounts", "user"): frozenset({"view", "change"}),
        ("comments", "*"): ALL,
        ("polls", "*"): ALL,
        ("frontpage", "*"): ALL,
        ("liveblog", "*"): ALL,
        ("pages", "page"): ALL,
    },
    AUTHOR_GROUP: {
        ("articles", "article"): frozenset({"add", "change", "view"}),
        # The byline rows edited inline on the article form; the article admin limits which.
        ("articles", "articleauthor"): frozenset({"add", "change", "delete", "view"}),
        ("articles", "category"): frozenset({"view"}),
        # Their stories' galleries, and pictures uploaded from the body editor.
        ("articles", "galleryimage"): frozenset({"add", "change", "delete", "view"}),
        ("articles", "bodyimage"): frozenset({"add", "view"}),
        # Corrections are an editor's call; authors see them on their stories.
        ("articles", "correction"): frozenset({"view"}),
        ("taggit", "tag"): frozenset({"view"}),
        ("accounts", "author"): frozenset({"view"}),
        # Reporters post to a live page; opening and closing one is an editor's call.
        ("liveblog", "livecoverage"): frozenset({"view"}),
        ("liveblog", "liveentry"): frozenset({"add", "change", "view"}),
    },
}
_GROUP_CACHE_ATTR = "_role_group_names"


class RoleError(ServiceError):
    """A role change the rules refuse (an unknown role)."""


def _group_names(user) -> frozenset[str]:
    # The admin asks about roles many times per request; one query per user object.
    names = getattr(user, _GROUP_CACHE_ATTR, None)
    if names is None:
        prefetched = getattr(user, "_prefetched_objects_cache", {}).get("groups")
        if prefetched is not None:
            names = frozenset(group.name for group in prefetched)
        else:
            names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _GROUP_CACHE_ATTR, names)
    return names


def is_editor(user) -> bool:
    """Superusers and members of the Editor group."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or EDITOR_GROUP in _group_names(user)


def is_author(user) -> bool:
    """Members of the Author group who are not also editors."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return not is_editor(user) and AUTHOR_GROUP in _group_names(user)


def role_of(user) -> str:
    """The role an account holds, active or not (the admin's user list shows both)."""
    names = _group_names(user)
    if user.is_superuser or EDITOR_GROUP in names:
        return EDITOR
    if AUTHOR_GROUP in names:
        return AUTHOR
    return READER


def role_label(user) -> str:
    if user.is_superuser:
        return _("Superuser")
    return dict(ROLE_CHOICES)[role_of(user)]


def author_for(user) -> Author | None:
    """The byline profile linked to this user account, if there is one."""
    from accounts.models import Author

    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.author
    except Author.DoesNotExist:
        return None


def author_profile_ensure(*, user: User) -> Author:
    """Return the user's Author profile, creating one named after them if missing."""
    from accounts.models import Author

    existing = author_for(user)
    if existing is not None:
        return existing
    name = user.get_full_name() or user.public_name
    slug = unique_slug(
        slugify(name), among=Author.objects.all(), max_length=140, fallback="author"
    )
    return Author.objects.create(name=name, slug=slug, user=user)


@transaction.atomic
def role_assign(*, user: User, role: str) -> User:
    """Make `user` a reader, author or editor.

    Authors and editors get admin access (`is_staff`) and authors get a byline profile.
    Superuser status is not a role and is left alone; superusers keep admin access.
    """
    from django.contrib.auth.models import Group

    if role not in ROLES:
        raise RoleError(_("Unknown role “%(role)s”.") % {"role": role})
    sync_roles()
    groups = {g.name: g for g in Group.objects.filter(name__in=[AUTHOR_GROUP, EDITOR_GROUP])}
    user.groups.remove(*groups.values())
    if role == AUTHOR:
        user.groups.add(groups[AUTHOR_GROUP])
        author_profile_ensure(user=user)
    elif role == EDITOR:
        user.groups.add(groups[EDITOR_GROUP])
    user.is_staff = role != READER or user.is_superuser
    user.save(update_fields=["is_staff"])
    if hasattr(user, _GROUP_CACHE_ATTR):
        delattr(user, _GROUP_CACHE_ATTR)
    return user


def sync_roles(*, apps=global_apps, app_label: str | None = None, using: str = "default"):
    """Create the role groups and add the permissions that exist so far. Idempotent.

    Only adds: permissions an administrator granted a group by hand stay. Works with the
    real app registry and with a migration's historical one.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=group_name)
        wanted = []
        for (label, model), actions in grants.items():
            if app_label is not None and label != app_label:
                continue
            perms = Permission.objects.using(using).filter(content_type__app_label=label)
            if model != "*":
                perms = perms.filter(content_type__model=model)
            for perm in perms.select_related("content_type"):
                action = perm.codename.removesuffix(f"_{perm.content_type.model}")
                if actions is ALL or action in actions:
                    wanted.append(perm)
        group.permissions.add(*wanted)


def sync_roles_after_migrate(sender, app_config=None, using="default", apps=global_apps, **kw):
    """post_migrate receiver: Django creates each app's permissions in the same signal."""
    labels = {label for grants in ROLE_PERMISSIONS.values() for label, _m in grants}
    if sender.label in labels:
        sync_roles(apps=apps, app_label=sender.label, using=using)
