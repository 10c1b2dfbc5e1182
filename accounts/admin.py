from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import roles
from accounts.models import Author, User

# Fields that decide what a user may do. Only superusers change them, for anyone.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [*roles.ROLE_CHOICES, ("superuser", _("Superuser"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "superuser":
            return queryset.filter(is_superuser=True)
        if value == roles.EDITOR:
            return queryset.filter(groups__name=roles.EDITOR_GROUP)
        if value == roles.AUTHOR:
            return queryset.filter(groups__name=roles.AUTHOR_GROUP).exclude(
                groups__name=roles.EDITOR_GROUP
            )
        if value == roles.READER:
            return queryset.filter(is_superuser=False).exclude(
                groups__name__in=[roles.AUTHOR_GROUP, roles.EDITOR_GROUP]
            )
        return queryset


def _role_action(role: str, label):
    @admin.action(description=label, permissions=["assign_role"])
    def action(modeladmin, request, queryset):
        for user in queryset:
            roles.role_assign(user=user, role=role)
        count = len(queryset)
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d user is now a %(role)s.", "%(count)d users are now %(role)ss.", count
            )
            % {"count": count, "role": role},
            messages.SUCCESS,
        )

    action.__name__ = f"make_{role}"
    return action


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Profile"), {"fields": ("display_name", "avatar")}))
    list_display = ("username", "email", "display_name", "role", "is_active", "date_joined")
    list_filter = (RoleFilter, "is_active", "is_staff")
    search_fields = ("username", "email", "display_name", "first_name", "last_name")
    date_hierarchy = "date_joined"
    actions = [
        _role_action(roles.READER, _("Make the selected users readers")),
        _role_action(roles.AUTHOR, _("Make the selected users authors")),
        _role_action(roles.EDITOR, _("Make the selected users editors")),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("role"))
    def role(self, obj):
        return roles.role_label(obj)

    def has_assign_role_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        # Authors never manage accounts, whatever permissions someone granted them.
        if not roles.is_editor(request.user) or not super().has_change_permission(request, obj):
            return False
        if obj is None or obj.pk == request.user.pk:
            return True
        # Changing a colleague's email is enough to take over their account via reset.
        return not (obj.is_superuser or obj.is_staff)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        if not request.user.is_superuser and not roles.is_editor(request.user):
            return False
        return super().has_view_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in PRIVILEGE_FIELDS if f not in readonly]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser:
            # Belt and braces: even a mistake in the fieldsets cannot post these fields.
            for name in PRIVILEGE_FIELDS:
                form.base_fields.pop(name, None)
        return form

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser and str(request.user.pk) != str(id):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "job_title", "user", "has_photo")
    list_filter = ("job_title",)
    search_fields = ("name", "job_title", "user__username", "user__email")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("user",)
    list_select_related = ("user",)
    # Links typed without a scheme ("example.com") are taken as https, as Django 6 will do.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("name", "slug", "job_title", "photo")}),
        (_("About"), {"fields": ("bio", "website", "social_handle")}),
        (_("Account"), {"fields": ("user",)}),
    )

    @admin.display(description=_("photo"), boolean=True)
    def has_photo(self, obj):
        return bool(obj.photo)

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        # Authors keep their own byline up to date (bio, photo, links).
        return obj is not None and obj.user_id is not None and obj.user_id == request.user.pk

    def get_readonly_fields(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return ()
        return ("slug", "user")

    def get_prepopulated_fields(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return super().get_prepopulated_fields(request, obj)
        return {}
