"""Every write to comments goes through these functions: views, the admin and tests alike.

`Article.comment_count` counts approved, non-deleted comments. Each function that can
change whether a comment counts locks the comment row, compares before and after, and moves
the article's counter with F() in the same transaction, so the count is exact however many
requests run at once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import urlize
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from articles.models import Article
from articles.page_cache import article_page_refresh
from comments.models import Comment, CommenterStatus, Report
from comments.notifications import reply_notify
from core.exceptions import ServiceError

Status = Comment.Status


class CommentError(ServiceError):
    """A comment rule refused the action."""


class CommentForbidden(CommentError):
    status_code = 403


class CommentDuplicate(CommentError):
    status_code = 409


def comments_state(article: Article, *, now=None) -> str:
    """Open, closed or hidden: the article's own setting, closed by age when configured."""
    if article.comments_mode != Article.Comments.OPEN:
        return article.comments_mode
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days and article.published_at:
        if (now or timezone.now()) >= article.published_at + timedelta(days=days):
            return Article.Comments.CLOSED
    return Article.Comments.OPEN


def link_count(body: str) -> int:
    """How many links the comment will show: exactly what `urlize` makes clickable."""
    return len(re.findall(r"<a ", urlize(body, autoescape=True)))


def normalise_body(body: str | None) -> str:
    """One kind of line ending, no space around the text."""
    return (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def clean_body(body: str) -> str:
    """Normalise the text (normalise_body); refuse empty and over-long text."""
    body = normalise_body(body)
    if not body:
        raise CommentError(_("Write something before posting."))
    limit = settings.COMMENTS_MAX_LENGTH
    if len(body) > limit:
        raise CommentError(
            ngettext(
                "Comments can be at most %(limit)d character long; yours has %(length)d.",
                "Comments can be at most %(limit)d characters long; yours has %(length)d.",
                limit,
            )
            % {"limit": limit, "length": len(body)}
        )
    return body


def can_moderate(user) -> bool:
    # is_staff first: readers are never moderators, and it costs no permission queries.
    return bool(
        user
        and user.is_authenticated
        and user.is_staff
        and user.has_perm("comments.change_comment")
    )


def _check_open(article: Article) -> None:
    if not article.is_public:
        raise CommentForbidden(_("This article is not published."))
    state = comments_state(article)
    if state == Article.Comments.HIDDEN:
        raise CommentForbidden(_("Comments are switched off on this article."))
    if state == Article.Comments.CLOSED:
        raise CommentForbidden(_("Comments are closed on this article."))


def _commenter_locked(user: User) -> CommenterStatus:
    """The user's moderation record, locked: one comment write per user at a time.

    Serialising a user's writes makes the duplicate check and the first-comment rule
    exact even when the same form is sent twice at once.
    """
    # The account's row first: a deletion under way finishes before we look (foreign keys
    # are checked only at commit, so a comment by a deleted account would fail there).
    if not User.objects.select_for_update().filter(pk=user.pk).exists():
        raise CommentForbidden(_("This account no longer exists."))
    CommenterStatus.objects.get_or_create(user=user)
    return CommenterStatus.objects.select_for_update().get(user=user)


def _move_counts(deltas: Counter) -> None:
    # Ascending article ids: two bulk moderations cannot deadlock on each other.
    for article_id in sorted(deltas):
        if deltas[article_id]:
            Article.objects.filter(pk=article_id).update(
                comment_count=F("comment_count") + deltas[article_id]
            )


def _needs_review(*, user: User, commenter: CommenterStatus, body: str) -> bool:
    if commenter.is_trusted or can_moderate(user):
        return False
    if link_count(body) > settings.COMMENTS_MAX_LINKS:
        return True
    first_comment = not Comment.objects.filter(user=user, status=Status.APPROVED).exists()
    return first_comment


@transaction.atomic
def comment_create(
    *, article: Article, user: User, body: str, parent: Comment | None = None
) -> Comment:
    """Post a comment or a reply; it is approved at once or waits for a moderator.

    Replies to a reply join the thread of the top-level comment: threads are one level deep.
    """
    _check_open(article)
    body = clean_body(body)
    if parent is not None:
        if parent.parent_id is not None:
            parent = parent.parent
        if parent.article_id != article.pk or not parent.is_counted:
            raise CommentError(_("You can only reply to a comment that is shown on the page."))
    commenter = _commenter_locked(user)
    if commenter.is_banned:
        raise CommentForbidden(_("Your account cannot post comments."))
    window = timezone.now() - timedelta(minutes=settings.COMMENTS_DUPLICATE_MINUTES)
    if Comment.objects.filter(
        user=user, article=article, body=body, created_at__gte=window, deleted_at__isnull=True
    ).exists():
        raise CommentDuplicate(_("You have already posted this comment here."))
    pending = _needs_review(user=user, commenter=commenter, body=body)
    comment = Comment.objects.create(
        article=article,
        user=user,
        parent=parent,
        body=body,
        status=Status.PENDING if pending else Status.APPROVED,
    )
    if comment.is_counted:
        _move_counts(Counter({article.pk: 1}))
        article_page_refresh(article_ids=[article.pk])
        reply_notify(comment)
    return comment


def _lock(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().select_related("article").get(pk=comment.pk)


def edit_deadline(comment: Comment):
    return comment.created_at + timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)


def can_edit(comment: Comment, user, *, now=None) -> bool:
    """May `user` still edit `comment`? (Says nothing about the article being open.)"""
    return (
        user is not None
        and user.is_authenticated
        and comment.user_id == user.pk
        and comment.deleted_at is None
        and comment.status in (Status.APPROVED, Status.PENDING)
        and (now or timezone.now()) < edit_deadline(comment)
    )


@transaction.atomic
def comment_edit(*, comment: Comment, user: User, body: str) -> Comment:
    """The author changes their text within the edit window; the comment shows "edited".

    An edit that adds too many links goes back to the moderation queue.
    """
    comment = _lock(comment)
    if comment.user_id != user.pk:
        raise CommentForbidden(_("You can only edit your own comments."))
    if not can_edit(comment, user):
        raise CommentForbidden(
            ngettext(
                "Comments can only be edited for %(minutes)d minute after posting.",
                "Comments can only be edited for %(minutes)d minutes after posting.",
                settings.COMMENTS_EDIT_MINUTES,
            )
            % {"minutes": settings.COMMENTS_EDIT_MINUTES}
        )
    _check_open(comment.article)
    body = clean_body(body)
    commenter = _commenter_locked(user)
    if commenter.is_banned:
        raise CommentForbidden(_("Your account cannot post comments."))
    if body == comment.body:
        return comment
    was_counted = comment.is_counted
    too_many_links = link_count(body) > settings.COMMENTS_MAX_LINKS
    if too_many_links and not (commenter.is_trusted or can_moderate(user)):
        comment.status = Status.PENDING
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at", "status"])
    _move_counts(Counter({comment.article_id: int(comment.is_counted) - int(was_counted)}))
    if was_counted or comment.is_counted:
        article_page_refresh(article_ids=[comment.article_id])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user: User) -> Comment:
    """The author deletes their comment. Its text goes; the row stays as a placeholder
    ("Comment deleted") for threads with replies and is not shown otherwise."""
    comment = _lock(comment)
    if comment.user_id != user.pk:
        raise CommentForbidden(_("You can only delete your own comments."))
    if comment.deleted_at is not None:
        return comment
    was_counted = comment.is_counted
    comment.deleted_at = timezone.now()
    comment.body = ""
    comment.save(update_fields=["deleted_at", "body"])
    _move_counts(Counter({comment.article_id: -int(was_counted)}))
    if was_counted:
        article_page_refresh(article_ids=[comment.article_id])
    return comment


