from django import forms
from django.utils.translation import gettext_lazy as _

STARS_MESSAGE = _("Choose a whole number of stars from 1 to 5.")


class RatingForm(forms.Form):
    stars = forms.IntegerField(
        min_value=1,
        max_value=5,
        error_messages={
            "required": STARS_MESSAGE,
            "invalid": STARS_MESSAGE,
            "min_value": STARS_MESSAGE,
            "max_value": STARS_MESSAGE,
        },
    )
