from django.core.management.base import BaseCommand

from readership.folding import views_fold


class Command(BaseCommand):
    help = (
        "Move buffered article views into the view totals and daily buckets. "
        "Safe to run often and from several machines; cron: * * * * * manage.py fold_views"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=10_000, help="Buffer rows folded per transaction."
        )

    def handle(self, *args, batch_size, **options):
        result = views_fold(batch_size=batch_size)
        self.stdout.write(
            f"Folded {result.views} view(s) of {result.articles} article(s).", ending="\n"
        )
