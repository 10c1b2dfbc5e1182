from django import forms
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.forms import BODY_EDITOR_EXTENSIONS, WIDE_INPUT
from pages.models import Page


class PageForm(forms.ModelForm):
    body = ProseEditorFormField(
        label=_("Body"),
        required=False,
        config={"extensions": BODY_EDITOR_EXTENSIONS},
        sanitize=True,
        widget=AdminProseEditorWidget,
    )

    class Meta:
        model = Page
        fields = [
            "title",
            "slug",
            "body",
            "description",
            "is_published",
            "show_in_footer",
            "position",
        ]
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField", "style": WIDE_INPUT}),
            "description": forms.Textarea(attrs={"rows": 2, "style": WIDE_INPUT}),
        }
