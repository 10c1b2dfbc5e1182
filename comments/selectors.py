"""Reads for the comment thread on an article page, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.core.paginator import Page, Paginator
from django.db import router
from django.db.models import Count, F, Func, OuterRef, Prefetch, Q, Subquery, TextField, Window
from django.db.models.functions import MD5, Cast
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, CommenterStatus
from comments.services import can_edit, comments_state, edit_deadline

ROOT_ORDER = ("-created_at", "-id")


def _thread_digest() -> MD5:
    """md5 of every comment's id, parent, status, score, times, author's names and text's
    md5, in id order. ROW(...)::text writes NULL as nothing between commas: no two
    comments alike."""
    row = Func(
        *map(F, ("id", "parent_id", "status", "score", "created_at", "edited_at")),
        *map(F, ("deleted_at", "user__username", "user__display_name")),
        MD5("body"),
        function="ROW",
        output_field=TextField(),
    )
    return MD5(StringAgg(Cast(row, TextField()), delimiter=",", order_by="id"))


def story_thread_digest() -> Subquery:
    """`thread_version` of each story read for its page, in the story's own statement
    (articles.querysets.story_extra, registered in CommentsConfig.ready): one round trip
    fewer for every rendered article."""
    comments = Comment.objects.filter(article_id=OuterRef("pk")).order_by()
    return Subquery(comments.values("article_id").annotate(d=_thread_digest()).values("d"))


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


def counted_page(roots, page_number) -> Page:
    """`Paginator(roots).get_page(page_number)`, with the count in the first page's own
    query (each row carries COUNT(*) OVER ()) where Paginator would ask for it first: the
    page nearly every reader sees. Any other page is Paginator's (it counts, then checks the
    number, so no made-up page number reaches the database as an offset)."""
    paginator = Paginator(roots, settings.COMMENTS_PER_PAGE)
    if _page_number(page_number) != 1:
        return paginator.get_page(page_number)
    counted = roots.annotate(thread_total=Window(Count("pk")))
    rows = list(counted[: settings.COMMENTS_PER_PAGE])
    paginator.count = rows[0].thread_total if rows else 0  # a cached_property
    return Page(rows, 1, paginator)


def _page_number(value) -> int | None:
    """The page `value` asks for, as Paginator.get_page reads it (not a whole number: the
    first page); None for a number below 1, which only Paginator knows what to do with."""
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        number = int(value) if value is not None else 1
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else None


def article_thread(*, article: Article, user, page_number=None) -> Thread:
    """One page of an article's comment thread, with replies and what the viewer may do.

    Queries: none when comments are hidden or, for anonymous readers, when none are
    counted; otherwise the page with the count (the first page: see counted_page), its
    replies, and for a signed-in reader their moderation record: three at most, however
    many comments there are. (The reader's votes on `thread.comments` are the votes app's
    one query, made by its `comment_votes` tag.)
    """
    state = comments_state(article)
    thread = Thread(article=article, state=state)
    if thread.is_hidden:
        return thread
    signed_in = user is not None and user.is_authenticated
    # Anonymous readers see only counted comments (and placeholders above counted
    # replies): with none counted there is nothing to ask the database for.
    if signed_in or article.comment_count:
        thread.page = counted_page(thread_roots(article, user), page_number)
    else:
        thread.page = Paginator([], settings.COMMENTS_PER_PAGE).get_page(page_number)
    thread.comments = [c for root in thread.page for c in (root, *root.shown_replies)]
    if signed_in:
        thread.commenter = CommenterStatus.objects.filter(user=user).first()
    now = timezone.now()
    for comment in thread.comments:
        annotate_for_viewer(comment, user, now=now, thread=thread)
    return thread


def thread_version(article: Article) -> str | None:
    """A digest of everything the article's thread shows of its comments, read by
    PostgreSQL in one index scan: each comment's id, parent, status, score, times, text
    and its author's names. Any change to them (a new, approved, edited, voted or deleted
    comment, a renamed or closed account) gives a new digest, whichever code made it, so
    the thread's cached piece needs neither the comments read nor anything bumped.

    A story read for its page brings it (`thread_digest`); otherwise one query, where
    the thread itself is read (the router: a digest from the primary over a thread read
    from a lagging replica would keep the older thread under the newer key)."""
    try:
        return article.thread_digest
    except AttributeError:
        comments = Comment.objects.using(router.db_for_read(Comment))
        return comments.filter(article_id=article.pk).aggregate(d=_thread_digest())["d"]


def annotate_for_viewer(comment: Comment, user, *, now=None, thread=None):
    """What the templates need to know about the viewer and this comment, without queries."""
    signed_in = user is not None and user.is_authenticated
    is_open = thread.is_open if thread else comments_state(comment.article) == "open"
    banned = bool(thread and thread.commenter and thread.commenter.is_banned)
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


def published_comment_or_404(pk: int) -> Comment:
    """A comment on a public article, with its article and author; 404 otherwise."""
    comment = get_object_or_404(Comment.objects.select_related("article", "user"), pk=pk)
    if not comment.article.is_public:
        raise Http404
    return comment


def comments_url(*, article_id: int | None = None, pk: int | None = None) -> str | None:
    """The comment section an action is about, found by its article or by one of its
    comments (`pk`): the way back after logging in or a refusal. None if not public."""
    if article_id is not None:
        article = Article.objects.published().filter(pk=article_id).first()
    else:
        comment = Comment.objects.select_related("article").filter(pk=pk).first()
        article = comment.article if comment and comment.article.is_public else None
    return f"{article.get_absolute_url()}#comments" if article else None
