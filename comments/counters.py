"""The comments' counters when rows go by a path the services do not own.

Comments and comment votes outlive their author's account (SET_NULL), so deleting a user
leaves the article's comment count and the comments' scores as they are; their reports
are deleted with them (CASCADE), and `user_reports_forget` moves each reported comment's
`report_count` down by exactly those, in the deletion's transaction. `counter_truths` says
what the counters must equal, for `manage.py recount`.
"""

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from articles.models import Article
from comments.models import Comment, Report


def _per_comment(reports):
    rows = reports.filter(comment=OuterRef("pk")).order_by().values("comment")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def counter_truths():
    """Article.comment_count and Comment.report_count as expressions over the rows."""
    counted = Comment.objects.counted().filter(article=OuterRef("pk")).order_by()
    comment_count = counted.values("article").annotate(n=Count("pk")).values("n")
    return [
        (Article, {"comment_count": Coalesce(Subquery(comment_count), 0)}),
        (Comment, {"report_count": _per_comment(Report.objects.all())}),
    ]


def user_reports_forget(sender, instance: User, **kwargs) -> None:
    """pre_delete receiver for the user model: take their reports out of the counts."""
    # The account's row locked: a report they file meanwhile fails its foreign-key check
    # when the deletion commits, so nothing is counted that the cascade does not delete.
    User.objects.select_for_update().filter(pk=instance.pk).values_list("pk").first()
    reports = Report.objects.filter(user=instance)
    reported = Comment.objects.filter(pk__in=reports.values("comment"))
    # In id order, as comment_moderate locks comments: two of them cannot deadlock.
    list(reported.select_for_update().order_by("pk").values_list("pk", flat=True))
    # Never below zero: a count that had drifted low already is recount's to fix.
    reported.update(report_count=Greatest(F("report_count") - _per_comment(reports), 0))
