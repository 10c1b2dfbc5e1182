from django.contrib import admin

from pages import services
from pages.forms import PageForm
from pages.models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    form = PageForm
    list_display = ("title", "slug", "is_published", "show_in_footer", "position", "updated_at")
    list_editable = ("position",)
    list_filter = ("is_published", "show_in_footer")
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}

    def save_model(self, request, obj, form, change):
        old_slug = form.initial.get("slug") if change else None
        old_path = f"/{old_slug}/" if old_slug and old_slug != obj.slug else None
        services.page_save(page=obj, old_path=old_path)

    def delete_model(self, request, obj):
        services.page_delete(page=obj)

    def delete_queryset(self, request, queryset):
        for page in queryset:
            services.page_delete(page=page)
