import os
import sys

from django.core.management.base import BaseCommand, CommandError


def default_workers() -> int:
    """One process per core: granian answers cache hits in Rust and Python threads, so more
    processes than cores only cost memory."""
    return max(len(os.sched_getaffinity(0)), 1)


class Command(BaseCommand):
    help = "Run the production web server (granian), with one worker process per core."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("MASTHEAD_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", 0) or 0),
            help="Worker processes (default: WEB_CONCURRENCY, or one per core).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("MASTHEAD_SERVER_THREADS", 2)),
            help="Threads per worker that run Django (default 2: a request waiting on the "
            "database or another server does not hold up the next one).",
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help="Do not log every request."
        )

    def handle(self, *args, bind, workers, threads, no_access_log, **options):
        host, sep, port = bind.rpartition(":")
        if not sep or not port.isdigit() or not host:
            raise CommandError(f"--bind {bind!r}: expected HOST:PORT, e.g. 127.0.0.1:8000")
        host = host.strip("[]")
        workers = workers or default_workers()
        argv = [
            sys.executable,
            "-m",
            "granian",
            "masthead.wsgi:application",
            "--interface",
            "wsgi",
            # HTTP/1.1: browsers speak HTTP/2 only over TLS, which the proxy or CDN in front
            # ends; not detecting it costs nothing per request.
            "--http",
            "1",
            "--host",
            host,
            "--port",
            port,
            "--workers",
            str(workers),
            "--blocking-threads",
            str(max(threads, 1)),
            "--respawn-failed-workers",
            "--log-level",
            os.environ.get("MASTHEAD_SERVER_LOG_LEVEL", "info"),
            *([] if no_access_log else ["--access-log"]),
        ]
        self.stdout.write(
            f"Serving on http://{bind}/ (granian, {workers} workers, {threads} threads each)"
        )
        sys.stdout.flush()
        os.execv(sys.executable, argv)
