from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.dates import site_today
from readership.models import ArticleViewDay
from readership.most_read import MOST_READ_WINDOWS


class Command(BaseCommand):
    help = (
        "Roll daily view buckets older than --keep-days up into one bucket per article and "
        "month (dated the 1st), or drop them with --drop. Article totals are not changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, default=400)
        parser.add_argument("--drop", action="store_true", help="Delete old buckets outright.")

    @transaction.atomic
    def handle(self, *args, keep_days, drop, **options):
        shortest = max(MOST_READ_WINDOWS) + 1
        if keep_days < shortest:
            raise CommandError(f"--keep-days must be at least {shortest}: most read needs them.")
        cutoff = site_today() - timedelta(days=keep_days)
        # A month bucket must lie wholly before the cutoff, or it would take in recent days.
        cutoff = cutoff.replace(day=1)
        if drop:
            removed = ArticleViewDay.objects.filter(day__lt=cutoff).delete()[0]
            self.stdout.write(f"Dropped {removed} daily bucket(s) before {cutoff}.")
            return
        table = ArticleViewDay._meta.db_table
        with connection.cursor() as cursor:
            # Rows already rolled up (dated the 1st) are folded again into themselves, so
            # running this twice changes nothing.
            cursor.execute(
                f"""
                WITH old AS (
                    DELETE FROM {table} WHERE day < %(cutoff)s
                    RETURNING article_id, day, views
                )
                INSERT INTO {table} (article_id, day, views)
                SELECT article_id, date_trunc('month', day)::date, SUM(views) FROM old
                GROUP BY article_id, date_trunc('month', day)
                RETURNING 1
                """,  # noqa: S608 - the table name comes from the model
                {"cutoff": cutoff},
            )
            months = cursor.rowcount
        self.stdout.write(f"Rolled buckets before {cutoff} up into {months} monthly bucket(s).")
