from django.contrib import admin
from django.core.exceptions import PermissionDenied

from ratings.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Read-only: the article's counters move only through ratings.services.

    A rating is withdrawn by its reader, never deleted here; it goes with its account or
    its article, and those deletions move the counters (ratings/counters.py).
    """

    list_display = ["article", "user", "stars", "updated_at"]
    list_filter = ["stars"]
    search_fields = ["article__title", "user__username"]
    date_hierarchy = "updated_at"
    list_select_related = ["article", "user"]
    raw_id_fields = ["article", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Not refused in has_delete_permission: the admin asks it for every rating that an
    # account's or article's deletion takes along, and would then refuse those.
    def get_actions(self, request):
        return {k: v for k, v in super().get_actions(request).items() if k != "delete_selected"}

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def render_change_form(self, request, context, *args, **kwargs):
        context["show_delete"] = False
        return super().render_change_form(request, context, *args, **kwargs)
