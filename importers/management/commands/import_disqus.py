from pathlib import Path

from importers.command import ImportCommand
from importers.disqus import DisqusImport


class Command(ImportCommand):
    record = "post"

    help = (
        "Import a Disqus export: threads are matched to articles by link or a mapping "
        "file, and their posts become comments. Running it again adds only what is new."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
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

    def handle(self, *args, **options):
        self.run_import(
            DisqusImport,
            options["file"],
            options=options,
            site=options["site"],
            mapping=options["mapping"],
        )
