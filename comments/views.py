"""Comment actions: small POST views that call the services, then redirect back to the
comment in place (Post/Redirect/Get) or, for htmx requests, answer with a fragment."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import retarget

from articles.models import Article
from comments.forms import CommentForm, EditForm, ReportForm
from comments.models import Comment
from comments.notifications import reply_notifications_stop, stop_token_user
from comments.selectors import (
    annotate_for_viewer,
    comment_location,
    comments_url,
    published_comment_or_404,
)
from comments.services import (
    CommentError,
    can_moderate,
    comment_create,
    comment_delete,
    comment_edit,
    comment_report,
)
from core.ratelimit import ratelimit
from core.responses import action_refused, login_required_or_401, service_refused


def refusal(article: Article | None, form=None) -> dict:
    """How a comment action says no (action_refused's options): the page keeps what the
    reader wrote, so nothing is lost, and leads back to the comments."""
    return {
        "back_url": f"{article.get_absolute_url()}#comments" if article else None,
        "template": "comments/refused.html",
        "context": {"form": form},
    }


def posting_too_often(request: HttpRequest, retry_after: int, **kwargs) -> HttpResponse:
    """The 429 for comment writes, on a page that gives the reader their text back."""
    message = _("You are posting too often. Please wait %(seconds)d seconds and try again.") % {
        "seconds": retry_after
    }
    options = refusal(None, CommentForm(request.POST)) | {"back_url": comments_url(**kwargs)}
    response = action_refused(request, message, status=429, **options)
    response["Retry-After"] = str(retry_after)
    return response


# Per account and per address; RATELIMITS overrides the numbers.
limit_per_user = ratelimit(
    scope="comments-user", key="user", limit=5, period=60, refused=posting_too_often
)
limit_per_address = ratelimit(
    scope="comments-ip", key="ip", limit=20, period=600, refused=posting_too_often
)
login_first = login_required_or_401(comments_url)


def first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


def _fragment(request, template: str, comment: Comment, *, status: int = 200, **extra):
    annotate_for_viewer(comment, request.user)
    context = {"comment": comment, "article": comment.article, **extra}
    return _with_count(render(request, template, context, status=status), comment.article_id)


def _with_count(response: HttpResponse, article_id: int) -> HttpResponse:
    """Add the article's fresh comment count, which htmx swaps into the heading."""
    count = Article.objects.values_list("comment_count", flat=True).get(pk=article_id)
    response.content += format_html(
        '<span class="comments__count" id="comments-count" data-hx-swap-oob="true">({})</span>',
        count,
    ).encode()
    return response


@require_POST
@login_first
@limit_per_user
@limit_per_address
def create(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return action_refused(request, first_error(form), **refusal(article, form))
    parent = None
    if form.cleaned_data["parent"]:
        parent = (
            Comment.objects.select_related("parent")
            .filter(pk=form.cleaned_data["parent"], article=article)
            .first()
        )
        if parent is None:
            message = _("The comment you replied to is not there any more.")
            return action_refused(request, message, **refusal(article, form))
    try:
        comment = comment_create(
            article=article, user=request.user, body=form.cleaned_data["body"], parent=parent
        )
    except CommentError as error:
        return service_refused(request, error, **refusal(article, form))
    if request.htmx:
        template = (
            "comments/_reply_item.html" if comment.parent_id else "comments/_thread_item.html"
        )
        return _fragment(request, template, comment, status=201)
    if comment.status == Comment.Status.PENDING:
        messages.info(
            request, _("Thank you. Your comment will appear once a moderator approves it.")
        )
    else:
        messages.success(request, _("Your comment is posted."))
    return redirect(comment_location(comment))


@require_POST
@login_first
@limit_per_user
@limit_per_address
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = published_comment_or_404(pk)
    form = EditForm(request.POST)
    if not form.is_valid():
        return action_refused(request, first_error(form), **refusal(comment.article, form))
    try:
        comment = comment_edit(comment=comment, user=request.user, body=form.cleaned_data["body"])
    except CommentError as error:
        return service_refused(request, error, **refusal(comment.article, form))
    if request.htmx:
        return _fragment(request, "comments/_comment.html", comment)
    if comment.status == Comment.Status.PENDING:
        messages.info(request, _("Your comment is updated and waits for a moderator."))
    else:
        messages.success(request, _("Your comment is updated."))
    return redirect(comment_location(comment))


@require_POST
@login_first
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = published_comment_or_404(pk)
    try:
        comment = comment_delete(comment=comment, user=request.user)
    except CommentError as error:
        return service_refused(request, error, **refusal(comment.article))
    keeps_placeholder = (
        comment.parent_id is None
        and Comment.objects.visible_to(None).filter(parent=comment, deleted_at=None).exists()
    )
    if request.htmx:
        if keeps_placeholder:
            return _fragment(request, "comments/_comment.html", comment)
        # Nothing left to show: the whole thread item goes.
        return _with_count(retarget(HttpResponse(""), f"#item-{comment.pk}"), comment.article_id)
    messages.success(request, _("Your comment is deleted."))
    if keeps_placeholder:
        return redirect(comment_location(comment))
    return redirect(f"{comment.article.get_absolute_url()}#comments")


@require_POST
@login_first
@ratelimit(scope="comment-reports", limit=20, period=3600, key="user")
def report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = published_comment_or_404(pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return action_refused(request, first_error(form), **refusal(comment.article))
    try:
        created = comment_report(
            comment=comment, user=request.user, reason=form.cleaned_data["reason"]
        )
    except CommentError as error:
        return service_refused(request, error, **refusal(comment.article))
    if created:
        message = _("Thank you for the report. A moderator will look at the comment.")
    else:
        message = _("You have already reported this comment.")
    if request.htmx:
        return HttpResponse(
            format_html('<p class="comment__reported" role="status">{}</p>', message)
        )
    messages.info(request, message)
    comment.refresh_from_db(fields=["status"])
    if comment.is_counted:
        return redirect(comment_location(comment))
    return redirect(f"{comment.article.get_absolute_url()}#comments")


@require_GET
def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment's stable address: redirects to the thread page that shows it now."""
    comment = published_comment_or_404(pk)
    # Moderators follow it from the admin whatever the status, to judge it in context.
    shown = (
        comment.is_counted
        or (comment.status == Comment.Status.PENDING and comment.user_id == request.user.pk)
        or can_moderate(request.user)
    )
    if not shown:
        raise Http404
    return redirect(comment_location(comment))


@csrf_exempt  # RFC 8058 one-click: mail programs POST without cookies; the signed URL is the key.
@require_http_methods(["GET", "POST"])
def replies_stop(request: HttpRequest, token: str) -> HttpResponse:
    """Stop the reply e-mails from a link in one; a GET only shows the button."""
    user = stop_token_user(token)
    if user is None:
        raise Http404(_("This link is not valid."))
    stopped = request.method == "POST"
    if stopped:
        reply_notifications_stop(user=user)
    return render(request, "comments/replies_stop.html", {"token": token, "stopped": stopped})
