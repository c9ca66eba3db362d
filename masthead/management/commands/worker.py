import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from masthead.scheduler import tick

logger = logging.getLogger("masthead.worker")


class Command(BaseCommand):
    help = (
        "Run the background worker: publishes and unpublishes scheduled pages on time and "
        "runs queued tasks. Start one beside the web server; no cron job is needed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between checks (default: MASTHEAD_SCHEDULER_INTERVAL).",
        )
        parser.add_argument("--once", action="store_true", help="Check once, then exit.")

    def handle(self, *args, interval, once, **options):
        interval = interval or settings.MASTHEAD_SCHEDULER_INTERVAL
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        signal.signal(signal.SIGINT, lambda *a: stop.set())
        self.stdout.write(f"masthead worker: checking every {interval:g} s")
        while not stop.is_set():
            close_old_connections()
            try:
                tick()
            except Exception:
                # A failed round is logged and retried next round; the worker stays up.
                logger.exception("worker round failed")
            if once:
                break
            stop.wait(interval)
