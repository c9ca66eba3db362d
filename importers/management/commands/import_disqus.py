from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importers.base import ImportFailed
from importers.disqus import DisqusImport


class Command(BaseCommand):
    help = (
        "Import a Disqus export: threads are matched to articles by link or a mapping "
        "file, and their posts become comments. Running it again adds only what is new."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .xml file Disqus exported")
        parser.add_argument(
            "--map",
            type=Path,
            dest="mapping",
            help="CSV of (Disqus thread link, dsq:id or identifier; page id, path or address "
            "here) for threads whose links do not lead to their article",
        )
        parser.add_argument(
            "--site", default="", help="the Disqus forum's shortname, when the file names none"
        )
        parser.add_argument(
            "--keep-going",
            action="store_true",
            help="import every complete post of a damaged file and list what was lost",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="log lines instead of a progress bar"
        )

    def handle(self, *args, **options):
        try:
            summary = DisqusImport(
                options["file"],
                site=options["site"],
                mapping=options["mapping"],
                keep_going=options["keep_going"],
                progress=False if options["no_progress"] else None,
                stream=self.stderr._out,
            ).run()
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("\n".join(summary.lines()))
