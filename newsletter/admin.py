"""Subscribers and the last sends for editors; a digest preview and a test mail to oneself."""

from django.contrib import admin, messages
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles.models import Category
from newsletter.digest import DAILY, WEEKLY, digest_build
from newsletter.mails import manage_urls
from newsletter.models import Send, Subscriber
from newsletter.sending import digest_test_send
from newsletter.services import subscription_cancel


class SendInline(admin.TabularInline):
    model = Send
    fields = ["edition", "status", "article_count", "sent_at", "error"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-created_at"]


def _preview_choice(request) -> tuple[str, list[int]]:
    frequency = request.GET.get("frequency") if request.GET.get("frequency") == WEEKLY else DAILY
    ids = [int(i) for i in request.GET.getlist("section") if i.isdigit()]
    return frequency, list(Category.objects.filter(pk__in=ids).values_list("pk", flat=True))


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "frequency", "confirmed_at", "last_sent"]
    list_filter = ["status", "frequency", "sections"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    fields = ["email", "status", "frequency", "sections", "user", "created_at", "confirmed_at"]
    readonly_fields = ["email", "status", "user", "created_at", "confirmed_at"]
    filter_horizontal = ["sections"]
    inlines = [SendInline]
    actions = ["unsubscribe"]
    change_list_template = "admin/newsletter/subscriber/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(last_sent_at=Max("sends__sent_at"))

    def has_add_permission(self, request):
        return False  # Only the reader can subscribe: double opt-in.

    @admin.display(description=_("last digest"), ordering="last_sent_at")
    def last_sent(self, obj):
        return obj.last_sent_at

    @admin.action(description=_("Unsubscribe the selected addresses"))
    def unsubscribe(self, request, queryset):
        done = sum(subscription_cancel(subscriber=s) for s in queryset)
        self.message_user(request, _("%(count)d unsubscribed.") % {"count": done})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview), name="newsletter_preview"),
            path("send-test/", view(require_POST(self.send_test)), name="newsletter_send_test"),
            *super().get_urls(),
        ]

    def preview(self, request):
        """The digest as a reader of the chosen sections would get it now, as HTML."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        frequency, section_ids = _preview_choice(request)
        digest = digest_build(frequency=frequency, section_ids=section_ids)
        preview_reader = Subscriber(pk=0, email=request.user.email or "editor@example.invalid")
        html = render_to_string(
            "newsletter/email/digest.html",
            {"digest": digest, "subscriber": preview_reader, **manage_urls(preview_reader)},
            request=request,
        )
        return HttpResponse(html)

    def send_test(self, request):
        """Today's digest to the editor's own address."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        changelist = reverse("admin:newsletter_subscriber_changelist")
        if not request.user.email:
            messages.error(request, _("Your account has no e-mail address."))
            return redirect(changelist)
        frequency, section_ids = _preview_choice(request)
        digest_test_send(to=request.user.email, frequency=frequency, section_ids=section_ids)
        messages.success(
            request, _("A test digest is on its way to %(email)s.") % {"email": request.user.email}
        )
        return redirect(changelist)


@admin.register(Send)
class SendAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "edition", "status", "article_count", "sent_at"]
    list_filter = ["status", "edition"]
    search_fields = ["subscriber__email", "edition"]
    date_hierarchy = "created_at"
    list_select_related = ["subscriber"]
    readonly_fields = ["subscriber", "edition", "status", "article_count", "sent_at", "error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
