from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class Rating(models.Model):
    """One reader's 1–5 star rating of one article.

    A rating belongs to a signed-in user, or (when RATINGS_ALLOW_ANONYMOUS is on) to one
    browser, identified by a keyed hash of a random token kept in a signed cookie.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ratings",
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    # NULL, not "", for signed-in raters: NULLs never collide in rating_one_per_browser.
    browser_key = models.CharField(  # noqa: DJ001
        _("browser key"),
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        help_text=_("A keyed hash identifying an anonymous reader's browser; not an address."),
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(_("rated"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="rating_one_per_user"),
            models.UniqueConstraint(
                fields=["article", "browser_key"], name="rating_one_per_browser"
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_1_5"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False, browser_key__isnull=True)
                | Q(user__isnull=True, browser_key__isnull=False),
                name="rating_user_xor_browser",
            ),
        ]

    def __str__(self):
        return f"{self.stars}★ {self.article_id} by {self.user_id or 'anonymous'}"
