from django.core.management.base import BaseCommand, CommandError

from upkeep.recount import counters_recount


class Command(BaseCommand):
    help = (
        "Recompute every denormalised counter (ratings, comment counts, reports, comment "
        "scores, poll answers) from the rows it counts, fix what drifted and say by how much. "
        "With --check, only report, and exit 1 if anything drifted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Change nothing; exit 1 on any drift."
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, check, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        drifts = counters_recount(fix=not check, batch_size=batch_size)
        for drift in drifts:
            if not drift.rows:
                self.stdout.write(f"{drift.counter}: exact")
                continue
            done = "off" if check else "fixed"
            self.stdout.write(
                f"{drift.counter}: {drift.rows} row(s) {done}, "
                f"total drift {drift.total} (net {drift.net:+d})"
            )
        drifted = sum(drift.rows for drift in drifts)
        if check and drifted:
            raise CommandError(f"{drifted} counter value(s) have drifted.", returncode=1)
        self.stdout.write(
            f"{drifted} counter value(s) fixed." if drifted else "Every counter is exact."
        )
