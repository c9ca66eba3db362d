"""MASTHEAD_MAIL_PER_MINUTE: a relay that takes so many mails a minute gets no more."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from mailing import services
from mailing.sending import send_due

pytestmark = pytest.mark.django_db


def queue(count: int) -> None:
    for n in range(count):
        services.queue_mail(
            event_key="paced",
            address=services.confirm(
                address=services.address_for(f"r{n}@example.org", create=True)
            ),
            category="test",
            subject="Paced",
            text="One of several.",
            html="",
        )


def test_mail_goes_no_faster_than_the_set_rate(settings, smtp_server):
    settings.MASTHEAD_MAIL_PER_MINUTE = 240  # one every quarter second
    queue(5)

    started = time.monotonic()
    send_due(now=timezone.now() + dt.timedelta(seconds=1))
    took = time.monotonic() - started

    assert len(smtp_server) == 5
    assert took >= 4 * 0.25 * 0.95  # four waits between five mails, whatever the machine
