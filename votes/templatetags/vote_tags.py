from django import template

from votes.selectors import comment_votes_by

register = template.Library()


@register.simple_tag
def comment_votes(comments, user) -> dict[int, int]:
    """The reader's votes on a page of comments, for `vote_on`: one query for the page."""
    return comment_votes_by(user=user, comments=comments)


@register.filter
def vote_on(votes, comment) -> int:
    """The reader's vote on `comment` (1, -1, or 0 for none) from `comment_votes`."""
    return votes.get(comment.pk, 0) if votes else 0
