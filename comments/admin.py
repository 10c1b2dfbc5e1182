from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments.models import Comment, CommenterStatus, Report
from comments.services import comment_moderate, commenter_ban, commenter_trust

Status = Comment.Status


def _user_count(*statuses):
    """How many of the row's author's comments have one of `statuses`, as a subquery."""
    counts = (
        Comment.objects.filter(user=OuterRef("user"), status__in=statuses)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


class ReportInline(admin.TabularInline):
    model = Report
    fields = ("reason", "user", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _moderate_action(status: str, label, done):
    @admin.action(description=label, permissions=["change"])
    def action(modeladmin, request, queryset):
        count = comment_moderate(comments=queryset, status=status, moderator=request.user)
        modeladmin.message_user(request, done(count) % {"count": count}, messages.SUCCESS)

    action.__name__ = f"mark_{status}"
    return action


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: waiting comments first, newest first within each group."""

    list_display = (
        "excerpt",
        "status",
        "article",
        "user",
        "user_history",
        "report_count",
        "created_at",
        "in_place",
    )
    list_display_links = ("excerpt",)
    list_filter = ("status", ("article", admin.RelatedOnlyFieldListFilter))
    search_fields = ("body", "user__username", "user__email", "article__title")
    date_hierarchy = "created_at"
    list_select_related = ("article", "user")
    list_per_page = 50
    ordering = (
        Case(When(status=Status.PENDING, then=Value(0)), default=Value(1)).asc(),
        "-created_at",
    )
    fields = (
        "article",
        "user",
        "parent",
        "body",
        "status",
        "created_at",
        "edited_at",
        "deleted_at",
        "moderated_at",
        "moderated_by",
        "score",
        "report_count",
    )
    # Status changes go through the actions, which keep the article's comment count right.
    readonly_fields = fields
    inlines = [ReportInline]
    actions = [
        _moderate_action(
            Status.APPROVED,
            _("Approve the selected comments"),
            lambda n: ngettext("%(count)d comment approved.", "%(count)d comments approved.", n),
        ),
        _moderate_action(
            Status.HIDDEN,
            _("Hide the selected comments"),
            lambda n: ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", n),
        ),
        _moderate_action(
            Status.SPAM,
            _("Mark the selected comments as spam"),
            lambda n: ngettext(
                "%(count)d comment marked as spam.", "%(count)d comments marked as spam.", n
            ),
        ),
        "ban_authors",
        "trust_authors",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                user_approved=_user_count(Status.APPROVED),
                user_hidden=_user_count(Status.HIDDEN, Status.SPAM),
            )
        )

    def has_add_permission(self, request):
        return False

    # Deleting a comment here would bypass the counters; hiding keeps the record. But the
    # admin asks has_delete_permission for every comment an article's deletion takes
    # along, so it is the page and the bulk action that are refused, not the permission.
    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        if obj.deleted_at:
            return _("(deleted by its author)")
        return truncatechars(obj.body, 60)

    @admin.display(description=_("author's history"), ordering="user_hidden")
    def user_history(self, obj):
        # "Hidden" counts spam too: both are comments a moderator took down.
        return _("%(approved)d approved, %(hidden)d hidden") % {
            "approved": obj.user_approved,
            "hidden": obj.user_hidden,
        }

    @admin.display(description=_("in place"))
    def in_place(self, obj):
        url = reverse("comments:permalink", kwargs={"pk": obj.pk})
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("View"))

    def _for_authors(self, request, queryset, service, done):
        from accounts.models import User

        users = list(User.objects.filter(pk__in=queryset.values("user")).order_by("pk"))
        for user in users:
            service(user=user, moderator=request.user)
        message = done(len(users)) % {"count": len(users)}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(
        description=_("Ban the authors of the selected comments"), permissions=["change"]
    )
    def ban_authors(self, request, queryset):
        self._for_authors(
            request,
            queryset,
            commenter_ban,
            lambda n: ngettext("%(count)d reader banned.", "%(count)d readers banned.", n),
        )

    @admin.action(
        description=_("Trust the authors of the selected comments (skip the queue)"),
        permissions=["change"],
    )
    def trust_authors(self, request, queryset):
        self._for_authors(
            request,
            queryset,
            commenter_trust,
            lambda n: ngettext("%(count)d reader trusted.", "%(count)d readers trusted.", n),
        )


@admin.register(CommenterStatus)
class CommenterStatusAdmin(admin.ModelAdmin):
    list_display = ("user", "is_trusted", "is_banned", "note", "changed_at", "changed_by")
    list_filter = ("is_trusted", "is_banned")
    search_fields = ("user__username", "user__email", "note")
    list_select_related = ("user", "changed_by")
    autocomplete_fields = ("user",)
    fields = ("user", "is_trusted", "is_banned", "note")
    date_hierarchy = "changed_at"

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)
