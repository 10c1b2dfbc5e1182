"""The curated fronts: zones of stories on the front page and on section pages, the pins
editors put in them, and the breaking-news banner."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles.models import Article, Category

MAX_ZONE_SIZE = 24


class Zone(models.Model):
    class Layout(models.TextChoices):
        LEAD = "lead", _("Lead: the first story large, the others beside it")
        BLOCK = "block", _("Block: the first story with its picture, the others as headlines")
        GRID = "grid", _("Grid: cards with pictures")
        LIST = "list", _("List: headlines only")

    title = models.CharField(
        _("title"), max_length=80, help_text=_("The heading readers see above the zone.")
    )
    page = models.ForeignKey(
        Category,
        verbose_name=_("shown on"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the front page. A section: the top of that section's page."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers come first on the page.")
    )
    layout = models.CharField(_("layout"), max_length=8, choices=Layout, default=Layout.BLOCK)
    is_visible = models.BooleanField(
        _("shown"), default=True, help_text=_("Untick to take the zone off the page.")
    )
    size = models.PositiveSmallIntegerField(
        _("number of stories"),
        default=4,
        validators=[MaxValueValidator(MAX_ZONE_SIZE)],
        help_text=_(
            "How many stories the zone shows: the pinned ones first, in their order, "
            "then the newest stories that match the rule below (more if more are pinned)."
        ),
    )
    section = models.ForeignKey(
        Category,
        verbose_name=_("rule: section"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Fill with stories of this section (empty: any section)."),
    )
    tag = models.ForeignKey(
        Tag,
        verbose_name=_("rule: tag"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Fill with stories carrying this tag (empty: any tag)."),
    )
    featured_only = models.BooleanField(
        _("rule: featured stories only"),
        default=False,
        help_text=_("Fill only with stories ticked as featured."),
    )
    allow_repeats = models.BooleanField(
        _("may repeat stories"),
        default=False,
        help_text=_(
            "A story appears once on a page: zones higher up take it first. Tick to let "
            "this zone show stories other zones show too (its own do not count as shown)."
        ),
    )

    class Meta:
        ordering = ["page", "position", "id"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        indexes = [models.Index(fields=["page", "position"], name="zone_page_position_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.page.get_absolute_url() if self.page_id else reverse("frontpage:home")


class Pin(models.Model):
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="pins"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("story"), on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=0,
        help_text=_("Lower numbers come first; the first pin of the lead zone is the lead."),
    )
    starts_at = models.DateTimeField(
        _("from"), null=True, blank=True, help_text=_("Empty: from now.")
    )
    ends_at = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Empty: until the pin is removed.")
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pinned story")
        verbose_name_plural = _("pinned stories")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="pin_ends_after_it_starts",
                violation_error_message=_("A pin must end after it starts."),
            )
        ]
        indexes = [models.Index(fields=["zone", "position"], name="pin_zone_position_idx")]

    def __str__(self):
        return f"{self.zone}: {self.article}"

    def is_active(self, at) -> bool:
        return (self.starts_at is None or self.starts_at <= at) and (
            self.ends_at is None or at < self.ends_at
        )


def validate_link(value: str) -> None:
    """An address on this site ("/section/sport/") or a full http(s) address."""
    if value.startswith("/") and not value.startswith("//"):
        return
    URLValidator(schemes=["http", "https"])(value)


class Banner(models.Model):
    text = models.CharField(
        _("text"),
        max_length=200,
        help_text=_("One short sentence, shown at the top of every page."),
    )
    link = models.CharField(
        _("link"),
        max_length=300,
        blank=True,
        validators=[validate_link],
        help_text=_("Where the banner leads: a story's address on this site or a full address."),
    )
    expires_at = models.DateTimeField(
        _("shown until"), help_text=_("The banner disappears from every page at this time.")
    )
    is_shown = models.BooleanField(
        _("shown"), default=True, help_text=_("Untick to take the banner down at once.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("breaking-news banner")
        verbose_name_plural = _("breaking-news banners")

    def __str__(self):
        return self.text

    def clean(self):
        super().clean()
        if self.link and self.link.lower().startswith("javascript:"):
            raise ValidationError({"link": _("Enter a web address.")})
