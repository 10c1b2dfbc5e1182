from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Category
from newsletter.models import Subscriber

HONEYPOT = "website"


class SectionsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Category.objects.order_by("position", "name"),
            required=False,
            label=_("Sections"),
            help_text=_("Choose none to get the top stories of every section."),
            **kwargs,
        )


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscriber.Frequency.choices,
        initial=Subscriber.Frequency.DAILY,
        widget=forms.RadioSelect,
    )
    sections = SectionsField()
    # Hidden from people by the stylesheet and from assistive technology; bots fill it in.
    website = forms.CharField(required=False, max_length=200, label=_("Leave this empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT].widget.attrs.update(autocomplete="off", tabindex="-1")

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get(HONEYPOT))


class PreferencesForm(forms.ModelForm):
    sections = SectionsField()

    class Meta:
        model = Subscriber
        fields = ["frequency", "sections"]
        widgets = {"frequency": forms.RadioSelect}
        labels = {"frequency": _("How often")}
