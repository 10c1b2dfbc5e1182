from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from readership.folding import views_fold
from readership.stores.redis import RedisViewStore


class Command(BaseCommand):
    help = (
        "Move buffered article views into the view totals and daily buckets. "
        "Safe to run often and from several machines; cron: * * * * * manage.py fold_views"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=10_000, help="Buffer rows folded per transaction."
        )
        parser.add_argument(
            "--redis-prefix",
            help="Also fold a Redis buffer left under this older key prefix (after an upgrade "
            "that changed VIEW_REDIS_PREFIX, e.g. 'newsportal:').",
        )

    def handle(self, *args, batch_size, redis_prefix, **options):
        result = views_fold(batch_size=batch_size)
        if redis_prefix:
            if not settings.REDIS_URL:
                raise CommandError("--redis-prefix needs REDIS_URL.")
            result += RedisViewStore(settings.REDIS_URL, redis_prefix).fold(batch_size)
        self.stdout.write(
            f"Folded {result.views} view(s) of {result.articles} article(s).", ending="\n"
        )
