from django.core.exceptions import ValidationError
from django.db import models
from django.urls import Resolver404, resolve, reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from articles.sanitize import sanitize_html


def validate_page_slug(slug: str) -> None:
    """Refuse a slug whose address the site already answers (a year archive, /search/,
    /admin/, ...): the page's URL comes last, so such a page could never be reached."""
    try:
        match = resolve(f"/{slug}/")
    except Resolver404:
        return
    if match.view_name != "pages:detail":
        raise ValidationError(
            _("The address /%(slug)s/ is already used by the site; choose another slug."),
            code="slug_taken",
            params={"slug": slug},
        )


class PageQuerySet(models.QuerySet):
    def published(self):
        """The one definition of a page the public may see."""
        return self.filter(is_published=True)

    def in_footer(self):
        return self.published().filter(show_in_footer=True).order_by("position", "title")


class Page(models.Model):
    """A standing page of the site: About, Contact, Corrections policy, Terms."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        validators=[validate_page_slug],
        help_text=_("The address: “about” is served at /about/."),
    )
    body = models.TextField(
        _("body"), blank=True, help_text=_("HTML. Scripts and unsafe markup are removed on save.")
    )
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("One sentence for search results and link previews."),
    )
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Unpublished pages answer 404.")
    )
    show_in_footer = models.BooleanField(_("link from the footer"), default=True)
    position = models.PositiveSmallIntegerField(
        _("footer position"), default=0, help_text=_("Lower numbers come first.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:80] or "page"
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pages:detail", kwargs={"slug": self.slug})
