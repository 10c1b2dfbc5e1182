import functools

import reversion
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, FloatField, When
from django.db.models.functions import Cast
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin
from taggit.models import Tag, TaggedItem

from accounts import roles
from articles import services, uploads
from articles.forms import ArticleForm
from articles.models import Article, ArticleAuthor, Category, Correction, GalleryImage
from articles.page_cache import article_pages_purge
from articles.paginators import EstimatedCountPaginator
from articles.views import ArticlePreviewView
from core.exceptions import ServiceError

TAG_SUGGESTIONS = 20

# Engagement apps (polls, ...) add their inlines to the article form from their own
# admin module with register_article_inline(), so articles never imports them.
_extra_article_inlines: list[type[admin.options.InlineModelAdmin]] = []


def register_article_inline(inline: type[admin.options.InlineModelAdmin]):
    """Show `inline` at the end of the article form. Usable as a class decorator."""
    if inline not in _extra_article_inlines:
        _extra_article_inlines.append(inline)
    return inline


# A revision holds the article with its byline rows and tag links; pinned related stories
# are a many-to-many field of the article row itself, so they come with it.
if not reversion.is_registered(Article):
    reversion.register(ArticleAuthor)
    if not reversion.is_registered(TaggedItem):
        reversion.register(TaggedItem)
    reversion.register(Article, follow=["bylines", "tagged_items"])


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
    verbose_name = _("author")
    verbose_name_plural = _("byline (authors in the order they are credited)")


class GalleryInline(admin.StackedInline):
    model = GalleryImage
    fields = ("position", "image", "alt", "caption", "credit")
    extra = 0
    ordering = ("position", "id")
    verbose_name = _("gallery picture")
    verbose_name_plural = _("gallery (shown under the story, lowest position first)")


class CorrectionInline(admin.StackedInline):
    """Notes appended to the story; each new one moves the story's "Updated" time."""

    model = Correction
    extra = 0
    fields = ("kind", "note", "noted_at")
    verbose_name = _("correction or update note")
    verbose_name_plural = _("corrections and updates (shown at the foot of the story)")


