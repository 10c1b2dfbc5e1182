from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.models import Article
from articles.services import article_publish_problems

try:
    from articles.images import validate_image_upload
except ImportError:  # pragma: no cover - the images module ships with the reading issue
    validate_image_upload = None

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
}

AUTHOR_STATUSES = (Article.Status.DRAFT, Article.Status.REVIEW)


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

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and validate_image_upload is not None and hasattr(image, "content_type"):
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
