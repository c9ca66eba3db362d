"""The sending worker killed for real in the middle of an issue, then started again: no
subscriber gets it twice and no one is left out."""

import collections
import datetime as dt
import os
import signal
import socket
import subprocess
import sys

import pytest
from django.utils import timezone

from mailing.models import Delivery
from mailing.sending import send_due
from mailing.tests.test_crash import ROOT, SEND, database_url
from newsletters import services

from .helpers import issue_with_articles, newsletter, subscriber

SUBSCRIBERS = 60
KILL_AT = 25


@pytest.mark.django_db(transaction=True)
def test_a_sender_killed_mid_issue_resumes_with_no_duplicates_and_no_one_missed(settings):
    from aiosmtpd.controller import Controller

    received, worker = collections.Counter(), {}

    class KillTheSenderMidBatch:
        async def handle_DATA(self, server, session, envelope):
            for rcpt in envelope.rcpt_tos:
                received[rcpt] += 1
            if sum(received.values()) == KILL_AT:
                os.kill(worker["process"].pid, signal.SIGKILL)
                worker["process"].wait()
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(KillTheSenderMidBatch(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    try:
        briefing = newsletter()
        everyone = {f"reader{n}@example.org" for n in range(SUBSCRIBERS)}
        for email in sorted(everyone):
            subscriber(briefing, email)
        assert services.send(issue_with_articles(briefing, "Killed mid-issue")) == SUBSCRIBERS
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "masthead.settings",
            "DATABASE_URL": database_url(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "MASTHEAD_MAIL_BATCH_SIZE": "20",
            "PYTHONPATH": str(ROOT),
        }
        worker["process"] = subprocess.Popen([sys.executable, "-c", SEND], env=env, cwd=ROOT)
        assert worker["process"].wait(timeout=120) == -signal.SIGKILL
        assert sum(received.values()) == KILL_AT

        # The worker comes back; its lease on the batch it held runs out, the rest goes.
        send_due(now=timezone.now() + dt.timedelta(minutes=11))
    finally:
        controller.stop()

    assert set(received) == everyone  # no one missed
    assert max(received.values()) == 1  # no one twice
    statuses = collections.Counter(Delivery.objects.values_list("status", flat=True))
    # The mail the server took as the worker died is recorded as such, not sent again.
    assert statuses == {"sent": SUBSCRIBERS - 1, "failed": 1}
