from django import template
from django.template.loader import render_to_string

from polls.models import Poll
from polls.views import poll_contexts

register = template.Library()


@register.simple_tag(takes_context=True)
def article_polls(context, article) -> str:
    """The article's reader polls; personal (your vote, the form) only for signed-in readers.

    A story without polls (most) renders no template: as an inclusion tag it rendered an
    empty one, in a new context whose context processors all ran again."""
    polls = Poll.objects.for_article(article)
    if not polls:
        return ""
    request = context["request"]
    for poll in polls:
        poll.article = article  # for get_absolute_url(), without a query per poll
    personal = request.user.is_authenticated
    return render_to_string(
        "polls/polls.html",
        {
            "polls": poll_contexts(polls, request.user, personal=personal),
            # As an inclusion tag would: the page's token, for a signed-in reader's forms.
            "csrf_token": context.get("csrf_token"),
        },
    )
