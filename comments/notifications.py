"""E-mail to a comment's author when a reply to it is shown (opt-in: `User.notify_replies`).

Sent when the reply becomes visible: at once if it needs no review, else when a moderator
approves it. Never for a reply of one's own, never twice for one reply, and never more than
one mail per thread per recipient in COMMENTS_REPLY_MAIL_SECONDS: the sent mails are
recorded in `ReplyNotice`, checked under a lock per (recipient, thread) so two replies at
once cannot both pass. The mail goes once the transaction commits.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from comments.models import Comment, ReplyNotice

logger = logging.getLogger(__name__)

STOP_SALT = "comments.reply-mail-stop"


def stop_token(user: User) -> str:
    return signing.dumps(user.pk, salt=STOP_SALT)


def stop_token_user(token: str) -> User | None:
    try:
        pk = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk).first()


def reply_notifications_stop(*, user: User) -> None:
    """The one-click stop in a reply mail (and its List-Unsubscribe header)."""
    User.objects.filter(pk=user.pk).update(notify_replies=False)


def _lock(recipient_id: int, thread_id: int) -> None:
    with connection.cursor() as cursor:
        # Held to the end of the transaction; other threads and recipients are not blocked.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [recipient_id, thread_id])


def reply_notify(reply: Comment) -> bool:
    """Mail the thread's author about `reply`, if the rules allow; True if a mail is queued.

    Call inside the transaction that makes the reply visible.
    """
    if reply.parent_id is None or not reply.is_counted:
        return False
    thread = Comment.objects.select_related("user", "article").get(pk=reply.parent_id)
    recipient = thread.user
    if (
        recipient is None
        or not recipient.notify_replies
        or not recipient.email
        or not recipient.is_active
        or recipient.pk == reply.user_id
        or thread.deleted_at is not None
    ):
        return False
    _lock(recipient.pk, thread.pk)
    now = timezone.now()
    window = now - timedelta(seconds=settings.COMMENTS_REPLY_MAIL_SECONDS)
    if ReplyNotice.objects.filter(recipient=recipient, thread=thread, sent_at__gt=window).exists():
        return False
    try:
        with transaction.atomic():
            ReplyNotice.objects.create(
                recipient=recipient, thread=thread, reply=reply, sent_at=now
            )
    except IntegrityError:
        return False  # Already mailed about this very reply (approved, hidden, approved again).
    message = _reply_message(recipient=recipient, thread=thread, reply=reply)
    transaction.on_commit(message.send, robust=True)
    return True


def _reply_message(*, recipient: User, thread: Comment, reply: Comment) -> EmailMultiAlternatives:
    stop_url = settings.SITE_URL + reverse("comments:replies-stop", args=[stop_token(recipient)])
    context = {
        "site_name": settings.SITE_NAME,
        "recipient": recipient,
        "thread": thread,
        "reply": reply,
        "reply_url": settings.SITE_URL + reply.get_absolute_url(),
        "stop_url": stop_url,
    }
    subject = " ".join(render_to_string("comments/email/reply_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string("comments/email/reply_body.txt", context),
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("comments/email/reply.html", context), "text/html")
    return message
