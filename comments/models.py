from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CommentQuerySet(models.QuerySet):
    def counted(self):
        """The comments `Article.comment_count` counts: approved and not deleted."""
        return self.filter(status=Comment.Status.APPROVED, deleted_at__isnull=True)

    def visible_to(self, user):
        """Approved comments, plus those waiting for a moderator that the viewer wrote, or
        all of those if the viewer is a moderator (so they can judge them in place)."""
        return self.filter(_visible_condition(user))

    def thread_roots(self, user=None):
        """Top-level comments to show: visible ones, and placeholders for deleted or
        moderated-away ones whose replies are still shown (and counted)."""
        live_replies = self.model.objects.visible_to(user).filter(
            parent=OuterRef("pk"), deleted_at__isnull=True
        )
        shown = _visible_condition(user) & Q(deleted_at__isnull=True)
        placeholder = Q(status__in=Comment.REMOVED) | _visible_condition(user)
        return self.filter(parent__isnull=True).filter(
            shown | (placeholder & Exists(live_replies))
        )


def _visible_condition(user) -> Q:
    condition = Q(status=Comment.Status.APPROVED)
    if user is not None and user.is_authenticated:
        if user.is_staff and user.has_perm("comments.change_comment"):
            condition |= Q(status=Comment.Status.PENDING)
        else:
            condition |= Q(status=Comment.Status.PENDING, user=user)
    return condition


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        HIDDEN = "hidden", _("Hidden")
        SPAM = "spam", _("Spam")

    # Taken down by a moderator: shown only as a placeholder above replies still shown.
    REMOVED = (Status.HIDDEN, Status.SPAM)

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    # SET_NULL keeps a closed account's comments (and the article's count) as they were.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    body = models.TextField(_("comment"), help_text=_("Plain text, as the reader wrote it."))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        help_text=_(
            "Only approved comments are shown. Change it with the actions on the list page "
            "so that the article's comment count stays right."
        ),
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(
        _("deleted"),
        null=True,
        blank=True,
        help_text=_("Deleted by its author. Kept as “Comment deleted” while it has replies."),
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Denormalised, changed only with F() by the vote and report services.
    score = models.IntegerField(_("score"), default=0, editable=False)
    report_count = models.PositiveIntegerField(_("reports"), default=0, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        get_latest_by = "created_at"
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(
                fields=["article", "status", "parent", "-created_at"],
                name="comment_thread_idx",
            ),
            models.Index(fields=["user", "status"], name="comment_user_status_idx"),
            models.Index(fields=["status", "-created_at"], name="comment_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "hidden", "spam"]),
                name="comment_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="comment_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.public_name}: {self.body[:60]}"

    def get_absolute_url(self):
        # The permalink finds the page of the thread the comment is on when it is followed.
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def public_name(self) -> str:
        return self.user.public_name if self.user else _("Former reader")

    @property
    def is_counted(self) -> bool:
        return self.status == self.Status.APPROVED and self.deleted_at is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_removed(self) -> bool:
        """Hidden or marked as spam by a moderator."""
        return self.status in self.REMOVED


class CommenterStatus(models.Model):
    """What moderators decided about one reader as a commenter."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="commenter_status",
    )
    is_trusted = models.BooleanField(
        _("trusted"),
        default=False,
        help_text=_("Trusted readers' comments appear at once, without waiting in the queue."),
    )
    is_banned = models.BooleanField(
        _("banned"),
        default=False,
        help_text=_("Banned readers cannot comment, reply, edit or vote on comments."),
    )
    note = models.CharField(
        _("moderator's note"),
        max_length=300,
        blank=True,
        help_text=_("Why: for the other moderators. The reader never sees it."),
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("commenter")
        verbose_name_plural = _("commenters")
        constraints = [
            models.CheckConstraint(
                condition=~Q(is_trusted=True, is_banned=True),
                name="commenter_not_trusted_and_banned",
                violation_error_message=_("A reader cannot be trusted and banned at once."),
            ),
        ]

    def __str__(self):
        return str(self.user)


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="reports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.CASCADE,
        related_name="comment_reports",
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="report_one_per_user"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.comment_id})"


class ReplyNotice(models.Model):
    """A reply e-mail sent to a comment's author: the record behind "one per thread an hour"."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    thread = models.ForeignKey(
        Comment, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="+"
    )
    reply = models.ForeignKey(
        Comment, verbose_name=_("reply"), on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reply e-mail")
        verbose_name_plural = _("reply e-mails")
        indexes = [
            models.Index(fields=["recipient", "thread", "-sent_at"], name="replynotice_window_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reply", "recipient"], name="replynotice_once_per_reply"
            )
        ]

    def __str__(self):
        return f"{self.recipient} ← {self.reply_id}"
