import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Set up and start a single-machine site: migrate, collect static files, load the "
        "demo content (first time only), then serve on 127.0.0.1:8000 with the worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("MASTHEAD_BIND", "127.0.0.1:8000"))
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo content.")
        parser.add_argument("--workers", type=int, default=0)

    def handle(self, *args, bind, no_demo, workers, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        if not no_demo:
            call_command("load_demo")
            from newsletters.demo import load_demo as load_demo_newsletters

            load_demo_newsletters()
        cli = [sys.executable, "-m", "masthead.cli"]
        worker = subprocess.Popen([*cli, "worker"])
        try:
            server = subprocess.Popen(
                [*cli, "serve", "--bind", bind, *(["--workers", str(workers)] if workers else [])]
            )
            self.stdout.write(
                f"\nThe site is at http://{bind}/ and the editorial admin at "
                f"http://{bind}/admin/. Press Ctrl+C to stop.\n"
            )
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (locals().get("server"), worker):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
