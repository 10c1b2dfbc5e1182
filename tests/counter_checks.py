"""Every denormalised counter against a fresh aggregate of its rows, written out here by
hand (not taken from the apps' counters modules) so the tests check those too."""

from django.db.models import Count, Sum

from articles.models import Article
from comments.models import Comment, Report
from polls.models import PollChoice, PollVote
from ratings.models import Rating
from votes.models import Vote


def _grouped(queryset, key, total) -> dict:
    return dict(queryset.values(key).order_by(key).annotate(n=total).values_list(key, "n"))


def counter_mismatches() -> list[str]:
    """One line per counter value that differs from its rows; empty when all are exact."""
    ratings = _grouped(Rating.objects.all(), "article", Count("pk"))
    stars = _grouped(Rating.objects.all(), "article", Sum("stars"))
    comments = _grouped(Comment.objects.counted(), "article", Count("pk"))
    reports = _grouped(Report.objects.all(), "comment", Count("pk"))
    scores = _grouped(Vote.objects.all(), "comment", Sum("value"))
    answers = _grouped(PollVote.objects.all(), "choice", Count("pk"))
    wrong = []

    def check(name, pk, stored, true):
        if stored != true:
            wrong.append(f"{name} of {pk}: stored {stored}, rows say {true}")

    for pk, count, total, commented in Article.objects.values_list(
        "pk", "rating_count", "rating_sum", "comment_count"
    ):
        check("rating_count", pk, count, ratings.get(pk, 0))
        check("rating_sum", pk, total, stars.get(pk, 0))
        check("comment_count", pk, commented, comments.get(pk, 0))
    for pk, reported, score in Comment.objects.values_list("pk", "report_count", "score"):
        check("report_count", pk, reported, reports.get(pk, 0))
        check("score", pk, score, scores.get(pk, 0))
    for pk, votes in PollChoice.objects.values_list("pk", "vote_count"):
        check("vote_count", pk, votes, answers.get(pk, 0))
    return wrong
