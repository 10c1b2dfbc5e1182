from urllib.parse import unquote, urlsplit

from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from pages.models import Page


class ImportedItem(models.Model):
    """Where an object came from in another system (a WordPress export, so far).

    Re-running an import looks objects up here, so it updates them instead of duplicating.
    """

    source = models.CharField(
        _("source"), max_length=200, help_text=_("The site the item came from, e.g. its URL.")
    )
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("key in the source"), max_length=255)
    object_id = models.BigIntegerField(_("object ID here"))
    imported_at = models.DateTimeField(_("last imported"), auto_now=True)

    class Meta:
        verbose_name = _("imported item")
        verbose_name_plural = _("imported items")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "key"], name="imported_item_once_per_source"
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.kind} {self.key} → {self.object_id}"


def old_path(url: str) -> str:
    """The key a WordPress address is kept under: its path, decoded as Django decodes a
    request's (WordPress writes non-ASCII slugs percent-encoded), and its query if any."""
    parts = urlsplit(url)
    return unquote(parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class OldAddressQuerySet(models.QuerySet):
    def public(self):
        """Addresses whose article or page the public may see now: only these redirect."""
        return self.filter(
            models.Q(article__in=Article.objects.published())
            | models.Q(page__in=Page.objects.published())
        )


class OldAddress(models.Model):
    """A WordPress address of an imported article or page (its permalink, or "/?p=123").

    The redirect is decided when the address is asked for, so it follows the current
    address and answers only while the article or page is public.
    """

    path = models.CharField(
        _("old address"),
        max_length=500,
        unique=True,
        help_text=_("The path (and query) on the WordPress site, e.g. /?p=123."),
    )
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    # No index: only deleting one of the few pages looks rows up by it, and building one
    # would lock the (big) table when the column is added.
    page = models.ForeignKey(
        "pages.Page",
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )

    objects = OldAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("old WordPress address")
        verbose_name_plural = _("old WordPress addresses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(article__isnull=True, page__isnull=False)
                | models.Q(article__isnull=False, page__isnull=True),
                name="old_address_one_target",
            ),
        ]

    def __str__(self):
        return f"{self.path} → {self.article_id or f'page {self.page_id}'}"

    @property
    def target(self):
        return self.article or self.page
