from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleViewDay(models.Model):
    """Views of one article on one day: the buckets behind "most read" windows."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="view_days"
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily views")
        verbose_name_plural = _("daily views")
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="viewday_one_per_day"),
        ]
        indexes = [models.Index(fields=["day", "article"], name="viewday_day_article_idx")]

    def __str__(self):
        return f"{self.article_id} {self.day}: {self.views}"


class ViewBuffer(models.Model):
    """Views counted but not yet folded into Article.view_count and the daily buckets.

    Readers add to one of a few shard rows per article and day, so the readers of a popular
    article do not queue on one row lock; `manage.py fold_views` moves the counts over.
    """

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    shard = models.PositiveSmallIntegerField(_("shard"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("buffered views")
        verbose_name_plural = _("buffered views")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "day", "shard"], name="viewbuffer_one_per_shard"
            ),
        ]

    def __str__(self):
        return f"{self.article_id} {self.day}#{self.shard}: {self.views}"


class ViewDedupe(models.Model):
    """Readers counted recently, by a keyed hash of who and what: no IP address is stored."""

    key = models.CharField(_("reader key"), max_length=64, primary_key=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("recent reader")
        verbose_name_plural = _("recent readers")

    def __str__(self):
        return self.key


class AddressReaders(models.Model):
    """New anonymous readers one address added to one article in one minute.

    Bounds what one address can add (VIEW_READERS_PER_ADDRESS), by a keyed hash of address,
    article and minute: no IP address is stored. Rows are pruned by the fold.
    """

    key = models.CharField(_("address key"), max_length=64, primary_key=True)
    readers = models.PositiveIntegerField(_("readers"), default=0)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("readers from one address")
        verbose_name_plural = _("readers from one address")

    def __str__(self):
        return f"{self.key}: {self.readers}"
