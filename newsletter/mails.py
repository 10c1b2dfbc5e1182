"""The newsletter's mails, each in plain text and HTML, with links signed for the reader.

Every mail to a subscriber carries `List-Unsubscribe` and `List-Unsubscribe-Post`
(RFC 8058), so a mail program can offer one-click unsubscribe without opening a page.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from newsletter.tokens import confirm_token, manage_token


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def manage_urls(subscriber) -> dict[str, str]:
    token = manage_token(subscriber)
    return {
        "preferences_url": absolute(reverse("newsletter:preferences", args=[token])),
        "unsubscribe_url": absolute(reverse("newsletter:unsubscribe", args=[token])),
    }


def list_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: an HTTPS one-click address, and mailto if configured."""
    targets = [f"<{unsubscribe_url}>"]
    if settings.NEWSLETTER_UNSUBSCRIBE_MAILTO:
        targets.append(f"<mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def message_build(
    *, template: str, context: dict, to: str, headers: dict | None = None
) -> EmailMultiAlternatives:
    """templates/newsletter/email/<template>_{subject,body}.txt and <template>.html."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = " ".join(
        render_to_string(f"newsletter/email/{template}_subject.txt", context).split()
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"newsletter/email/{template}_body.txt", context),
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(
        render_to_string(f"newsletter/email/{template}.html", context), "text/html"
    )
    return message


def confirmation_send(subscriber) -> None:
    confirm_url = absolute(reverse("newsletter:confirm", args=[confirm_token(subscriber)]))
    hours = settings.NEWSLETTER_CONFIRM_MAX_AGE // 3600
    message_build(
        template="confirm",
        context={"subscriber": subscriber, "confirm_url": confirm_url, "hours": hours},
        to=subscriber.email,
    ).send()


def already_subscribed_send(subscriber) -> None:
    urls = manage_urls(subscriber)
    message_build(
        template="already",
        context={"subscriber": subscriber, **urls},
        to=subscriber.email,
        headers=list_headers(urls["unsubscribe_url"]),
    ).send()


def digest_message(subscriber, digest) -> EmailMultiAlternatives:
    urls = manage_urls(subscriber)
    return message_build(
        template="digest",
        context={"subscriber": subscriber, "digest": digest, **urls},
        to=subscriber.email,
        headers=list_headers(urls["unsubscribe_url"]),
    )
