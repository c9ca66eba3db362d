import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from masthead.env import env_int


def default_workers() -> int:
    """One process per core: granian answers cache hits in Rust and Python threads, so more
    processes than cores only cost memory."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _env_count(name: str, default: int) -> int:
    try:
        return env_int(name, default)
    except ImproperlyConfigured as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = "Run the production web server (granian), with one worker process per core."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("MASTHEAD_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Worker processes (default: WEB_CONCURRENCY, or one per core).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="Threads per worker that run Django (default 1: threads in one process take "
            "turns at one interpreter lock, so a second one halves the rate of cache hits; "
            "raise it when requests wait on a database server or other services).",
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help="Do not log every request."
        )

    def handle(self, *args, bind, workers, threads, no_access_log, **options):
        host, sep, port = bind.rpartition(":")
        if not sep or not port.isdigit():
            raise CommandError(f"--bind {bind!r}: expected HOST:PORT, e.g. 127.0.0.1:8000")
        host = host.strip("[]") or "0.0.0.0"  # ":8000": every interface
        if workers is None:
            workers = _env_count("WEB_CONCURRENCY", 0)
        workers = workers or default_workers()
        if threads is None:
            threads = _env_count("MASTHEAD_SERVER_THREADS", 1)
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
            "--no-ws",
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
