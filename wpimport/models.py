from django.db import models
from django.utils.translation import gettext_lazy as _


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
