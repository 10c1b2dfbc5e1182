"""Reads for the comment thread on an article page, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, CommenterStatus
from comments.services import can_edit, comments_state, edit_deadline
from votes.models import Vote

ROOT_ORDER = ("-created_at", "-id")


@dataclass
class Thread:
    article: Article
    state: str
    page: Page | None = None
    commenter: CommenterStatus | None = None
    comments: list[Comment] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state == Article.Comments.OPEN

    @property
    def is_hidden(self) -> bool:
        return self.state == Article.Comments.HIDDEN

    @property
    def can_post(self) -> bool:
        return self.is_open and not (self.commenter and self.commenter.is_banned)


def thread_roots(article: Article, user) -> list:
    replies = (
        Comment.objects.visible_to(user)
        .filter(deleted_at__isnull=True)
        .select_related("user")
        .order_by("created_at", "id")
    )
    return (
        Comment.objects.thread_roots(user)
        .filter(article=article)
        .select_related("user")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="shown_replies"))
        .order_by(*ROOT_ORDER)
    )


def article_thread(*, article: Article, user, page_number=None) -> Thread:
    """One page of an article's comment thread, with replies and the viewer's votes.

    Queries: none when comments are hidden; otherwise a count, the page, its replies, and
    for a signed-in reader their votes and moderation record: five at most, however many
    comments there are.
    """
    state = comments_state(article)
    thread = Thread(article=article, state=state)
    if thread.is_hidden:
        return thread
    signed_in = user is not None and user.is_authenticated
    paginator = Paginator(thread_roots(article, user), settings.COMMENTS_PER_PAGE)
    thread.page = paginator.get_page(page_number)
    thread.comments = [c for root in thread.page for c in (root, *root.shown_replies)]
    votes = {}
    if signed_in:
        thread.commenter = CommenterStatus.objects.filter(user=user).first()
        if thread.comments:
            votes = dict(
                Vote.objects.filter(user=user, comment__in=thread.comments).values_list(
                    "comment_id", "value"
                )
            )
    now = timezone.now()
    for comment in thread.comments:
        annotate_for_viewer(comment, user, vote=votes.get(comment.pk, 0), now=now, thread=thread)
    return thread


def annotate_for_viewer(comment: Comment, user, *, vote: int = 0, now=None, thread=None):
    """What the templates need to know about the viewer and this comment, without queries."""
    signed_in = user is not None and user.is_authenticated
    is_open = thread.is_open if thread else comments_state(comment.article) == "open"
    banned = bool(thread and thread.commenter and thread.commenter.is_banned)
    comment.my_vote = vote
    comment.is_mine = signed_in and comment.user_id == user.pk
    comment.can_edit = is_open and not banned and can_edit(comment, user, now=now)
    comment.edit_until = edit_deadline(comment)
    comment.can_vote = signed_in and not banned and not comment.is_mine and comment.is_counted
    comment.can_reply = (
        signed_in and is_open and not banned and comment.parent_id is None and comment.is_counted
    )
    comment.can_report = signed_in and not comment.is_mine and comment.is_counted
    return comment


def comment_page_number(comment: Comment) -> int:
    """The page of the public thread that shows this comment (or its top-level comment)."""
    root = comment.parent if comment.parent_id else comment
    newer = (
        Comment.objects.thread_roots(None)
        .filter(article_id=comment.article_id)
        .filter(Q(created_at__gt=root.created_at) | Q(created_at=root.created_at, id__gt=root.id))
        .count()
    )
    return newer // settings.COMMENTS_PER_PAGE + 1


def comment_location(comment: Comment) -> str:
    """The comment in place: its article's address, thread page and anchor."""
    page = comment_page_number(comment)
    query = f"?cpage={page}" if page > 1 else ""
    return f"{comment.article.get_absolute_url()}{query}#{comment.anchor}"
