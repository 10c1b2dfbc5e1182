import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from core.ratelimit import ratelimit
from core.responses import action_refused, log_in_first, service_refused
from ratings.forms import RatingForm
from ratings.models import Rating
from ratings.services import RatingError, rating_remove, rating_set

BROWSER_COOKIE = "np_rater"
BROWSER_COOKIE_SALT = "ratings.browser"
BROWSER_COOKIE_AGE = 365 * 24 * 3600


def anonymous_allowed() -> bool:
    return settings.RATINGS_ALLOW_ANONYMOUS


def browser_key(token: str) -> str:
    """The column value for a browser token: the cookie itself is never stored."""
    return salted_hmac("ratings.browser-key", token).hexdigest()


def _browser_token(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(BROWSER_COOKIE, default=None, salt=BROWSER_COOKIE_SALT)


def own_stars(request: HttpRequest, article: Article, token: str | None = None) -> int | None:
    """The current reader's stars for the article: one query, none for anonymous readers.

    `token` is a browser token handed out by this very response, not yet in the request.
    """
    if request.user.is_authenticated:
        rater = {"user": request.user}
    elif anonymous_allowed() and (token := token or _browser_token(request)):
        rater = {"browser_key": browser_key(token)}
    else:
        return None
    return Rating.objects.filter(article=article, **rater).values_list("stars", flat=True).first()


def star_fills(average: float | None) -> list[str]:
    """How each of the five summary stars is drawn: "full", "half" or "empty".

    The average is rounded to the nearest half star, as readers expect to see it.
    """
    halves = round((average or 0) * 2)
    return [
        "full" if halves >= 2 * n else "half" if halves == 2 * n - 1 else "empty"
        for n in range(1, 6)
    ]


def widget_context(
    request: HttpRequest,
    article: Article,
    *,
    personal: bool,
    status: str = "",
    token: str | None = None,
) -> dict:
    """Everything ratings/widget.html needs; counters come from the article row itself.

    `personal` is off on the cacheable article page for anonymous readers, so nothing
    about them (their stars, a CSRF token) is rendered into a page shared with others.
    """
    signed_in = request.user.is_authenticated
    can_rate = signed_in or (personal and anonymous_allowed())
    return {
        "article": article,
        "can_rate": can_rate,
        "own_stars": own_stars(request, article, token) if can_rate else None,
        "offer_anonymous_form": not can_rate and anonymous_allowed(),
        "star_values": range(1, 6),
        "star_fills": star_fills(article.rating_average),
        "next_url": f"{article.get_absolute_url()}#rating",
        "status": status,
    }


def _article_or_404(article_id: int) -> Article:
    return get_object_or_404(Article.objects.published(), pk=article_id)


def _rater(request: HttpRequest) -> tuple[dict | None, str | None]:
    """Who is rating, and a new browser token to hand out (anonymous ratings only)."""
    if request.user.is_authenticated:
        return {"user": request.user}, None
    if not anonymous_allowed():
        return None, None
    token = _browser_token(request)
    new_token = None
    if token is None:
        token = new_token = secrets.token_urlsafe(32)
    return {"browser_key": browser_key(token)}, new_token


def _done(
    request: HttpRequest, article: Article, message: str, new_token: str | None
) -> HttpResponse:
    if request.htmx:
        article.refresh_from_db(fields=["rating_count", "rating_sum"])
        context = widget_context(request, article, personal=True, status=message, token=new_token)
        response = render(request, "ratings/widget_update.html", context)
    else:
        messages.success(request, message)
        response = redirect(f"{article.get_absolute_url()}#rating")
    if new_token:
        response.set_signed_cookie(
            BROWSER_COOKIE,
            new_token,
            salt=BROWSER_COOKIE_SALT,
            max_age=BROWSER_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@require_POST
@ratelimit(scope="ratings", limit=30, period=60)
def rate(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(article_id)
    rater, new_token = _rater(request)
    if rater is None:
        return log_in_first(request, f"{article.get_absolute_url()}#rating", _("Log in to rate."))
    form = RatingForm(request.POST)
    if not form.is_valid():
        message = form.errors["stars"][0]
        return action_refused(request, message, back_url=f"{article.get_absolute_url()}#rating")
    stars = form.cleaned_data["stars"]
    try:
        rating_set(article=article, stars=stars, **rater)
    except RatingError as error:
        return service_refused(request, error, back_url=article.get_absolute_url())
    message = ngettext(
        "Thank you: your rating of %(stars)d star is saved.",
        "Thank you: your rating of %(stars)d stars is saved.",
        stars,
    ) % {"stars": stars}
    return _done(request, article, message, new_token)


@require_POST
@ratelimit(scope="ratings", limit=30, period=60)
def remove(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(article_id)
    rater, _new_token = _rater(request)
    if rater is None:
        return log_in_first(request, f"{article.get_absolute_url()}#rating", _("Log in to rate."))
    removed = rating_remove(article=article, **rater)
    message = _("Your rating is removed.") if removed else _("You had not rated this article.")
    return _done(request, article, message, None)


@never_cache
@require_GET
def rating_form(request: HttpRequest, article_id: int) -> HttpResponse:
    """The rating form on its own page: for anonymous raters, whose article page is cached
    without a form (htmx loads this page's widget in place)."""
    article = _article_or_404(article_id)
    if not request.user.is_authenticated and not anonymous_allowed():
        return redirect_to_login(request.get_full_path())
    context = widget_context(request, article, personal=True)
    template = "ratings/widget_update.html" if request.htmx else "ratings/rating_form.html"
    return render(request, template, context)
