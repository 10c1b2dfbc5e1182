from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from articles.models import Article
from articles.page_cache import article_page_refresh
from core.exceptions import ServiceError
from ratings.models import Rating


class RatingError(ServiceError):
    """A rating that breaks a rule."""


def _rater(user: User | None, browser_key: str | None) -> dict:
    if (user is None) == (browser_key is None):
        raise RatingError(_("A rating needs either a signed-in reader or a browser key."))
    return {"user": user} if user is not None else {"browser_key": browser_key}


def _check(article: Article, stars: object) -> None:
    # bool is an int subclass; True must not count as one star.
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise RatingError(_("Choose a whole number of stars from 1 to 5."))
    if not article.is_public:
        raise RatingError(_("This article cannot be rated."))


def _lock_article(article: Article) -> None:
    # The counter UPDATE would hold this row lock until commit anyway; taking it first
    # makes each article's ratings queue up in order, so reading the reader's old stars and
    # moving the counters by the difference cannot interleave with another request.
    Article.objects.select_for_update().filter(pk=article.pk).values_list("pk").first()


@transaction.atomic
def rating_set(
    *, article: Article, user: User | None = None, browser_key: str | None = None, stars: int
) -> tuple[Rating, int | None]:
    """Give or change one reader's rating; return it and the stars it replaced (or None).

    The article's counters move by exactly the difference, in the same transaction.
    """
    _check(article, stars)
    rater = _rater(user, browser_key)
    _lock_article(article)
    rating = Rating.objects.filter(article=article, **rater).first()
    if rating is None:
        try:
            rating = Rating.objects.create(article=article, stars=stars, **rater)
        except IntegrityError as error:
            raise RatingError(_("Your rating could not be saved. Please try again.")) from error
        Article.objects.filter(pk=article.pk).update(
            rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + stars
        )
        article_page_refresh(article_ids=[article.pk])
        return rating, None
    old = rating.stars
    if old != stars:
        rating.stars = stars
        rating.save(update_fields=["stars", "updated_at"])
        Article.objects.filter(pk=article.pk).update(rating_sum=F("rating_sum") + (stars - old))
        article_page_refresh(article_ids=[article.pk])
    return rating, old


@transaction.atomic
def rating_remove(
    *, article: Article, user: User | None = None, browser_key: str | None = None
) -> int | None:
    """Withdraw one reader's rating; return the stars removed, or None if there was none."""
    rater = _rater(user, browser_key)
    _lock_article(article)
    rating = Rating.objects.filter(article=article, **rater).first()
    if rating is None:
        return None
    rating.delete()
    Article.objects.filter(pk=article.pk).update(
        rating_count=F("rating_count") - 1, rating_sum=F("rating_sum") - rating.stars
    )
    article_page_refresh(article_ids=[article.pk])
    return rating.stars
