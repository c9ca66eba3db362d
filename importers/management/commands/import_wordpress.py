from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importers.base import ImportFailed
from importers.wordpress import WordPressImport


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR file): authors, categories, tags, posts and pages, "
        "and their comments. Running it again with the same or a newer export adds only "
        "what is new."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .xml file from Tools > Export")
        parser.add_argument(
            "--site",
            default="",
            help="the old site's address, when the file does not say it (keys the import)",
        )
        parser.add_argument(
            "--categories-as",
            choices=["sections", "topics"],
            default="sections",
            help="a post's first category becomes its section (default), or every "
            "category becomes a topic and posts go to --section",
        )
        parser.add_argument(
            "--section", default="News", help="section for posts without a category"
        )
        parser.add_argument(
            "--pages-section",
            default="Pages",
            help="section that WordPress pages become articles in (default: Pages)",
        )
        parser.add_argument(
            "--uploads",
            type=Path,
            help="a copy of wp-content/uploads: images found there become Wagtail images",
        )
        parser.add_argument(
            "--timezone",
            default=None,
            help="the blog's time zone, for dates the file gives only in local time",
        )
        parser.add_argument(
            "--keep-going",
            action="store_true",
            help="import every complete item of a damaged file and list what was lost",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="log lines instead of a progress bar"
        )

    def handle(self, *args, **options):
        if options["uploads"] and not options["uploads"].is_dir():
            raise CommandError(f"--uploads {options['uploads']}: no such folder.")
        try:
            summary = WordPressImport(
                options["file"],
                site=options["site"],
                categories_as=options["categories_as"],
                section=options["section"],
                pages_section=options["pages_section"],
                uploads=options["uploads"],
                tz=options["timezone"],
                keep_going=options["keep_going"],
                progress=False if options["no_progress"] else None,
                stream=self.stderr._out,
            ).run()
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("\n".join(summary.lines()))
