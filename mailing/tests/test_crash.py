"""A worker killed between the mail server taking a mail and the outbox recording it: the
next round sends no duplicate. The worker is a real process, killed for real."""

import datetime as dt
import email
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from mailing import services
from mailing.models import Delivery
from mailing.sending import INTERRUPTED, send_due

ROOT = Path(__file__).resolve().parents[2]
SEND = "import django; django.setup(); from mailing.sending import send_due; send_due()"


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class KillingSMTPServer:
    """An SMTP server on loopback that kills the sending worker (a real process, started
    by `run_worker`) with SIGKILL as it takes its `kill_at`-th mail: the server has that
    mail, the worker dies before it hears back. `received` holds every mail it took."""

    def __init__(self, settings, *, kill_at: int):
        from aiosmtpd.controller import Controller

        self.received, self.kill_at, self.worker = [], kill_at, None
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):
                server.received.append(email.message_from_bytes(envelope.content))
                if len(server.received) == server.kill_at:
                    os.kill(server.worker.pid, signal.SIGKILL)
                    server.worker.wait()
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        # Only the worker process sends: queuing here leaves the task to it.
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    def run_worker(self, **env) -> int:
        """Run `send_due` in a worker process of its own; returns its exit status."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "masthead.settings",
            "DATABASE_URL": database_url(),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.worker = subprocess.Popen([sys.executable, "-c", SEND], env=env, cwd=ROOT)
        return self.worker.wait(timeout=120)

    def stop(self) -> None:
        self.controller.stop()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_the_server_took_the_mail_sends_no_duplicate(settings):
    server = KillingSMTPServer(settings, kill_at=1)
    received = server.received
    try:
        for name in ("first", "second"):
            address = services.confirm(
                address=services.address_for(f"{name}@example.org", create=True)
            )
            services.queue_mail(
                event_key="reply:7",
                address=address,
                category="test",
                subject="A reply",
                text="Someone replied.",
                html="<p>Someone replied.</p>",
            )
        assert server.run_worker() == -signal.SIGKILL
        assert [m["To"] for m in received] == ["first@example.org"]

        # The worker restarts: nothing it sent goes again; what it never sent goes once.
        send_due(now=timezone.now() + dt.timedelta(minutes=11))
        send_due(now=timezone.now() + dt.timedelta(minutes=30))
    finally:
        server.stop()

    assert [m["To"] for m in received] == ["first@example.org", "second@example.org"]
    statuses = dict(Delivery.objects.values_list("address__email", "status"))
    assert statuses == {"first@example.org": "failed", "second@example.org": "sent"}
    assert Delivery.objects.get(address__email="first@example.org").last_error == INTERRUPTED
    # Queuing the same event again stores and sends nothing.
    assert (
        services.queue_mail(
            event_key="reply:7",
            email="first@example.org",
            category="test",
            subject="A reply",
            text="Again.",
            html="",
        )
        is None
    )
