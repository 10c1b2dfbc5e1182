from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from articles.models import Article
from core.ratelimit import ratelimit
from core.responses import action_refused, log_in_first, service_refused
from polls.forms import VoteForm
from polls.models import Poll, PollChoice, PollVote
from polls.services import PollError, poll_vote_cast


@dataclass
class ChoiceResult:
    choice: PollChoice
    percent: int
    mine: bool


def poll_contexts(polls: list[Poll], user, *, personal: bool) -> list[dict]:
    """Per-poll template context: results, and the reader's vote when `personal`.

    One query for the reader's votes in all the polls (none for anonymous readers).
    """
    my_votes = {}
    if personal and user.is_authenticated and polls:
        my_votes = dict(
            PollVote.objects.filter(poll__in=polls, user=user).values_list("poll_id", "choice_id")
        )
    contexts = []
    for poll in polls:
        # Polls from Poll.objects.for_article() carry their choices already.
        choices = getattr(poll, "shown_choices", None) or list(poll.choices.all())
        total = sum(choice.vote_count for choice in choices)
        mine = my_votes.get(poll.pk)
        contexts.append(
            {
                "poll": poll,
                "choices": choices,
                "results": [
                    ChoiceResult(
                        choice,
                        round(choice.vote_count * 100 / total) if total else 0,
                        choice.pk == mine,
                    )
                    for choice in choices
                ],
                "total": total,
                "my_choice": mine,
                "closed": poll.is_closed,
                "can_vote": personal and user.is_authenticated and not poll.is_closed,
                "show_results": poll.is_closed or mine is not None,
            }
        )
    return contexts


@require_POST
@ratelimit(scope="polls", limit=30, period=60)
def vote(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = get_object_or_404(
        Poll.objects.select_related("article").filter(article__in=Article.objects.published()),
        pk=poll_id,
    )
    if not request.user.is_authenticated:
        return log_in_first(request, poll.get_absolute_url(), _("Log in to vote."))
    back_url = poll.get_absolute_url()
    if poll.is_closed:
        return action_refused(request, _("This poll has closed."), status=403, back_url=back_url)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return action_refused(request, form.errors["choice"][0], back_url=back_url)
    choice = PollChoice.objects.filter(pk=form.cleaned_data["choice"]).first()
    if choice is None:
        return action_refused(request, _("Choose one of the answers."), back_url=back_url)
    try:
        poll_vote_cast(poll=poll, choice=choice, user=request.user)
    except PollError as error:
        return service_refused(request, error, back_url=back_url)
    message = _("Thank you: your vote is counted.")
    if request.htmx:
        poll = Poll.objects.prefetch_related("choices").get(pk=poll.pk)
        context = poll_contexts([poll], request.user, personal=True)[0] | {"status": message}
        return render(request, "polls/poll_update.html", context)
    messages.success(request, message)
    return redirect(back_url)
