from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comments.selectors import annotate_for_viewer, comment_location
from comments.views import login_required_or_401, published_comment_or_404, refuse
from newsportal.ratelimit import ratelimit
from votes.services import VoteError, vote_cast

VALUES = {"up": 1, "down": -1, "1": 1, "-1": -1}


@require_POST
@login_required_or_401
@ratelimit(scope="comment-votes", limit=60, period=60, key="user")
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    comment = published_comment_or_404(pk)
    value = VALUES.get(request.POST.get("value", ""))
    if value is None:
        return refuse(
            request, _("A vote is either up or down."), status=400, article=comment.article
        )
    try:
        result = vote_cast(user=request.user, comment=comment, value=value)
    except VoteError as error:
        return refuse(request, error.message, status=error.status_code, article=comment.article)
    comment.score = result.score
    if request.htmx:
        annotate_for_viewer(comment, request.user, vote=result.value)
        return render(request, "votes/_vote.html", {"comment": comment})
    if result.value:
        messages.success(request, _("Your vote is counted."))
    else:
        messages.info(request, _("Your vote is withdrawn."))
    return redirect(comment_location(comment))
