"""What the import commands share: the options every import takes, and running one."""

from django.core.management.base import BaseCommand, CommandError

from .base import ImportFailed


class ImportCommand(BaseCommand):
    record = "record"  # what one unit of the file is called in --keep-going's help

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-going",
            action="store_true",
            help=f"import every complete {self.record} of a damaged file and list what was lost",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="log lines instead of a progress bar"
        )

    def run_import(self, importer_class, path, *, options, **settings):
        """Run an import with the shared options and print its summary; a failure is a
        CommandError with the importer's message (file, line and column)."""
        try:
            summary = importer_class(
                path,
                keep_going=options["keep_going"],
                progress=False if options["no_progress"] else None,
                stream=self.stderr._out,
                **settings,
            ).run()
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("\n".join(summary.lines()))
