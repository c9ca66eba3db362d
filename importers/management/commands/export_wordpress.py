import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importers.base import Progress
from importers.export import WxrExport
from news.models import ArticlePage


class Command(BaseCommand):
    help = (
        "Export articles, authors, sections, topics, images and comments as a WordPress "
        "WXR 1.2 file, for WordPress's importer or another masthead site. The file holds "
        "commenters' email and IP addresses: keep it private."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", type=Path, help="file to write (default: standard output)"
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="the site's public address, for links in the file (default: MASTHEAD_BASE_URL)",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="log lines instead of a progress bar"
        )

    def handle(self, *args, **options):
        output = options["output"]
        progress = Progress(
            total=ArticlePage.objects.count(),
            label="article",
            stream=self.stderr._out,
            bar=False if options["no_progress"] else None,
        )
        try:
            if output:
                try:
                    handle = open(output, "w", encoding="utf-8")
                except OSError as exc:
                    raise CommandError(f"{output}: cannot write: {exc.strerror}.") from None
                with handle:
                    counts = WxrExport(
                        handle, base_url=options["base_url"], progress=progress
                    ).run()
            else:
                counts = WxrExport(
                    sys.stdout, base_url=options["base_url"], progress=progress
                ).run()
        finally:
            progress.close()
        self.stderr.write(
            "Exported {articles} articles, {comments} comments, {authors} authors and "
            "{images} images.".format(**counts)
        )
