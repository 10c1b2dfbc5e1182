from django import forms
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.forms import BODY_EDITOR_EXTENSIONS, WIDE_INPUT
from articles.sanitize import plain_text, sanitize_html
from liveblog.models import LiveCoverage, LiveEntry


class LiveEntryForm(forms.ModelForm):
    body = ProseEditorFormField(
        label=_("Text"),
        config={"extensions": BODY_EDITOR_EXTENSIONS},
        sanitize=True,
        widget=AdminProseEditorWidget,
    )

    class Meta:
        model = LiveEntry
        fields = ["coverage", "headline", "body", "is_key_event", "author"]
        widgets = {
            "headline": forms.TextInput(attrs={"class": "vTextField", "style": WIDE_INPUT}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        coverage = self.fields.get("coverage")
        if coverage is not None and self.instance.pk is None:
            # New entries go only to open live pages.
            coverage.queryset = LiveCoverage.objects.filter(ended_at__isnull=True).select_related(
                "article"
            )

    def clean_coverage(self):
        coverage = self.cleaned_data.get("coverage")
        if coverage is not None and self.instance.pk is None and not coverage.is_open:
            raise forms.ValidationError(_("This live page is closed: reopen it to post again."))
        return coverage

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        if not plain_text(sanitize_html(body)) and "<img" not in body:
            raise forms.ValidationError(_("A live entry needs some text."))
        return body
