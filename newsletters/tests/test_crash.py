"""The sending worker killed for real in the middle of an issue, then started again: no
subscriber gets it twice and no one is left out."""

import collections
import datetime as dt
import signal

import pytest
from django.utils import timezone

from mailing.models import Delivery
from mailing.sending import send_due
from mailing.tests.test_crash import KillingSMTPServer
from newsletters import services

from .helpers import issue_with_articles, newsletter, subscriber

SUBSCRIBERS = 60
KILL_AT = 25


@pytest.mark.django_db(transaction=True)
def test_a_sender_killed_mid_issue_resumes_with_no_duplicates_and_no_one_missed(settings):
    server = KillingSMTPServer(settings, kill_at=KILL_AT)
    try:
        briefing = newsletter()
        everyone = {f"reader{n}@example.org" for n in range(SUBSCRIBERS)}
        for email in sorted(everyone):
            subscriber(briefing, email)
        assert services.send(issue_with_articles(briefing, "Killed mid-issue")) == SUBSCRIBERS
        assert server.run_worker(MASTHEAD_MAIL_BATCH_SIZE="20") == -signal.SIGKILL
        assert len(server.received) == KILL_AT

        # The worker comes back; its lease on the batch it held runs out, the rest goes.
        send_due(now=timezone.now() + dt.timedelta(minutes=11))
    finally:
        server.stop()

    received = collections.Counter(m["To"] for m in server.received)
    assert set(received) == everyone  # no one missed
    assert max(received.values()) == 1  # no one twice
    statuses = collections.Counter(Delivery.objects.values_list("status", flat=True))
    # The mail the server took as the worker died is recorded as such, not sent again.
    assert statuses == {"sent": SUBSCRIBERS - 1, "failed": 1}
