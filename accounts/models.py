from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("Shown next to your comments. Leave empty to use your username."),
    )
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    notify_replies = models.BooleanField(
        _("e-mail me when someone replies to my comments"),
        default=False,
        db_default=False,
        help_text=_("At most one e-mail per conversation an hour."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def public_name(self) -> str:
        return self.display_name or self.username


ALL_AUTHORS_CACHE_KEY = "accounts:all-authors"


class AuthorQuerySet(models.QuerySet):
    def directory(self) -> list[tuple[str, str]]:
        """Every author's (slug, name) in name order, for lists of options: cached, like
        the sections' directory, so a form that offers them asks the database nothing."""
        authors = cache.get(ALL_AUTHORS_CACHE_KEY)
        if authors is None:
            authors = list(self.order_by("name", "id").values_list("slug", "name"))
            cache.set(ALL_AUTHORS_CACHE_KEY, authors, 300)
        return authors


class Author(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True, allow_unicode=True)
    job_title = models.CharField(
        _("job title"), max_length=120, blank=True, help_text=_("For example “Political editor”.")
    )
    bio = models.TextField(_("biography"), blank=True, help_text=_("Plain text, a paragraph."))
    photo = models.ImageField(_("photo"), upload_to="authors/", blank=True)
    website = models.URLField(_("website"), blank=True)
    social_handle = models.CharField(
        _("social handle"), max_length=80, blank=True, help_text=_("Without the @.")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text=_("Leave empty for bylines without a login, such as a wire agency."),
    )

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)[:140] or "author"
        super().save(*args, **kwargs)
        cache.delete(ALL_AUTHORS_CACHE_KEY)

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    def delete(self, *args, **kwargs):
        cache.delete(ALL_AUTHORS_CACHE_KEY)
        return super().delete(*args, **kwargs)
