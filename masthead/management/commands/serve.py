import os
import sys

from django.core.management.base import BaseCommand


def default_workers() -> int:
    return max(2 * (os.cpu_count() or 1) + 1, 2)


class Command(BaseCommand):
    help = "Run the production web server (gunicorn), with workers from the number of cores."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("MASTHEAD_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 0) or 0)
        )
        parser.add_argument("--threads", type=int, default=1)

    def handle(self, *args, bind, workers, threads, **options):
        argv = [
            sys.executable, "-m", "gunicorn", "masthead.wsgi:application",
            "--bind", bind,
            "--workers", str(workers or default_workers()),
            "--threads", str(threads),
            "--access-logfile", "-",
            "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        self.stdout.write(f"Serving on http://{bind}/ ({' '.join(argv[4:8])})")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
