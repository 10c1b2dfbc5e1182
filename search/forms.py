import re
from datetime import date

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from accounts.models import Author
from articles.models import Category
from search.query import MAX_QUERY_LENGTH, clean_query

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DatePicker(forms.DateInput):
    """A date input that never echoes back something that is not a date: HTML allows only
    yyyy-mm-dd as its value (browsers show anything else as empty anyway), and the field's
    error message already says what was wrong."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            try:
                return date.fromisoformat(value).isoformat() if ISO_DATE.fullmatch(value) else None
            except ValueError:
                return None
        return super().format_value(value)


class ListedOptions(ModelChoiceIterator):
    """A filter's options from its field's cached (slug, name) list: no query per page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.options()

    def __len__(self):
        return len(self.field.options()) + (self.field.empty_label is not None)

    def __bool__(self):
        return True


class FilterSelect(forms.Select):
    template_name = "search/widgets/select.html"


class SlugFilter(forms.ModelChoiceField):
    """An optional filter named in the address by slug (``?section=politics``), not by id.
    Its options are a cached list (``options()``); only a chosen slug is looked up."""

    iterator = ListedOptions
    widget = FilterSelect

    def __init__(self, queryset, *, options, label, empty_label):
        super().__init__(
            queryset, label=label, to_field_name="slug", required=False, empty_label=empty_label
        )
        self.options = options


def section_options() -> list[tuple[str, str]]:
    return [(section.slug, section.name) for section in Category.objects.directory()]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), required=False, max_length=MAX_QUERY_LENGTH)
    section = SlugFilter(
        Category.objects.all(),
        options=section_options,
        label=_("Section"),
        empty_label=_("All sections"),
    )
    author = SlugFilter(
        Author.objects.all(),
        options=Author.objects.directory,
        label=_("Author"),
        empty_label=_("All authors"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DatePicker())
    date_to = forms.DateField(label=_("To"), required=False, widget=DatePicker())
    sort = forms.ChoiceField(
        label=_("Order"),
        choices=[("", _("Best match")), ("newest", _("Newest first"))],
        required=False,
        widget=FilterSelect,
    )

    def __init__(self, data=None, **kwargs):
        if data is not None:
            # Hostile input is cleaned, not refused: a NUL byte or a 10 kB query must not
            # turn a search into an error page (or reach PostgreSQL, which rejects NULs).
            data = data.copy()
            for key in data:
                data.setlist(key, [value.replace("\x00", "") for value in data.getlist(key)])
            data["q"] = clean_query(data.get("q", ""))
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned

    def has_criteria(self) -> bool:
        return self.is_valid() and any(
            value for name, value in self.cleaned_data.items() if name != "sort"
        )
