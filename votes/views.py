from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comments.selectors import (
    annotate_for_viewer,
    comment_location,
    comments_url,
    published_comment_or_404,
)
from core.ratelimit import ratelimit
from core.responses import action_refused, login_required_or_401, service_refused
from votes.services import VoteError, comment_vote_cast

VALUES = {"up": 1, "down": -1, "1": 1, "-1": -1}


@require_POST
@login_required_or_401(comments_url)
@ratelimit(scope="comment-votes", limit=60, period=60, key="user")
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    comment = published_comment_or_404(pk)
    back_url = f"{comment.article.get_absolute_url()}#comments"
    value = VALUES.get(request.POST.get("value", ""))
    if value is None:
        return action_refused(request, _("A vote is either up or down."), back_url=back_url)
    try:
        result = comment_vote_cast(user=request.user, comment=comment, value=value)
    except VoteError as error:
        return service_refused(request, error, back_url=back_url)
    comment.score = result.score
    if request.htmx:
        annotate_for_viewer(comment, request.user)
        context = {"comment": comment, "my_votes": {comment.pk: result.value}}
        return render(request, "votes/_vote.html", context)
    if result.value:
        messages.success(request, _("Your vote is counted."))
    else:
        messages.info(request, _("Your vote is withdrawn."))
    return redirect(comment_location(comment))
