from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.images import validate_image_upload
from articles.models import Article
from articles.services import article_publish_problems

# What the body editor offers. The sanitiser below allows exactly this markup, and
# Article.save() sanitises once more with the site-wide allowlist.
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
    "HTML": True,
    "SpecialCharacters": True,
    # Pictures come from our own uploads (articles/uploads.py), which get renditions.
    "Image": True,
    "Figure": {"pickerUrl": reverse_lazy("admin:articles_article_body_images")},
    "Caption": True,
}

AUTHOR_STATUSES = (Article.Status.DRAFT, Article.Status.REVIEW)
# Names of the desk's submit buttons (admin/articles/article/change_form.html).
SCHEDULE_BUTTON = "_schedule"
SEND_BACK_BUTTON = "_send_back"
WIDE_INPUT = "width: min(100%, 42em)"


class TagAutocomplete(AutocompleteSelectMultiple):
    """The admin's autocomplete, by tag name, that also takes new tags typed in."""

    def __init__(self, attrs=None):
        super().__init__(Article._meta.get_field("tags"), admin.site, attrs=attrs)

    def get_url(self):
        return reverse("admin:articles_article_tag_autocomplete")

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-tags"] = "true"
        attrs["data-token-separators"] = '[","]'
        return attrs

    def optgroups(self, name, value, attr=None):
        options = [
            self.create_option(name, tag, tag, True, index) for index, tag in enumerate(value)
        ]
        return [(None, options, 0)]


class TagsField(forms.Field):
    """Tags by name: existing ones picked from the list, new ones typed in."""

    widget = TagAutocomplete

    def prepare_value(self, value):
        return [getattr(tag, "name", tag) for tag in value or []]

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = value.split(",")
        names = {name.strip()[:100] for name in value if name and name.strip()}
        if any("\x00" in name for name in names):
            # PostgreSQL cannot store a NUL character: refuse it here rather than fail on save.
            raise forms.ValidationError(
                _("A tag cannot contain a null character."), code="null_characters_not_allowed"
            )
        return sorted(names, key=str.lower)


class ArticleForm(forms.ModelForm):
    """The article form of the editors' desk.

    The admin sets `is_editor` on the class it builds for each request: authors only get
    the draft and review statuses, whatever the request contains.
    """

    is_editor = False

    body = ProseEditorFormField(
        label=_("Body"),
        required=False,
        config={"extensions": BODY_EDITOR_EXTENSIONS},
        sanitize=True,
        widget=AdminProseEditorWidget,
        help_text=_("Paste from anywhere: formatting the site does not use is removed on save."),
    )

    tags = TagsField(
        label=_("Tags"),
        required=False,
        help_text=_("Pick existing tags as you type; press Enter or a comma to add a new one."),
    )

    note_to_authors = forms.CharField(
        label=_("Note to the authors"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "style": WIDE_INPUT}),
        help_text=_(
            "Sent with the e-mail the authors get when you publish, schedule or send it back."
        ),
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "standfirst",
            "body",
            "image",
            "image_alt",
            "image_caption",
            "image_credit",
            "category",
            "tags",
            "pinned_related",
            "status",
            "published_at",
            "is_featured",
            "comments_mode",
            "seo_title",
            "seo_description",
        ]
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField", "style": WIDE_INPUT}),
            "standfirst": forms.Textarea(attrs={"rows": 2, "style": WIDE_INPUT}),
            "seo_title": forms.TextInput(attrs={"class": "vTextField", "style": WIDE_INPUT}),
            "seo_description": forms.Textarea(attrs={"rows": 2, "style": WIDE_INPUT}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is not None and not self.is_editor:
            status.choices = [
                (value, label) for value, label in status.choices if value in AUTHOR_STATUSES
            ]
            status.help_text = _("Send it to “In review” when it is ready; an editor publishes.")
        elif status is not None:
            status.help_text = _(
                "Published with a future publish time means scheduled. "
                "Archived articles leave the site but are kept."
            )

    def _apply_workflow_button(self, cleaned) -> None:
        """The desk's own buttons: "Schedule for …" and "Send back to the authors"."""
        if SCHEDULE_BUTTON in self.data:
            if not self.is_editor:
                raise forms.ValidationError(_("Only an editor can schedule an article."))
            at = cleaned.get("published_at")
            if at is None or at <= timezone.now():
                self.add_error(
                    "published_at", _("Pick a publish time in the future to schedule the article.")
                )
            cleaned["status"] = Article.Status.PUBLISHED
        elif SEND_BACK_BUTTON in self.data:
            if not self.is_editor or self.instance.status != Article.Status.REVIEW:
                raise forms.ValidationError(
                    _("Only an editor can send back an article in review.")
                )
            cleaned["status"] = Article.Status.DRAFT

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):
            validate_image_upload(image)
        return image

    def clean_status(self):
        status = self.cleaned_data.get("status")
        # The choices already refuse it; this guards forms built without the status field.
        if not self.is_editor and status not in AUTHOR_STATUSES:
            raise forms.ValidationError(_("Only an editor can publish or archive an article."))
        return status

    def clean(self):
        cleaned = super().clean()
        self._apply_workflow_button(cleaned)
        if cleaned.get("status") != Article.Status.PUBLISHED:
            return cleaned
        category = cleaned.get("category", getattr(self.instance, "category", None))
        image = cleaned.get("image", self.instance.image)
        problems = article_publish_problems(
            category_id=getattr(category, "pk", None),
            standfirst=cleaned.get("standfirst", self.instance.standfirst),
            image=image,
            image_alt=cleaned.get("image_alt", self.instance.image_alt),
        )
        for field, message in problems.items():
            self.add_error(field if field in self.fields else None, message)
        if not cleaned.get("published_at") and "published_at" in self.fields:
            cleaned["published_at"] = timezone.now()
        return cleaned
