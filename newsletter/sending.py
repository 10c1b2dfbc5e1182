"""Sending an edition of the digest to everyone due, in batches, at most once each.

For each subscriber the run first claims the (subscriber, edition) row in its own committed
transaction, then sends, then marks it sent. A run that crashes between the two leaves the
claim behind, and the next run skips it: a reader may miss one digest, never get it twice.
A mail the server refuses is marked failed and tried again by the next run.

Each batch of NEWSLETTER_BATCH_SIZE mails goes over one connection to the mail server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.dates import site_today
from newsletter.digest import WEEKLY, digest_build, edition_for
from newsletter.mails import digest_message
from newsletter.models import Send, Subscriber

logger = logging.getLogger(__name__)


@dataclass
class RunReport:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    empty: int = 0
    batches: int = 0


def due_frequencies(now: datetime) -> list[str]:
    """Daily every run; weekly on NEWSLETTER_WEEKLY_DAY (ISO weekday, 1 = Monday)."""
    frequencies = ["daily"]
    if site_today(now).isoweekday() == settings.NEWSLETTER_WEEKLY_DAY:
        frequencies.append(WEEKLY)
    return frequencies


def _claim(subscriber: Subscriber, edition: str) -> Send | None:
    """This run's right to send `edition` to `subscriber`, or None if another run has it."""
    try:
        with transaction.atomic():
            return Send.objects.create(subscriber=subscriber, edition=edition)
    except IntegrityError:
        pass
    # Refused last time: take it again (and only that; claimed and sent rows stay).
    retry = Send.objects.filter(
        subscriber=subscriber, edition=edition, status=Send.Status.FAILED
    ).update(status=Send.Status.CLAIMED, error="")
    return Send.objects.get(subscriber=subscriber, edition=edition) if retry else None


def _pending(frequency: str, edition: str):
    already = Send.objects.filter(edition=edition).exclude(status=Send.Status.FAILED)
    return (
        Subscriber.objects.receiving()
        .filter(frequency=frequency)
        .exclude(pk__in=already.values("subscriber"))
        .prefetch_related("sections")
        .order_by("pk")
    )


def _send_batch(batch: list[Subscriber], frequency: str, now: datetime, report, digests) -> None:
    connection = get_connection()
    connection.open()
    report.batches += 1
    try:
        for subscriber in batch:
            key = tuple(sorted(s.pk for s in subscriber.sections.all()))
            if key not in digests:
                digests[key] = digest_build(frequency=frequency, section_ids=list(key), now=now)
            digest = digests[key]
            if digest.is_empty:
                report.empty += 1
                continue
            claim = _claim(subscriber, digest.edition)
            if claim is None:
                report.skipped += 1
                continue
            try:
                connection.send_messages([digest_message(subscriber, digest)])
            except Exception as error:  # noqa: BLE001 - any refusal is recorded, the run goes on
                logger.warning("newsletter: %s refused: %s", subscriber.email, error)
                Send.objects.filter(pk=claim.pk).update(
                    status=Send.Status.FAILED, error=str(error)[:300]
                )
                report.failed += 1
                continue
            Send.objects.filter(pk=claim.pk).update(
                status=Send.Status.SENT, sent_at=timezone.now(), article_count=digest.article_count
            )
            report.sent += 1
    finally:
        connection.close()


def digests_send(
    *, now: datetime | None = None, frequencies: list[str] | None = None
) -> RunReport:
    """Send the current edition to every confirmed subscriber who has not had it."""
    now = now or timezone.now()
    report = RunReport()
    for frequency in frequencies or due_frequencies(now):
        edition = edition_for(frequency, now)
        digests: dict = {}
        batch: list[Subscriber] = []
        for subscriber in _pending(frequency, edition).iterator(chunk_size=500):
            batch.append(subscriber)
            if len(batch) >= settings.NEWSLETTER_BATCH_SIZE:
                _send_batch(batch, frequency, now, report, digests)
                batch = []
        if batch:
            _send_batch(batch, frequency, now, report, digests)
    return report


def digest_test_send(*, to: str, frequency: str, section_ids: list[int]) -> None:
    """An editor's test: today's digest to their own address, recorded nowhere."""
    digest = digest_build(frequency=frequency, section_ids=section_ids)
    # An unsaved row: its links are signed but lead to "not valid", not to a real reader.
    digest_message(Subscriber(pk=0, email=to, frequency=frequency), digest).send()
