from django import template

from polls.models import Poll
from polls.views import poll_contexts

register = template.Library()


@register.inclusion_tag("polls/polls.html", takes_context=True)
def article_polls(context, article):
    """The article's reader polls; personal (your vote, the form) only for signed-in readers."""
    request = context["request"]
    polls = Poll.objects.for_article(article)
    for poll in polls:
        poll.article = article  # for get_absolute_url(), without a query per poll
    personal = request.user.is_authenticated
    return {
        "polls": poll_contexts(polls, request.user, personal=personal),
    }
