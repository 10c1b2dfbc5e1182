"""Up/down votes on comments. `Comment.score` is the sum of a comment's votes, moved with
F() in the same transaction as the vote row, so it stays exact under concurrent voting."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from comments.models import Comment, CommenterStatus
from core.exceptions import ServiceError
from votes.models import Vote


class VoteError(ServiceError):
    """A rule refused the vote on a comment."""


@dataclass(frozen=True)
class VoteResult:
    score: int
    value: int  # the user's vote now: 1, -1, or 0 for none


@transaction.atomic
def comment_vote_cast(*, user: User, comment: Comment, value: int) -> VoteResult:
    """Vote a comment up (1) or down (-1).

    Voting the same way again withdraws the vote; voting the other way moves it. Readers
    cannot vote on their own comments (a score is what others think of it).
    """
    if value not in Vote.Value.values:
        raise VoteError(_("A vote is either up or down."))
    # Every vote rewrites the comment's score, so it waits for this row lock anyway; taking
    # it first makes "is there a vote already?" safe against the same reader's other clicks.
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.user_id == user.pk:
        raise VoteError(_("You cannot vote on your own comment."), status_code=403)
    if not comment.is_counted:
        raise VoteError(_("This comment is not shown on the page."))
    if CommenterStatus.objects.filter(user=user, is_banned=True).exists():
        raise VoteError(_("Your account cannot vote on comments."), status_code=403)

    existing = Vote.objects.filter(comment=comment, user=user).first()
    if existing is None:
        Vote.objects.create(comment=comment, user=user, value=value)
        return _move_score(comment, delta=value, now=value)
    if existing.value == value:
        existing.delete()
        return _move_score(comment, delta=-value, now=0)
    existing.value = value
    existing.save(update_fields=["value"])
    return _move_score(comment, delta=2 * value, now=value)


def _move_score(comment: Comment, *, delta: int, now: int) -> VoteResult:
    Comment.objects.filter(pk=comment.pk).update(score=F("score") + delta)
    score = Comment.objects.values_list("score", flat=True).get(pk=comment.pk)
    comment.score = score
    return VoteResult(score=score, value=now)
