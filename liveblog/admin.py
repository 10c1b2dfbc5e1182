from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import roles
from core.exceptions import ServiceError
from liveblog import services
from liveblog.forms import LiveEntryForm
from liveblog.models import LiveCoverage, LiveEntry


@admin.register(LiveCoverage)
class LiveCoverageAdmin(admin.ModelAdmin):
    list_display = ("article", "started_at", "state", "entry_count", "add_entry_link")
    list_filter = (("ended_at", admin.EmptyFieldListFilter),)
    search_fields = ("article__title",)
    date_hierarchy = "started_at"
    autocomplete_fields = ("article",)
    list_select_related = ("article",)
    readonly_fields = ("ended_at", "add_entry_link")
    actions = ("close", "reopen")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_total=Count("entries"))

    @admin.display(description=_("state"), ordering="ended_at")
    def state(self, obj):
        return _("Live") if obj.is_open else _("Closed")

    @admin.display(description=_("entries"), ordering="entry_total")
    def entry_count(self, obj):
        url = reverse("admin:liveblog_liveentry_changelist") + f"?coverage__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, getattr(obj, "entry_total", 0))

    @admin.display(description=_("post"))
    def add_entry_link(self, obj):
        if not obj.pk or not obj.is_open:
            return "–"
        url = reverse("admin:liveblog_liveentry_add") + f"?coverage={obj.pk}"
        return format_html('<a class="addlink" href="{}">{}</a>', url, _("Add an entry"))

    def save_model(self, request, obj, form, change):
        if change:
            services.live_coverage_save(coverage=obj)
        else:
            created = services.live_coverage_start(article=obj.article, started_at=obj.started_at)
            obj.pk = created.pk

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.live_coverage_deleted(coverage=obj)

    def delete_queryset(self, request, queryset):
        gone = list(queryset.select_related("article"))
        super().delete_queryset(request, queryset)
        for coverage in gone:
            services.live_coverage_deleted(coverage=coverage)

    def _each(self, request, queryset, service, done):
        count = 0
        for coverage in queryset:
            try:
                service(coverage=coverage)
            except ServiceError as error:
                self.message_user(request, f"{coverage}: {error.message}", messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)

    @admin.action(description=_("Close the live page (it stays as an archive)"))
    def close(self, request, queryset):
        self._each(
            request,
            queryset,
            services.live_coverage_close,
            lambda n: ngettext("Closed %d live page.", "Closed %d live pages.", n) % n,
        )

    @admin.action(description=_("Reopen the live page"))
    def reopen(self, request, queryset):
        self._each(
            request,
            queryset,
            services.live_coverage_reopen,
            lambda n: ngettext("Reopened %d live page.", "Reopened %d live pages.", n) % n,
        )


@admin.register(LiveEntry)
class LiveEntryAdmin(admin.ModelAdmin):
    """Each entry is posted on its own, so reporters on one live page never overwrite
    each other; "Save" brings back an empty form for the same page."""

    form = LiveEntryForm
    list_display = ("__str__", "coverage", "posted_at", "is_key_event", "author")
    list_filter = (("coverage", admin.RelatedOnlyFieldListFilter), "is_key_event")
    search_fields = ("headline", "body", "coverage__article__title")
    date_hierarchy = "posted_at"
    autocomplete_fields = ("author",)
    list_select_related = ("coverage__article", "author")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        author = roles.author_for(request.user)
        if author is not None:
            initial.setdefault("author", author.pk)
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            services.live_entry_save(entry=obj)
            return
        posted = services.live_entry_post(
            coverage=obj.coverage,
            body=obj.body,
            headline=obj.headline,
            is_key_event=obj.is_key_event,
            author=obj.author,
        )
        obj.pk, obj.posted_at = posted.pk, posted.posted_at

    def delete_model(self, request, obj):
        services.live_entry_delete(entry=obj)

    def delete_queryset(self, request, queryset):
        for entry in queryset.select_related("coverage__article"):
            services.live_entry_delete(entry=entry)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        # The live desk: straight back to an empty form for the same page.
        self.message_user(request, _("Entry posted: readers see it now."), messages.SUCCESS)
        url = reverse("admin:liveblog_liveentry_add") + f"?coverage={obj.coverage_id}"
        return HttpResponseRedirect(url)
