"""Every write to a subscription: the views, the admin, the commands and the tests call these.

Double opt-in: `subscription_request` never makes an address receive anything but one mail
with a signed link; only `subscription_confirm` (the reader following it) turns it on. The
answer to the person asking is the same whether the address was new, waiting or confirmed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ServiceError
from newsletter import mails
from newsletter.models import Subscriber
from newsletter.tokens import BadToken, confirm_token_read, manage_token_read

Status = Subscriber.Status


class NewsletterError(ServiceError):
    """A newsletter rule refused the action."""


class LinkInvalid(NewsletterError):
    status_code = 400


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _locked(email: str) -> Subscriber | None:
    return Subscriber.objects.select_for_update().filter(email=normalise_email(email)).first()


@transaction.atomic
def subscription_request(
    *, email: str, frequency: str, sections: Iterable = (), user=None
) -> Subscriber:
    """Someone asks for the digest at `email`: mail a confirmation link (or, if the address
    already receives it, a link to its preferences). Nothing is sent to it otherwise."""
    subscriber = _locked(email)
    if subscriber is None:
        subscriber = Subscriber.objects.create(
            email=normalise_email(email), frequency=frequency, user=user
        )
        subscriber.sections.set(sections)
    elif subscriber.status != Status.CONFIRMED:
        # Not yet receiving: the new choices replace the old, still unconfirmed, ones.
        subscriber.frequency = frequency
        subscriber.save(update_fields=["frequency"])
        subscriber.sections.set(sections)
    if subscriber.status == Status.CONFIRMED:
        transaction.on_commit(lambda: mails.already_subscribed_send(subscriber), robust=True)
    else:
        transaction.on_commit(lambda: mails.confirmation_send(subscriber), robust=True)
    return subscriber


def _from_token(token: str, reader) -> Subscriber:
    try:
        pk, email = reader(token)
    except BadToken:
        raise LinkInvalid(
            _("This link has expired or is not valid. Please subscribe again.")
        ) from None
    subscriber = Subscriber.objects.select_for_update().filter(pk=pk, email=email).first()
    if subscriber is None:
        raise LinkInvalid(_("This link has expired or is not valid. Please subscribe again."))
    return subscriber


def subscriber_for_link(token: str) -> Subscriber:
    """The subscriber a manage link (preferences, unsubscribe) belongs to."""
    try:
        pk, email = manage_token_read(token)
    except BadToken:
        raise LinkInvalid(_("This link is not valid.")) from None
    subscriber = Subscriber.objects.filter(pk=pk, email=email).first()
    if subscriber is None:
        raise LinkInvalid(_("This link is not valid."))
    return subscriber


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscriber:
    """The reader followed the link in the confirmation mail: the digest starts."""
    subscriber = _from_token(token, confirm_token_read)
    if subscriber.status != Status.CONFIRMED:
        subscriber.status = Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.bounced_at = None
        subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "bounced_at"])
    return subscriber


@transaction.atomic
def subscription_update(*, subscriber: Subscriber, frequency: str, sections: Iterable) -> None:
    """New sections and frequency from the preferences page or the profile."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    subscriber.frequency = frequency
    subscriber.save(update_fields=["frequency"])
    subscriber.sections.set(sections)


@transaction.atomic
def subscription_cancel(*, subscriber: Subscriber) -> bool:
    """Unsubscribe (the one-click header, the link, the profile). False if it already was."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status in (Status.UNSUBSCRIBED, Status.BOUNCED):
        return False
    subscriber.status = Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.save(update_fields=["status", "unsubscribed_at"])
    return True


@transaction.atomic
def subscriber_bounce(*, email: str) -> bool:
    """The mail server says the address does not take mail: stop sending to it.

    False if there is no such subscriber (the hook may report addresses we never had).
    """
    subscriber = _locked(email)
    if subscriber is None:
        return False
    subscriber.status = Status.BOUNCED
    subscriber.bounced_at = timezone.now()
    subscriber.save(update_fields=["status", "bounced_at"])
    return True
