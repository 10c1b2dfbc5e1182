from django import forms
from django.utils.translation import gettext_lazy as _

from comments.models import Report


class CommentForm(forms.Form):
    """The shape of a posted comment; the rules live in comments.services."""

    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write something before posting.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    # The honeypot: hidden from people by CSS and from screen readers by aria-hidden;
    # bots that fill in every field fill this one too.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _(
                    "Your comment was taken for automated spam. "
                    "Please reload the page and try again."
                )
            )
        return ""


class EditForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write something before saving.")},
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"),
        choices=Report.Reason.choices,
        error_messages={"required": _("Choose a reason for the report.")},
    )