def _editors_only(request) -> bool:
    return roles.is_editor(request.user)


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = (
        "title",
        "status_label",
        "category",
        "byline",
        "published_at",
        "view_count",
        "rating",
        "comment_count",
    )
    list_filter = (
        "status",
        "category",
        "authors",
        "is_featured",
        ("published_at", admin.DateFieldListFilter),
    )
    search_fields = ("title", "standfirst")
    date_hierarchy = "published_at"
    list_select_related = ("category",)
    list_per_page = 50
    paginator = EstimatedCountPaginator
    # "N results (M total)" would count the whole archive a second time on every filter.
    show_full_result_count = False
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("category", "pinned_related")
    readonly_fields = ("image_preview",)
    save_on_top = True
    fieldsets = (
        (_("Headline"), {"fields": ("title", "slug", "standfirst")}),
        (_("Body"), {"fields": ("body",)}),
        (
            _("Image"),
            {"fields": ("image", "image_preview", "image_alt", "image_caption", "image_credit")},
        ),
        (_("Filing"), {"fields": ("category", "tags", "pinned_related")}),
        (
            _("Publishing"),
            {"fields": ("status", "published_at", "is_featured", "note_to_authors")},
        ),
        (_("Engagement"), {"fields": ("comments_mode",)}),
        (
            _("SEO overrides"),
            {"fields": ("seo_title", "seo_description"), "classes": ["collapse"]},
        ),
    )
    actions = (
        "publish_now",
        "unpublish",
        "archive",
        "feature",
        "unfeature",
        "open_comments",
        "close_comments",
    )

    # Columns ------------------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        if obj.status == Article.Status.PUBLISHED and not obj.is_public:
            return _("Scheduled")
        return obj.get_status_display()

    @admin.display(description=_("authors"))
    def byline(self, obj):
        return ", ".join(line.author.name for line in obj.bylines.all())

    @admin.display(description=_("rating"), ordering="rating_avg")
    def rating(self, obj):
        if not obj.rating_count:
            return "–"
        return f"{obj.rating_avg:.1f} ({obj.rating_count})"

    @admin.display(description=_("preview"))
    def image_preview(self, obj):
        if not obj or not obj.image:
            return _("No image yet. Save to see a preview of a new upload.")
        return format_html(
            '<img src="{}" alt="{}" style="max-width:320px;max-height:200px">',
            obj.image.url,
            obj.image_alt,
        )

    # Queries and permissions --------------------------------------------------------------

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            # The list shows neither; they are most of the row's bytes.
            .defer("body", "search_vector")
            .with_bylines()
            .annotate(
                rating_avg=Case(
                    When(rating_count=0, then=None),
                    default=Cast(F("rating_sum"), FloatField()) / F("rating_count"),
                    output_field=FloatField(),
                )
            )
        )
        return queryset.editable_by(request.user)

    def _is_own(self, request, obj) -> bool:
        author = roles.author_for(request.user)
        return author is not None and obj.bylines.filter(author=author).exists()

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or roles.is_editor(request.user) or self._is_own(request, obj)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or roles.is_editor(request.user):
            return True
        return self._is_own(request, obj) and obj.status in (
            Article.Status.DRAFT,
            Article.Status.REVIEW,
        )

    def has_publish_permission(self, request):
        return _editors_only(request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if roles.is_editor(request.user):
            return fieldsets
        # Authors do not publish or send back: no note to write.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "note_to_authors"]})
            for name, options in fieldsets
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_schedule"] = roles.is_editor(request.user)
        context["can_send_back"] = context["can_schedule"] and (
            obj is not None and obj.status == Article.Status.REVIEW
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not roles.is_editor(request.user):
            readonly += ["published_at", "is_featured"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.is_editor = roles.is_editor(request.user)
        return form

    def get_inlines(self, request, obj):
        return [BylineInline, GalleryInline, CorrectionInline, *_extra_article_inlines]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # An author's own byline is what lets them find and edit the article again.
        if not roles.is_editor(request.user):
            author = roles.author_for(request.user)
            if author is not None:
                ArticleAuthor.objects.get_or_create(
                    article=form.instance, author=author, defaults={"position": 0}
                )
        bylines_changed = any(fs.has_changed() for fs in formsets if fs.model is ArticleAuthor)
        if not change or bylines_changed or services.article_is_edit(form.changed_data):
            services.article_mark_edited(article=form.instance)
        else:
            # Comments closed, featured, rescheduled: shown, but not an edit of the story.
            article_pages_purge(form.instance)
        # After the bylines are saved, so that new authors hear about it too.
        previous = None
        if change:
            # Authors' forms lack the publish time; they cannot change it either.
            published_at = form.initial.get("published_at", form.instance.published_at)
            previous = (form.initial.get("status"), published_at)
        services.article_status_notify(
            article=form.instance,
            previous=previous,
            actor=request.user,
            note=form.cleaned_data.get("note_to_authors", ""),
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        # Through the service: a new note marks the story edited and purges its pages.
        for correction in formset.save(commit=False):
            services.correction_save(correction=correction)
        for correction in formset.deleted_objects:
            services.correction_delete(correction=correction)

    def view_on_site(self, obj):
        if obj.is_public:
            return obj.get_absolute_url()
        return reverse("admin:articles_article_preview", args=[obj.pk])

    # History: everyone with access sees it; restoring is an editor's call, because an old
    # version can carry a publish time or a featured flag that authors may not set.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not _editors_only(request):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not _editors_only(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not _editors_only(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    # Preview ------------------------------------------------------------------------------

    def get_urls(self):
        preview = path(
            "<int:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="articles_article_preview",
        )
        tags = path(
            "tag-autocomplete/",
            self.admin_site.admin_view(self.tag_autocomplete_view),
            name="articles_article_tag_autocomplete",
        )
        picker = path(
            "body-images/",
            self.admin_site.admin_view(self.body_image_picker_view),
            name="articles_article_body_images",
        )
        return [preview, tags, picker, *super().get_urls()]

    def body_image_picker_view(self, request):
        return uploads.body_image_picker(
            request, admin_site_context=self.admin_site.each_context(request)
        )

    def tag_autocomplete_view(self, request):
        # The admin's own autocomplete answers with primary keys; tags go by name so that
        # new ones can be typed into the same box.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        # A NUL in the address never gets here: RequestGuardMiddleware refuses it.
        term = request.GET.get("term", "").strip()
        names = Tag.objects.order_by("name").values_list("name", flat=True)
        if term:
            names = names.filter(name__icontains=term)
        results = [{"id": name, "text": name} for name in names[:TAG_SUGGESTIONS]]
        return JsonResponse({"results": results, "pagination": {"more": False}})

    def preview_view(self, request, object_id):
        # The site's own preview page, behind the desk's rules on who may see which draft.
        article = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return ArticlePreviewView.as_view()(request, pk=article.pk)

    # Actions ------------------------------------------------------------------------------

    def _run_each(self, request, queryset, service, done_message, comment):
        done, failed = 0, []
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(comment)
            for article in queryset:
                try:
                    service(article=article)
                except ServiceError as error:
                    failed.append(f"{article}: {error.message}")
                else:
                    done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    def _run_bulk(self, request, queryset, service, done_message, comment, **kwargs):
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(comment)
            changed = service(articles=queryset, **kwargs)
        self.message_user(request, done_message(changed), messages.SUCCESS)

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        self._run_each(
            request,
            queryset,
            functools.partial(services.article_publish, actor=request.user),
            lambda n: ngettext("Published %d article.", "Published %d articles.", n) % n,
            _("Published from the article list."),
        )

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._run_each(
            request,
            queryset,
            services.article_unpublish,
            lambda n: ngettext("Unpublished %d article.", "Unpublished %d articles.", n) % n,
            _("Unpublished from the article list."),
        )

    @admin.action(description=_("Archive (off the site, kept)"), permissions=["publish"])
    def archive(self, request, queryset):
        self._run_each(
            request,
            queryset,
            services.article_archive,
            lambda n: ngettext("Archived %d article.", "Archived %d articles.", n) % n,
            _("Archived from the article list."),
        )

    @admin.action(description=_("Feature on the front page"), permissions=["publish"])
    def feature(self, request, queryset):
        self._run_bulk(
            request,
            queryset,
            services.article_feature,
            lambda n: ngettext("Featured %d article.", "Featured %d articles.", n) % n,
            _("Featured from the article list."),
            featured=True,
        )

    @admin.action(description=_("Stop featuring"), permissions=["publish"])
    def unfeature(self, request, queryset):
        self._run_bulk(
            request,
            queryset,
            services.article_feature,
            lambda n: ngettext("Unfeatured %d article.", "Unfeatured %d articles.", n) % n,
            _("Unfeatured from the article list."),
            featured=False,
        )

    @admin.action(description=_("Open comments"), permissions=["publish"])
    def open_comments(self, request, queryset):
        self._run_bulk(
            request,
            queryset,
            services.article_set_comments,
            lambda n: (
                ngettext("Opened comments on %d article.", "Opened comments on %d articles.", n)
                % n
            ),
            _("Comments opened from the article list."),
            mode=Article.Comments.OPEN,
        )

    @admin.action(description=_("Close comments"), permissions=["publish"])
    def close_comments(self, request, queryset):
        self._run_bulk(
            request,
            queryset,
            services.article_set_comments,
            lambda n: (
                ngettext("Closed comments on %d article.", "Closed comments on %d articles.", n)
                % n
            ),
            _("Comments closed from the article list."),
            mode=Article.Comments.CLOSED,
        )
