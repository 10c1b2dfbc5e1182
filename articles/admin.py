from django.contrib import admin

from articles.models import Article, ArticleAuthor, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "show_in_nav")
    list_editable = ("position", "show_in_nav")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class BylineInline(admin.TabularInline):
    model = ArticleAuthor
    autocomplete_fields = ("author",)
    extra = 1


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "category", "published_at", "view_count")
    list_filter = ("status", "category", "is_featured")
    search_fields = ("title", "standfirst")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    list_select_related = ("category",)
    inlines = [BylineInline]
