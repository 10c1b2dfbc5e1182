from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class SubscriberQuerySet(models.QuerySet):
    def receiving(self):
        """The subscribers a digest goes to: confirmed, not unsubscribed, not bounced."""
        return self.filter(status=Subscriber.Status.CONFIRMED)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Bounced")

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    email = models.EmailField(_("e-mail address"), max_length=254)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.PENDING,
        help_text=_(
            "Only confirmed addresses receive the digest. Unsubscribed and bounced addresses "
            "receive nothing until the reader confirms a new subscription."
        ),
    )
    frequency = models.CharField(
        _("frequency"), max_length=6, choices=Frequency.choices, default=Frequency.DAILY
    )
    sections = models.ManyToManyField(
        "articles.Category",
        verbose_name=_("sections"),
        blank=True,
        related_name="+",
        help_text=_("The sections the reader chose. None means every section."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when a signed-in reader manages the subscription from their profile."),
    )
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            # Addresses are stored lower-cased; the index makes "one row per address" a fact.
            models.UniqueConstraint(Lower("email"), name="subscriber_email_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "unsubscribed", "bounced"]),
                name="subscriber_status_known",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=["daily", "weekly"]), name="subscriber_frequency_known"
            ),
        ]
        indexes = [models.Index(fields=["status", "frequency"], name="subscriber_receiving_idx")]

    def __str__(self):
        return self.email


class Send(models.Model):
    """One digest edition to one subscriber: claimed before the mail goes, so never twice."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Refused by the mail server")

    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="sends"
    )
    edition = models.CharField(
        _("edition"), max_length=32, help_text=_("daily-2026-12-02 or weekly-2026-W49.")
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=Status.choices,
        default=Status.CLAIMED,
        help_text=_(
            "“Being sent” rows left by a crashed run are not sent again: a reader may have "
            "had the mail already."
        ),
    )
    article_count = models.PositiveSmallIntegerField(_("stories"), default=0)
    created_at = models.DateTimeField(_("claimed"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "edition"], name="send_once_per_edition")
        ]

    def __str__(self):
        return f"{self.edition} → {self.subscriber}"
