from django import forms
from django.utils.translation import gettext_lazy as _

from polls.models import Poll

MIN_CHOICES = 2
MAX_CHOICES = 10


class VoteForm(forms.Form):
    choice = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": _("Choose one of the answers."),
            "invalid": _("Choose one of the answers."),
            "min_value": _("Choose one of the answers."),
        },
    )


def check_choice_count(count: int) -> None:
    if not MIN_CHOICES <= count <= MAX_CHOICES:
        raise forms.ValidationError(
            _("A poll needs from %(min)d to %(max)d answers; this one has %(count)d."),
            code="choice_count",
            params={"min": MIN_CHOICES, "max": MAX_CHOICES, "count": count},
        )


class PollInlineForm(forms.ModelForm):
    """A poll added from the article page: the answers are typed one per line."""

    answers = forms.CharField(
        label=_("answers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One answer per line, 2 to 10 answers. To change the answers of an existing "
            "poll, open the poll with the link on the right."
        ),
    )

    class Meta:
        model = Poll
        fields = ["question", "closes_at", "answers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["answers"].disabled = True
            self.initial["answers"] = "\n".join(c.text for c in self.instance.choices.all())

    def clean_answers(self):
        if self.instance.pk:
            return []
        lines = [line.strip() for line in self.cleaned_data["answers"].splitlines()]
        answers = [line for line in lines if line]
        check_choice_count(len(answers))
        return answers

    def save(self, commit=True):
        poll = super().save(commit=commit)
        if commit and self.cleaned_data.get("answers"):
            poll.choices.bulk_create(
                poll.choices.model(poll=poll, text=text[:120], position=position)
                for position, text in enumerate(self.cleaned_data["answers"])
            )
        return poll
