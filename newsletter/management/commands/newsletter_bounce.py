from django.core.management.base import BaseCommand

from newsletter.services import subscriber_bounce


class Command(BaseCommand):
    help = "Mark addresses as bounced (from the mail server's bounce report): no more digests."

    def add_arguments(self, parser):
        parser.add_argument("emails", nargs="+", metavar="email")

    def handle(self, *args, emails, **options):
        for email in emails:
            found = subscriber_bounce(email=email)
            self.stdout.write(f"{email}: {'bounced' if found else 'not a subscriber'}")
