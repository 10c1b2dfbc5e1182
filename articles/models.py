from datetime import date, datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItem

from articles import images
from articles.querysets import ALL_SECTIONS_CACHE_KEY, ArticleQuerySet, CategoryManager
from articles.sanitize import reading_time, sanitize_html


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("One or two sentences shown on the section page."),
    )
    position = models.PositiveSmallIntegerField(
        _("menu position"), default=0, help_text=_("Lower numbers come first in the menu.")
    )
    show_in_nav = models.BooleanField(_("show in menu"), default=True)

    objects = CategoryManager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)[:80] or "section"
        super().save(*args, **kwargs)
        cache.delete(ALL_SECTIONS_CACHE_KEY)

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


def day_and_slug(day, slug: str) -> str:
    """The end of a story's address, as `article_path` writes it after any prefix and
    without its slashes: "2026/12/04/slug"."""
    return f"{day:%Y/%m/%d}/{slug}"


def article_path(day, slug: str) -> str:
    """A story's address: the day it was published and its slug."""
    return reverse(
        "articles:detail",
        kwargs={
            "year": day.year,
            "month": f"{day.month:02d}",
            "day": f"{day.day:02d}",
            "slug": slug,
        },
    )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Comments(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed: existing comments stay visible")
        HIDDEN = "hidden", _("Hidden: no comments shown")

    title = models.CharField(_("headline"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        allow_unicode=True,
        help_text=_("The last part of the address. Unique among articles of the same day."),
    )
    standfirst = models.CharField(
        _("standfirst"),
        max_length=300,
        blank=True,
        help_text=_("One sentence under the headline that tells the story."),
    )
    body = models.TextField(
        _("body"), blank=True, help_text=_("HTML. Scripts and unsafe markup are removed on save.")
    )
    image = images.ArticleImageField(
        _("featured image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        validators=[images.validate_image_upload],
        help_text=_(
            "JPEG, PNG or WebP, at least 1600 pixels wide for sharp pictures on big screens. "
            "Location data and other metadata are removed."
        ),
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_renditions = models.JSONField(
        _("image renditions"), default=dict, blank=True, editable=False
    )
    image_alt = models.CharField(
        _("image alt text"),
        max_length=250,
        blank=True,
        help_text=_("Describe the image for readers who cannot see it. Required with an image."),
    )
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    image_credit = models.CharField(_("image credit"), max_length=120, blank=True)
    authors = models.ManyToManyField(
        "accounts.Author",
        through="ArticleAuthor",
        related_name="articles",
        verbose_name=_("authors"),
        blank=True,
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="articles",
        null=True,
        blank=True,
    )
    tags = TaggableManager(_("tags"), blank=True)
    # The tag links as rows, so that a revision (django-reversion) records and restores them.
    tagged_items = GenericRelation(TaggedItem)
    pinned_related = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name=_("pinned related stories"),
        help_text=_("Shown first under “Related stories”, before the automatic picks."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        help_text=_("A time in the future schedules the article; it appears by itself then."),
    )
    # The local calendar day of published_at, kept in its own column because a
    # timestamptz-to-date cast is not immutable and so cannot back a unique constraint.
    publish_date = models.DateField(_("publish date"), null=True, blank=True, editable=False)
    reading_time = models.PositiveSmallIntegerField(
        _("reading time (minutes)"), default=1, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Any change to the row, bookkeeping included (comments closed, a counter folded, an
    # import re-run): for caches and sitemaps, never shown to readers as "Updated".
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    edited_at = models.DateTimeField(
        _("last edited"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The last editorial change (text, image, byline, filing, a correction): the "
            "“Updated” time readers see."
        ),
    )
    is_featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Shown among the top stories on the front page.")
    )
    comments_mode = models.CharField(
        _("comments"), max_length=10, choices=Comments.choices, default=Comments.OPEN
    )
    seo_title = models.CharField(
        _("SEO title"),
        max_length=200,
        blank=True,
        help_text=_("Overrides the headline in search results."),
    )
    seo_description = models.CharField(
        _("SEO description"),
        max_length=300,
        blank=True,
        help_text=_("Overrides the standfirst in search results and link previews."),
    )

    # Denormalised counters: only ever changed with F() expressions or upserts by the
    # services that own them, in the same transaction as the rows they count.
    view_count = models.PositiveBigIntegerField(_("views"), default=0, editable=False)
    rating_count = models.PositiveIntegerField(_("ratings"), default=0, editable=False)
    rating_sum = models.PositiveIntegerField(_("rating total"), default=0, editable=False)
    comment_count = models.PositiveIntegerField(_("comments"), default=0, editable=False)
    # Written only by a database trigger (articles/migrations/0005_search.py).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            # Every public list, newest first, and previous/next (row comparisons).
            models.Index(
                fields=["status", "-published_at", "-id"], name="article_status_pub_id_idx"
            ),
            # The desk's article list: every status, newest first (its default order).
            models.Index(fields=["-published_at", "-id"], name="article_pub_id_idx"),
            models.Index(fields=["category", "-published_at"], name="article_section_pub_idx"),
            models.Index(fields=["is_featured", "-published_at"], name="article_featured_pub_idx"),
            # Date archives list a day's, month's or year's stories newest first, and their
            # previous/next links look articles up by day: in this order a month far back
            # is read from where it ends, not from the newest story down to it.
            models.Index(
                fields=["status", "-publish_date", "-published_at", "-id"],
                name="article_status_day_pub_idx",
            ),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="article_title_trgm_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "publish_date"],
                name="article_slug_unique_per_day",
                violation_error_message=_(
                    "Another article published on the same day already has this slug."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title, allow_unicode=True)[:200] or "story"
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.publish_date = timezone.localdate(self.published_at) if self.published_at else None
        self.body = sanitize_html(self.body)
        self.reading_time = reading_time(self.body)
        self._process_image()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = self._with_derived_fields(update_fields)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return article_path(self.address_day(), self.slug)

    def address_day(self) -> date:
        """The day in the story's address."""
        return self.publish_date or timezone.localdate(
            self.published_at or self.created_at or timezone.now()
        )

    def is_addressed_by(self, path: str) -> bool:
        """Whether `path` is the story's own address (get_absolute_url()), told without
        reversing the URL pattern (a twentieth of a rendered story): the address ends in
        /year/month/day/slug/, and `path` reached this story through that pattern."""
        return path.endswith(f"/{day_and_slug(self.address_day(), self.slug)}/")

    def _process_image(self) -> None:
        """Store a new upload upright and without metadata, then build its renditions."""
        if not self.image:
            self.image_renditions = {}
            return
        if not self.image._committed:
            content, width, height = images.clean_upload(self.image)
            self.image.save(self.image.name.rsplit("/", 1)[-1], content, save=False)
            self.image_width, self.image_height = width, height
        if self.image_renditions.get("source") != self.image.name:
            self.image_renditions = images.make_renditions(self.image.name, self.image.storage)
            self.image_width = self.image_renditions["width"]
            self.image_height = self.image_renditions["height"]

    @staticmethod
    def _with_derived_fields(update_fields):
        derived = {
            "published_at": ["publish_date"],
            "body": ["reading_time"],
            "image": ["image_width", "image_height", "image_renditions"],
        }
        fields = set(update_fields)
        for source, extra in derived.items():
            if source in fields:
                fields.update(extra)
        return fields

    @property
    def image_srcset_webp(self) -> str:
        return images.srcset(self.image_renditions, "webp")

    @property
    def image_srcset_jpeg(self) -> str:
        return images.srcset(self.image_renditions, "jpeg")

    @property
    def image_fallback_url(self) -> str:
        return images.fallback_url(self.image, self.image_renditions)

    @property
    def social_image_url(self) -> str:
        social = self.image_renditions.get("social")
        if social:
            return self.image.storage.url(social)
        return self.image.url if self.image else ""

    @property
    def byline_authors(self) -> list:
        """Authors in credited order, from the prefetched bylines when there are any."""
        return [byline.author for byline in self.bylines.all()]

    @property
    def modified_at(self):
        """When the story last changed for its readers: its publish time or a later edit."""
        return max(filter(None, [self.edited_at, self.published_at]), default=None)

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def rating_average(self) -> float | None:
        if not self.rating_count:
            return None
        return self.rating_sum / self.rating_count


class ArticleAuthor(models.Model):
    """The byline: which authors wrote an article, in the order they are credited."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey("accounts.Author", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_author_once"),
        ]
        # An author's page and feed: their bylines, joined to the stories by id.
        indexes = [models.Index(fields=["author", "article"], name="byline_author_article_idx")]

    def __str__(self):
        return f"{self.author} on {self.article}"


class RenditionedImage(models.Model):
    """A picture stored upright without metadata, with its responsive renditions indexed."""

    image = images.ArticleImageField(
        _("image"),
        upload_to="body/%Y/%m/",
        validators=[images.validate_image_upload],
        help_text=_("JPEG, PNG or WebP. Location data and other metadata are removed."),
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    alt = models.CharField(
        _("alt text"),
        max_length=250,
        help_text=_("Describe the image for readers who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.image and not self.image._committed:
            content, self.width, self.height = images.clean_upload(self.image)
            self.image.save(self.image.name.rsplit("/", 1)[-1], content, save=False)
        if self.image and self.renditions.get("source") != self.image.name:
            self.renditions = images.make_renditions(self.image.name, self.image.storage)
            self.width, self.height = self.renditions["width"], self.renditions["height"]
        super().save(*args, **kwargs)

    @property
    def srcset_webp(self) -> str:
        return images.srcset(self.renditions, "webp")

    @property
    def srcset_jpeg(self) -> str:
        return images.srcset(self.renditions, "jpeg")

    @property
    def fallback_url(self) -> str:
        return images.fallback_url(self.image, self.renditions)


class BodyImage(RenditionedImage):
    """A picture uploaded from the body editor; the body links to its original file."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("body image")
        verbose_name_plural = _("body images")
        indexes = [models.Index(fields=["image"], name="bodyimage_file_idx")]

    def __str__(self):
        return self.alt or self.image.name


class GalleryImage(RenditionedImage):
    """One picture of an article's gallery, shown in `position` order under the story."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="gallery")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("gallery picture")
        verbose_name_plural = _("gallery (pictures in the order shown)")
        indexes = [models.Index(fields=["article", "position"], name="gallery_article_pos_idx")]

    def __str__(self):
        return self.caption or self.alt


class Correction(models.Model):
    """A dated note appended to a story: what was wrong and is now right, or what is new."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("article")
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind.choices, default=Kind.CORRECTION
    )
    note = models.TextField(
        _("note"),
        max_length=2000,
        help_text=_(
            "Plain text, shown at the foot of the story, on the corrections page and in the "
            "feeds, e.g. “An earlier version gave the wrong date for the vote.”"
        ),
    )
    noted_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        ordering = ["noted_at", "id"]
        get_latest_by = "noted_at"
        verbose_name = _("correction or update")
        verbose_name_plural = _("corrections and updates")
        # The corrections page, newest first.
        indexes = [models.Index(fields=["-noted_at", "-id"], name="correction_newest_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"

    @classmethod
    def from_row(cls, row: dict) -> "Correction":
        """A note from a story's `correction_rows` (a JSON object: its date as text)."""
        return cls(**row | {"noted_at": datetime.fromisoformat(row["noted_at"])})


class ListingStats(models.Model):
    """What a section's, tag's or author's list of public stories holds (or the whole
    site's, one row): how many, and when the newest change to one of them was. Pages and
    sitemaps read one row instead of counting the archive (articles.listings keeps it; a
    purge forgets it)."""

    class Kind(models.TextChoices):
        SECTION = "section"
        TAG = "tag"
        AUTHOR = "author"
        SITE = "site"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.BigIntegerField()
    published = models.PositiveIntegerField(default=0)
    last_updated = models.DateTimeField(null=True)
    # The earliest scheduled story's publish time: the list changes then, unwritten.
    next_change = models.DateTimeField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="listing_stats_once")
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.published}"
