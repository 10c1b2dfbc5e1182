"""Opaque cursors for keyset pagination: where the last page ended, not how far in it was.

A cursor names the last item a client was given (for articles its publish time and id, for
authors and tags their slug). The next page starts strictly after it, so stories published
while a client walks the list neither repeat nor push others off a page, as offsets would.
The encoding (URL-safe base64 of a JSON list) is ours to change: clients pass it back as is.
"""

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

# No cursor we make is near this long; anything longer is refused before it is decoded.
MAX_CURSOR_LENGTH = 400
MAX_ID = 2**63 - 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class BadCursor(ValueError):
    """The cursor is not one this API gave out."""

    def __init__(self):
        super().__init__(_("The cursor is not one this API gave out; start again without it."))


def encode(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> list:
    if len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise BadCursor
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode())
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadCursor from error
    if not isinstance(values, list):
        raise BadCursor
    return values


def position_encode(published_at: datetime, pk: int) -> str:
    """The cursor after a story: its publish time in microseconds since 1970, and its id."""
    # Whole numbers throughout: a float of seconds would lose the microseconds.
    return encode([(published_at - EPOCH) // MICROSECOND, pk])


def position_decode(cursor: str) -> tuple[datetime, int]:
    values = decode(cursor)
    if len(values) != 2 or not all(type(value) is int for value in values):
        raise BadCursor
    micros, pk = values
    if not 1 <= pk <= MAX_ID:
        raise BadCursor
    try:
        published_at = EPOCH + micros * MICROSECOND
    except OverflowError as error:
        raise BadCursor from error
    return published_at, pk


def slug_encode(slug: str) -> str:
    return encode([slug])


def slug_decode(cursor: str) -> str:
    values = decode(cursor)
    if len(values) != 1 or not isinstance(values[0], str) or "\x00" in values[0]:
        raise BadCursor
    return values[0]
