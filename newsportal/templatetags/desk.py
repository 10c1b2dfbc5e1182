"""The editors' dashboard on the admin index: what is going out, what waits, what is read.

Part of the admin site, at project level on purpose: it reads articles, readership and,
when installed, comments, so none of those apps has to know about the others.
"""

from datetime import datetime

from django import template
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts import roles
from articles.models import Article
from core.dates import start_of_today
from readership.charts import views_chart
from readership.most_read import most_read

register = template.Library()

MOST_READ_LIMIT = 5
SCHEDULED_LIMIT = 5
REVIEW_LIMIT = 8


def published_today(now: datetime | None = None) -> list[Article]:
    """Articles that went public since local midnight, newest first."""
    return list(
        Article.objects.published()
        .filter(published_at__gte=start_of_today(now))
        .select_related("category")
        .order_by("-published_at")
    )


def scheduled_next(
    user, limit: int = SCHEDULED_LIMIT, now: datetime | None = None
) -> list[Article]:
    """Published articles with a publish time still ahead that `user` may open, soonest
    first: an embargoed headline is news only to those who may edit it."""
    now = now or timezone.now()
    return list(
        Article.objects.editable_by(user)
        .filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .select_related("category")
        .order_by("published_at")[:limit]
    )


def waiting_in_review(user, limit: int = REVIEW_LIMIT) -> tuple[list[Article], int]:
    """Stories sent to review that `user` may open, longest waiting first, and how many.

    An editor sees the whole queue, with whose story each is; an author sees their own,
    waiting for an editor.
    """
    queue = Article.objects.editable_by(user).filter(status=Article.Status.REVIEW)
    return list(queue.with_bylines().order_by("updated_at", "id")[:limit]), queue.count()


def with_desk_links(user, *lists: list[Article]) -> None:
    """Give each article `desk_url`: its admin page if `user` may open it there, else its
    public page (the lists other than "scheduled" hold public articles only). One query."""
    ids = {article.pk for articles in lists for article in articles}
    editable = set(
        Article.objects.editable_by(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    for articles in lists:
        for article in articles:
            if article.pk in editable:
                article.desk_url = reverse("admin:articles_article_change", args=[article.pk])
            else:
                article.desk_url = article.get_absolute_url()


def pending_comment_count() -> int | None:
    """Comments waiting for moderation, or None when there is no comments app to ask."""
    if not apps.is_installed("comments"):
        return None
    try:
        Comment = apps.get_model("comments", "Comment")
    except LookupError:
        return None
    status = getattr(getattr(Comment, "Status", None), "PENDING", "pending")
    return Comment.objects.filter(status=status).count()


@register.inclusion_tag("admin/includes/dashboard.html", takes_context=True)
def desk_dashboard(context):
    """The editors' dashboard; only for people who may see articles in the admin."""
    user = context["request"].user
    if not user.has_perm("articles.view_article"):
        return {"show": False}
    now = timezone.now()
    try:
        pending_url = reverse("admin:comments_comment_changelist") + "?status__exact=pending"
    except NoReverseMatch:
        pending_url = None
    lists = {
        "published_today": published_today(now),
        "scheduled_next": scheduled_next(user, now=now),
        # Live, not the readers' cached chart: editors watch a story take off.
        "most_read": most_read(days=1, limit=MOST_READ_LIMIT, now=now),
    }
    in_review, in_review_count = waiting_in_review(user)
    with_desk_links(user, *lists.values())
    # The queue's size is for those who may open the queue.
    show_comments = user.has_perm("comments.view_comment")
    return {
        "show": True,
        "show_comments": show_comments,
        "pending_url": pending_url,
        "pending_comments": pending_comment_count() if show_comments else None,
        "site_chart": views_chart(now=now),
        "in_review": in_review,
        "in_review_count": in_review_count,
        "reviews_for_editor": roles.is_editor(user),
        "review_url": reverse("admin:articles_article_changelist") + "?status__exact=review",
        **lists,
    }
