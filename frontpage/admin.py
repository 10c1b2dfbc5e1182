from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from frontpage import services
from frontpage.models import Banner, Pin, Zone


class PinInline(admin.TabularInline):
    model = Pin
    autocomplete_fields = ("article",)
    fields = ("article", "position", "starts_at", "ends_at")
    extra = 1
    verbose_name_plural = _("pinned stories (in this order, before the rule's stories)")


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("title", "page", "position", "layout", "size", "is_visible")
    list_editable = ("position", "size", "is_visible")
    list_filter = ("page", "is_visible", "layout")
    list_select_related = ("page",)
    search_fields = ("title",)
    autocomplete_fields = ("page", "section", "tag")
    inlines = [PinInline]
    fieldsets = (
        (None, {"fields": ("title", "page", "position", "layout", "is_visible")}),
        (
            _("Filled by a rule, after the pinned stories"),
            {"fields": ("size", "section", "tag", "featured_only", "allow_repeats")},
        ),
    )

    def save_model(self, request, obj, form, change):
        if change and "page" in form.changed_data:
            # Moved to another page: the page it left changes too.
            services.zones_changed(zones=[Zone.objects.get(pk=obj.pk)])
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.zones_changed(zones=[form.instance])

    def delete_model(self, request, obj):
        services.zones_changed(zones=[obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        services.zones_changed(zones=list(queryset))
        super().delete_queryset(request, queryset)


@admin.register(Banner)
class BannerAdmin(admin.ModelAdmin):
    list_display = ("text", "expires_at", "is_shown", "created_at")
    list_editable = ("is_shown",)
    list_filter = ("is_shown",)
    search_fields = ("text",)
    date_hierarchy = "created_at"
    fields = ("text", "link", "expires_at", "is_shown")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.banners_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.banners_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.banners_changed()
