"""The article's rating counters when ratings go by a path the services do not own.

A user deleted through Django's auth admin, its bulk action or `user.delete()` takes their
ratings with them (CASCADE). `user_ratings_forget` runs just before, in the deletion's
transaction, and moves the counters down by exactly those rows. `counter_truths` says what
the counters must equal, for `manage.py recount`.
"""

from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from articles.models import Article
from ratings.models import Rating


def _per_article(ratings, total):
    rows = ratings.filter(article=OuterRef("pk")).order_by().values("article")
    return Coalesce(Subquery(rows.annotate(n=total).values("n")), 0)


def counter_truths():
    """Article.rating_count and rating_sum as expressions over the ratings rows."""
    ratings = Rating.objects.all()
    fields = {
        "rating_count": _per_article(ratings, Count("pk")),
        "rating_sum": _per_article(ratings, Sum("stars")),
    }
    return [(Article, fields)]


def user_ratings_forget(sender, instance: User, **kwargs) -> None:
    """pre_delete receiver for the user model: take their ratings out of the counters."""
    # The account's row locked: a rating they save meanwhile fails its foreign-key check
    # when the deletion commits, so nothing is counted that the cascade does not delete.
    User.objects.select_for_update().filter(pk=instance.pk).values_list("pk").first()
    ratings = Rating.objects.filter(user=instance)
    # Every rating write locks its article first (ratings.services); holding these locks,
    # the user's stars cannot change between this update and the cascade.
    rated = Article.objects.filter(pk__in=ratings.values("article"))
    list(rated.select_for_update().order_by("pk").values_list("pk", flat=True))
    # Never below zero: a counter that had drifted low already is recount's to fix, and
    # must not make the deletion fail on the column's check.
    rated.update(
        rating_count=Greatest(F("rating_count") - _per_article(ratings, Count("pk")), 0),
        rating_sum=Greatest(F("rating_sum") - _per_article(ratings, Sum("stars")), 0),
    )
