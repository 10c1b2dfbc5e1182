"""Signed links in the newsletter's mails: confirm, manage (preferences, unsubscribe).

Signed with SECRET_KEY and a salt per purpose, so a token for one job never opens another.
The confirmation link expires (NEWSLETTER_CONFIRM_MAX_AGE); the manage link does not, because
an unsubscribe link in a mail from last year must still work. Both carry the address, so a
link stops working when the row behind it now holds another address.
"""

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.confirm"
MANAGE_SALT = "newsletter.manage"


class BadToken(Exception):
    """Expired, tampered with, or for an address that is no longer that row's."""


def _dump(subscriber, salt: str) -> str:
    return signing.dumps([subscriber.pk, subscriber.email], salt=salt, compress=True)


def _load(token: str, salt: str, max_age=None) -> tuple[int, str]:
    try:
        pk, email = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadToken(str(error)) from error
    return int(pk), str(email)


def confirm_token(subscriber) -> str:
    return _dump(subscriber, CONFIRM_SALT)


def confirm_token_read(token: str) -> tuple[int, str]:
    return _load(token, CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE)


def manage_token(subscriber) -> str:
    return _dump(subscriber, MANAGE_SALT)


def manage_token_read(token: str) -> tuple[int, str]:
    return _load(token, MANAGE_SALT)
