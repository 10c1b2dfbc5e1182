import html

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.sanitize import plain_text, sanitize_html


class LiveCoverage(models.Model):
    """An article run as a live page: timestamped entries under its body, newest first."""

    article = models.OneToOneField(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="live_coverage",
        verbose_name=_("article"),
        help_text=_("The story the live page runs under; its body is the introduction."),
    )
    started_at = models.DateTimeField(
        _("coverage starts"),
        default=timezone.now,
        help_text=_("When the event being covered began (coverageStartTime for search engines)."),
    )
    ended_at = models.DateTimeField(
        _("closed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Set by “Close the live page”: no more entries, the page stays as an archive."
        ),
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("live page")
        verbose_name_plural = _("live pages")

    def __str__(self):
        return str(self.article)

    def get_absolute_url(self):
        return self.article.get_absolute_url()

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def entries_url(self) -> str:
        return reverse("liveblog:entries", kwargs={"pk": self.pk})


class LiveEntry(models.Model):
    """One update on a live page. Each is its own row, so several reporters can post at once
    without overwriting each other."""

    coverage = models.ForeignKey(
        LiveCoverage,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("live page"),
    )
    headline = models.CharField(
        _("headline"),
        max_length=200,
        blank=True,
        help_text=_("Optional. Key events are listed by it at the top of the page."),
    )
    body = models.TextField(_("text"), help_text=_("Scripts and unsafe markup are removed."))
    is_key_event = models.BooleanField(
        _("key event"),
        default=False,
        help_text=_("Listed in the summary at the top of the live page."),
    )
    author = models.ForeignKey(
        "accounts.Author",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    posted_at = models.DateTimeField(_("posted"), default=timezone.now, editable=False)
    edited_at = models.DateTimeField(_("edited"), auto_now=True)

    class Meta:
        # Ids follow posting order: entries are inserted one at a time per live page
        # (services.live_entry_post locks the page), so "after id N" never skips one.
        ordering = ["-id"]
        verbose_name = _("live entry")
        verbose_name_plural = _("live entries")
        indexes = [models.Index(fields=["coverage", "-id"], name="liveentry_coverage_newest")]

    def __str__(self):
        return self.headline or self.summary

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.coverage.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"live-entry-{self.pk}"

    @property
    def summary(self) -> str:
        text = html.unescape(plain_text(self.body))
        return text if len(text) <= 90 else text[:90].rsplit(" ", 1)[0] + "…"
