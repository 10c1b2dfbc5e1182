from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from wpimport.importer import wordpress_import
from wpimport.parser import WXRError, parse_wxr


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0–1.2, from Tools → Export): posts, sections, tags, "
        "authors, approved comments, featured images and redirects from the old addresses. "
        "Safe to run again: it updates what an earlier run imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="The .xml file WordPress exported.")
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="A copy of wp-content/uploads, for featured images.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Go through the whole import and report, then roll everything back.",
        )

    def handle(self, *args, export, media_dir=None, dry_run=False, **options):
        # call_command() passes keyword options through without the parser's type=.
        export = Path(export)
        media_dir = Path(media_dir) if media_dir else None
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir} is not a directory.")
        try:
            data = parse_wxr(export)
        except WXRError as error:
            raise CommandError(f"Nothing imported: {error}") from error
        show_progress = options.get("verbosity", 1) > 0

        def progress(items):
            return tqdm(
                items,
                total=data.item_count,
                desc="Importing",
                unit="item",
                file=self.stderr._out,
                disable=not show_progress,
            )

        try:
            report = wordpress_import(
                export=data, media_dir=media_dir, dry_run=dry_run, progress=progress
            )
        except WXRError as error:
            # The items are read again while importing: the file changed since.
            raise CommandError(f"Nothing imported: {error}") from error
        heading = "Dry run, nothing was saved" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{heading} from {data.site} (WXR {data.version}):"))
        for line in report.lines():
            self.stdout.write(line)
