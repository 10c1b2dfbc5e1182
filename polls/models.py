from datetime import datetime

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import OuterRef
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article

# A poll's choice as the page shows it.
CHOICE_JSON = JSONObject(id="id", text="text", position="position", vote_count="vote_count")


class PollQuerySet(models.QuerySet):
    def for_article(self, article) -> list:
        """The polls shown under an article, each with its choices in order in
        `shown_choices`: none when the story was read for its page (its `poll_rows`, see
        `article_poll_rows`), else the same JSON in one query."""
        rows = getattr(article, "poll_rows", None)
        if rows is None:
            rows = (
                Article.objects.using(self.db)
                .filter(pk=article.pk)
                .annotate(rows=article_poll_rows())
                .values_list("rows", flat=True)
                .first()
            ) or []
        return [_poll_from_row(article, row) for row in rows]


def article_poll_rows() -> ArraySubquery:
    """A story's polls as JSON objects, each with its choices in order: read with the story
    for its page (articles.querysets.story_extra, registered in PollsConfig.ready)."""
    choices = PollChoice.objects.filter(poll=OuterRef("pk")).order_by("position", "id")
    polls = Poll.objects.filter(article=OuterRef("pk")).order_by("id")
    return ArraySubquery(
        polls.values(
            json=JSONObject(
                id="id",
                question="question",
                closes_at="closes_at",
                created_at="created_at",
                choices=ArraySubquery(choices.values(json=CHOICE_JSON)),
            )
        )
    )


def _poll_from_row(article, row: dict) -> "Poll":
    poll = Poll(
        pk=row["id"],
        article=article,
        question=row["question"],
        closes_at=row["closes_at"] and datetime.fromisoformat(row["closes_at"]),
        created_at=datetime.fromisoformat(row["created_at"]),
    )
    poll.shown_choices = [PollChoice(poll=poll, **choice) for choice in row["choices"]]
    return poll


class Poll(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="polls", verbose_name=_("article")
    )
    question = models.CharField(
        _("question"), max_length=200, help_text=_("Ask one short, neutral question.")
    )
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep the poll open. Results are shown to all once closed."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#poll-{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.closes_at is not None and self.closes_at <= timezone.now()


class PollChoice(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="choices", verbose_name=_("poll")
    )
    text = models.CharField(_("answer"), max_length=120)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers are listed first.")
    )
    # Denormalised: only poll_vote_cast() changes it, with F() in the vote's transaction.
    vote_count = models.PositiveIntegerField(_("votes"), default=0, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return self.text


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(PollChoice, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_votes"
    )
    voted_at = models.DateTimeField(_("voted"), auto_now=True)

    class Meta:
        ordering = ["-voted_at"]
        verbose_name = _("poll vote")
        verbose_name_plural = _("poll votes")
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="pollvote_one_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.choice_id}"
