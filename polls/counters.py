"""The answers' vote counts when poll votes go by a path the services do not own.

A user deleted through Django's auth admin, its bulk action or `user.delete()` takes their
poll votes with them (CASCADE). `user_poll_votes_forget` runs just before, in the
deletion's transaction, and moves each answer's count down by exactly those votes.
`counter_truths` says what the counts must equal, for `manage.py recount`.
"""

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from polls.models import PollChoice, PollVote


def _per_choice(votes):
    rows = votes.filter(choice=OuterRef("pk")).order_by().values("choice")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def counter_truths():
    """PollChoice.vote_count as an expression over the vote rows."""
    return [(PollChoice, {"vote_count": _per_choice(PollVote.objects.all())})]


def user_poll_votes_forget(sender, instance: User, **kwargs) -> None:
    """pre_delete receiver for the user model: take their votes out of the answers' counts."""
    # The account's row locked: a first vote they cast meanwhile fails its foreign-key
    # check when the deletion commits, so nothing is counted that the cascade does not delete.
    User.objects.select_for_update().filter(pk=instance.pk).values_list("pk").first()
    votes = PollVote.objects.filter(user=instance)
    # poll_vote_cast locks the user's vote row before it moves it to another answer, then
    # both answers in id order; taking the same locks in the same order keeps the votes
    # read below in place until the cascade deletes them.
    list(votes.select_for_update().order_by("pk").values_list("pk", flat=True))
    chosen = PollChoice.objects.filter(pk__in=votes.values("choice"))
    list(chosen.select_for_update().order_by("pk").values_list("pk", flat=True))
    # Never below zero: a count that had drifted low already is recount's to fix.
    chosen.update(vote_count=Greatest(F("vote_count") - _per_choice(votes), 0))
