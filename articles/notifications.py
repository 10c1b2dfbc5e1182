"""E-mails to an article's authors when the desk publishes, schedules or sends it back.

Sent once the transaction commits, so a rolled-back save never mails anyone, and through
Django's e-mail backend (EMAIL_BACKEND), so tests read them from mail.outbox.
"""

import logging
from enum import StrEnum

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Author

logger = logging.getLogger(__name__)


class Event(StrEnum):
    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    SENT_BACK = "sent_back"


def authors_notify(*, article, event: Event, note: str = "", actor=None) -> None:
    """Tell the article's authors (with an account and an address) what the desk did.

    The person who did it is not told about their own action.
    """
    authors = Author.objects.filter(pk__in=article.bylines.values("author")).select_related("user")
    recipients = sorted(
        {
            author.user.email
            for author in authors
            if author.user and author.user.email and author.user != actor
        }
    )
    if not recipients:
        return
    context = {
        "article": article,
        "event": str(event),
        "note": note.strip(),
        "actor": actor,
        "site_name": settings.SITE_NAME,
        "public_url": settings.SITE_URL + article.get_absolute_url(),
        "desk_url": settings.SITE_URL
        + reverse("admin:articles_article_change", args=[article.pk]),
    }
    subject = " ".join(render_to_string("articles/email/status_subject.txt", context).split())
    body = render_to_string("articles/email/status_body.txt", context)

    def send():
        send_mail(f"[{settings.SITE_NAME}] {subject}", body, None, recipients)

    # robust: a mail server that is down is logged, and the editor's save still stands.
    transaction.on_commit(send, robust=True)
