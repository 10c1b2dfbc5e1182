from django.contrib import admin

from ratings.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Read-only: the article's counters move only through ratings.services."""

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

    def has_delete_permission(self, request, obj=None):
        return False
