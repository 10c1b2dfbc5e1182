from django.db import IntegrityError, transaction
from django.db.models import Case, F, When
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ServiceError
from polls.models import Poll, PollChoice, PollVote


class PollError(ServiceError):
    """A poll vote that breaks a rule."""


@transaction.atomic
def poll_vote_cast(*, poll: Poll, choice: PollChoice, user: User) -> PollVote:
    """Record or change a user's vote, moving the choices' counters atomically.

    The user's vote row is locked before it is read; a racing first vote by the same user
    is caught by pollvote_one_per_user and retried as a change.
    """
    if choice.poll_id != poll.pk:
        raise PollError(_("That answer does not belong to this poll."))
    if poll.is_closed:
        raise PollError(_("This poll has closed."))
    if not poll.article.is_public:
        raise PollError(_("This poll is not open to readers."))
    for _attempt in range(2):
        vote = PollVote.objects.select_for_update().filter(poll=poll, user=user).first()
        if vote is None:
            try:
                with transaction.atomic():
                    vote = PollVote.objects.create(poll=poll, choice=choice, user=user)
            except IntegrityError:
                continue  # the same user's other request voted first: change that vote
            PollChoice.objects.filter(pk=choice.pk).update(vote_count=F("vote_count") + 1)
            return vote
        if vote.choice_id != choice.pk:
            moved = [vote.choice_id, choice.pk]
            # Lock both counters in one order, so two readers swapping the other way round
            # cannot deadlock.
            list(PollChoice.objects.select_for_update().filter(pk__in=moved).order_by("pk"))
            PollChoice.objects.filter(pk__in=moved).update(
                vote_count=F("vote_count") + Case(When(pk=choice.pk, then=1), default=-1)
            )
            vote.choice = choice
            vote.save(update_fields=["choice", "voted_at"])
        return vote
    raise PollError(_("Your vote could not be saved. Please try again."))
