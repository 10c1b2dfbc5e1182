"""Reads of comment votes."""

from __future__ import annotations

from collections.abc import Sequence

from comments.models import Comment
from votes.models import Vote


def comment_votes_by(*, user, comments: Sequence[Comment]) -> dict[int, int]:
    """The reader's votes on these comments by comment id (1 up, -1 down).

    One query; none for an anonymous reader or no comments.
    """
    if user is None or not user.is_authenticated or not comments:
        return {}
    votes = Vote.objects.filter(user=user, comment__in=comments)
    return dict(votes.values_list("comment_id", "value"))
