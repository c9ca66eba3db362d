from pathlib import Path

from django.core.management.base import CommandError

from importers.command import ImportCommand
from importers.wordpress import WordPressImport


class Command(ImportCommand):
    record = "item"

    help = (
        "Import a WordPress export (WXR file): authors, categories, tags, posts and pages, "
        "and their comments. Running it again with the same or a newer export adds only "
        "what is new."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
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

    def handle(self, *args, **options):
        if options["uploads"] and not options["uploads"].is_dir():
            raise CommandError(f"--uploads {options['uploads']}: no such folder.")
        self.run_import(
            WordPressImport,
            options["file"],
            options=options,
            site=options["site"],
            categories_as=options["categories_as"],
            section=options["section"],
            pages_section=options["pages_section"],
            uploads=options["uploads"],
            tz=options["timezone"],
        )
