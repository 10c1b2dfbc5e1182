from django.contrib import admin
from django.db.models import Sum
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from polls.forms import PollInlineForm, check_choice_count
from polls.models import Poll, PollChoice


class ChoiceFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("text") and not form.cleaned_data.get("DELETE")
        ]
        check_choice_count(len(kept))


class ChoiceInline(admin.TabularInline):
    model = PollChoice
    formset = ChoiceFormSet
    fields = ["text", "position", "vote_count"]
    readonly_fields = ["vote_count"]
    extra = 2
    max_num = 10


class PollInline(admin.StackedInline):
    """Polls on the article's admin page: add to ArticleAdmin.inlines."""

    model = Poll
    form = PollInlineForm
    extra = 0
    show_change_link = True
    verbose_name = _("reader poll")
    verbose_name_plural = _("reader polls")


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["question", "article", "closes_at", "total_votes"]
    list_filter = ["closes_at"]
    search_fields = ["question", "article__title"]
    date_hierarchy = "created_at"
    raw_id_fields = ["article"]
    list_select_related = ["article"]
    inlines = [ChoiceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(vote_total=Sum("choices__vote_count"))

    @admin.display(description=_("votes"), ordering="vote_total")
    def total_votes(self, poll):
        return poll.vote_total or 0