@transaction.atomic
def comment_report(*, comment: Comment, user: User, reason: str) -> bool:
    """A reader flags someone else's comment. Returns False if they already had.

    Enough reports (COMMENTS_REPORTS_TO_QUEUE) take an approved comment off the page and
    back into the moderation queue until a moderator decides.
    """
    if reason not in Report.Reason.values:
        raise CommentError(_("Choose a reason for the report."))
    if comment.user_id == user.pk:
        raise CommentForbidden(_("You cannot report your own comment."))
    if not comment.is_counted:
        raise CommentError(_("This comment is not shown on the page."))
    try:
        with transaction.atomic():
            Report.objects.create(comment=comment, user=user, reason=reason)
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    reports = Comment.objects.values_list("report_count", flat=True).get(pk=comment.pk)
    threshold = settings.COMMENTS_REPORTS_TO_QUEUE
    if threshold and reports >= threshold:
        comment_moderate(comments=[comment], status=Status.PENDING, moderator=None)
    return True


@transaction.atomic
def comment_moderate(*, comments: Iterable[Comment], status: str, moderator: User | None) -> int:
    """Approve, hide, mark as spam (or send back to the queue) any number of comments.

    Returns how many changed status.
    """
    if status not in Status.values:
        raise CommentError(_("Unknown comment status “%(status)s”.") % {"status": status})
    if isinstance(comments, QuerySet):
        ids = list(comments.values_list("pk", flat=True))
    else:
        ids = [c.pk for c in comments]
    # Locked in id order so that two moderators' bulk actions cannot deadlock.
    locked = list(Comment.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    changed = [c for c in locked if c.status != status]
    deltas: Counter = Counter()
    shown_now = []
    for comment in changed:
        before = comment.is_counted
        comment.status = status
        deltas[comment.article_id] += int(comment.is_counted) - int(before)
        if comment.is_counted and not before:
            shown_now.append(comment)
    Comment.objects.filter(pk__in=[c.pk for c in changed]).update(
        status=status, moderated_at=timezone.now(), moderated_by=moderator
    )
    _move_counts(deltas)
    # Only comments that appeared or went change what readers see.
    shown_changed = [article_id for article_id, delta in deltas.items() if delta]
    if shown_changed:
        article_page_refresh(article_ids=shown_changed)
    for comment in shown_now:
        # A held reply reaches its thread's author only now, when readers can see it.
        reply_notify(comment)
    return len(changed)


@transaction.atomic
def comment_import(
    *,
    article: Article,
    user: User | None,
    body: str,
    parent: Comment | None = None,
    created_at: datetime | None = None,
    existing: Comment | None = None,
    counted: bool = True,
) -> Comment:
    """Bring in a comment another site already published (the WordPress importer).

    The live rules (open or closed, the queue, duplicates, bans, length) are for readers
    posting now; an imported comment was approved over there, so it arrives approved and
    counted once. With `existing` (what an earlier import made) its text, thread and date are
    updated but never its status: a moderator's hide or spam decision here wins over the
    other site's "approved", and as whether it counts cannot change, neither does the
    article's counter. `user` is only used for a new comment. A comment its author deleted
    here stays deleted.

    With `counted=False` the article's counter is left alone and the caller must call
    `comments_recount` for the article before its transaction ends: a bulk import sets
    each counter once, instead of rewriting the article's wide row once per comment.
    """
    body = normalise_body(body)
    if not body:
        raise CommentError(_("An imported comment needs some text."))
    if parent is not None:
        if parent.parent_id is not None:
            parent = parent.parent
        if parent.article_id != article.pk:
            raise CommentError(_("A reply must be on the same article as its thread."))
    if existing is None:
        comment = Comment.objects.create(
            article=article, user=user, parent=parent, body=body, status=Status.APPROVED
        )
        if counted:
            _move_counts(Counter({article.pk: 1}))
    else:
        comment = _lock(existing)
        if comment.article_id != article.pk:
            raise CommentError(_("An imported comment cannot move to another article."))
        if comment.deleted_at is not None:
            return comment
        if parent is not None and parent.pk == comment.pk:
            raise CommentError(_("A comment cannot reply to itself or to its own replies."))
        comment.parent = parent
        comment.body = body
        comment.save(update_fields=["parent", "body"])
        if parent is not None:
            # Threads are one level deep: its replies follow it into the thread it joins.
            Comment.objects.filter(parent=comment).update(parent=parent)
    if created_at is not None:
        # created_at is auto_now_add, which save() would overwrite.
        Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
        comment.created_at = created_at
    return comment


@dataclass(frozen=True)
class ImportedComment:
    """A comment for `comments_import`; `parent` is the position of the earlier one in the
    same list that it answers."""

    user: User
    body: str
    created_at: datetime
    parent: int | None = None


@transaction.atomic
def comments_import(*, article: Article, comments: list[ImportedComment]) -> list[Comment]:
    """Bring in new comments of `article` that another site already published, in three
    statements however many there are (the WordPress importer, on a post it has not seen).

    Each is what `comment_import(counted=False)` would make of it: approved, dated as
    given, a reply to a reply joining its thread. Parents come before their replies.
    Returns the saved comments in the order given. The article's counter is left to the
    caller: set with the article's row, or with `comments_recount`.
    """
    rows: list[Comment] = []
    for entry in comments:
        body = normalise_body(entry.body)
        if not body:
            raise CommentError(_("An imported comment needs some text."))
        parent = None
        if entry.parent is not None:
            if not 0 <= entry.parent < len(rows):
                raise CommentError(_("A reply must come after the comment it answers."))
            # Threads are one level deep.
            parent = rows[entry.parent].parent or rows[entry.parent]
        rows.append(
            Comment(
                article=article, user=entry.user, parent=parent, body=body, status=Status.APPROVED
            )
        )
    # Threads first, then their replies, which need the threads' ids.
    Comment.objects.bulk_create([row for row in rows if row.parent is None])
    Comment.objects.bulk_create([row for row in rows if row.parent is not None])
    _created_at_set(rows, [entry.created_at for entry in comments])
    return rows


def _created_at_set(rows: list[Comment], moments: list[datetime]) -> None:
    """created_at is auto_now_add, which every INSERT through the ORM stamps with now."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE comments_comment SET created_at = dated.created_at "
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS dated(id, created_at) "
            "WHERE comments_comment.id = dated.id",
            [[row.pk for row in rows], moments],
        )
    for row, moment in zip(rows, moments, strict=True):
        row.created_at = moment


def comments_recount(*, article_ids: Iterable[int]) -> None:
    """Set these articles' comment counters from their comments, in one UPDATE (after
    `comment_import(counted=False)`)."""
    truth = Coalesce(Subquery(_counted_per_article()), 0)
    Article.objects.filter(pk__in=sorted(set(article_ids))).update(comment_count=truth)


def _counted_per_article():
    counted = Comment.objects.counted().filter(article=OuterRef("pk")).order_by()
    return counted.values("article").annotate(n=Count("pk")).values("n")


def _set_commenter(*, user: User, moderator: User | None, note: str, **flags) -> CommenterStatus:
    commenter = _commenter_locked(user)
    for name, value in flags.items():
        setattr(commenter, name, value)
    commenter.changed_by = moderator
    if note:
        commenter.note = note
    commenter.save()
    return commenter


@transaction.atomic
def commenter_ban(
    *, user: User, moderator: User | None = None, banned: bool = True, note: str = ""
) -> CommenterStatus:
    """Stop (or, with banned=False, allow again) a user commenting and voting on comments.

    Their existing comments stay as they are; hide them with `comment_moderate`.
    """
    flags = {"is_banned": banned}
    if banned:
        flags["is_trusted"] = False
    return _set_commenter(user=user, moderator=moderator, note=note, **flags)


@transaction.atomic
def commenter_trust(
    *, user: User, moderator: User | None = None, trusted: bool = True, note: str = ""
) -> CommenterStatus:
    """Let a user's comments skip the moderation queue (or, with trusted=False, not)."""
    flags = {"is_trusted": trusted}
    if trusted:
        flags["is_banned"] = False
    return _set_commenter(user=user, moderator=moderator, note=note, **flags)
