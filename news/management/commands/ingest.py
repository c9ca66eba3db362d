from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from news.ingest import IngestError, ingest_file


class Command(BaseCommand):
    help = (
        "Create or update (same slug) articles from plain-text or Markdown files. The first "
        "line is the headline; blank lines separate paragraphs; optional YAML front matter "
        "sets section, authors, dateline, topics, published, status, dek and slug. On a site "
        "without sections, a file that names none goes in a new section named by "
        "MASTHEAD_DEFAULT_SECTION (Uncategorized)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--status",
            choices=["live", "draft"],
            default="live",
            help="Status of files whose front matter does not set one (default: live).",
        )

    def handle(self, *args, files, status, **options):
        failed = 0
        for path in files:
            try:
                result = ingest_file(path, default_status=status)
            except IngestError as exc:
                failed += 1
                self.stderr.write(f"error: {exc}")
                continue
            article = result.article
            section = result.new_section
            if section is not None and result.in_default_section:
                self.stdout.write(
                    f"{path}: no section given and the site had none; created the default "
                    f"section {section.title!r} at {section.url} (MASTHEAD_DEFAULT_SECTION)"
                )
            elif section is not None:
                self.stdout.write(f"{path}: created section {section.title!r} at {section.url}")
            verb = "created" if result.created else "updated"
            state = "scheduled" if result.scheduled else ("live" if article.live else "draft")
            self.stdout.write(f"{path}: {verb} {state} article {article.slug!r}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} files could not be ingested.")
