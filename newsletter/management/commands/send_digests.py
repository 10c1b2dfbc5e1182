from django.core.management.base import BaseCommand

from newsletter.digest import DAILY, WEEKLY
from newsletter.sending import digests_send


class Command(BaseCommand):
    help = (
        "Send today's newsletter digest (and the weekly one on NEWSLETTER_WEEKLY_DAY) to every "
        "confirmed subscriber who has not had it. Safe to run again: nobody gets an edition twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--frequency",
            choices=[DAILY, WEEKLY],
            action="append",
            help="Only this frequency (may be given twice); the weekly one then goes any day.",
        )

    def handle(self, *args, frequency=None, **options):
        report = digests_send(frequencies=frequency)
        self.stdout.write(
            f"sent {report.sent}, failed {report.failed}, already sent {report.skipped}, "
            f"nothing to send {report.empty}, in {report.batches} batch(es)"
        )
