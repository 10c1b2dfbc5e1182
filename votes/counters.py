"""What `Comment.score` must equal, for `manage.py recount`.

No deletion path needs a hook here: a deleted user's votes stay (SET_NULL) and stay in the
score; a deleted comment takes its votes and its score with it.
"""

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from comments.models import Comment
from votes.models import Vote


def counter_truths():
    """Comment.score as an expression over the vote rows."""
    votes = Vote.objects.filter(comment=OuterRef("pk")).order_by().values("comment")
    return [
        (Comment, {"score": Coalesce(Subquery(votes.annotate(n=Sum("value")).values("n")), 0)})
    ]
