"""The mailing app through its public services, with mail going to a real SMTP server on
loopback: the limits on mail nobody asked for, the outbox's once-only sending, retries."""

import datetime as dt
import socket

import pytest
from django.utils import timezone

from mailing import services
from mailing.models import Address, Delivery, Message
from mailing.sending import INTERRUPTED, send_due

pytestmark = pytest.mark.django_db


def confirmed(email: str) -> Address:
    address = services.address_for(email, create=True)
    return services.confirm(address=address)


def queue(email, key="event:1", **overrides):
    values = {
        "event_key": key,
        "email": email,
        "category": "test",
        "subject": "A reply to your comment",
        "text": "Someone replied.",
        "html": "<p>Someone replied.</p>",
        "unsubscribe_scope": "page:7",
        "unsubscribe_label": "Stop emails about this article",
    }
    values.update(overrides)
    return services.queue_mail(**values)


def header(message, name: str) -> str:
    return " ".join(message[name].split())


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_twenty_requests_from_twenty_networks_for_one_address_send_one_mail(smtp_server):
    for i in range(20):
        services.request_confirmation(
            email="Stranger@Example.org ", ip_address=f"198.51.{i}.7", purpose="comments"
        )
    send_due()

    assert len(smtp_server) == 1
    assert smtp_server[0].envelope_to == ["stranger@example.org"]
    assert Address.objects.get().email == "stranger@example.org"


def test_a_second_confirmation_mail_goes_out_only_after_a_day(smtp_server):
    first = services.request_confirmation(
        email="reader@example.org", ip_address="192.0.2.1", purpose="comments"
    )
    assert (
        services.request_confirmation(
            email="reader@example.org", ip_address="192.0.2.1", purpose="comments"
        )
        is None
    )
    Address.objects.update()  # the counter's window, not the address, decides
    from mailing.models import Throttle

    Throttle.objects.update(window_start=timezone.now() - dt.timedelta(hours=24, seconds=1))
    second = services.request_confirmation(
        email="reader@example.org", ip_address="192.0.2.1", purpose="comments"
    )

    assert first is not None and second is not None
    send_due()
    assert len(smtp_server) == 2


def test_one_ipv4_range_causes_at_most_five_confirmation_mails_an_hour(settings, smtp_server):
    settings.MASTHEAD_MAIL_PER_RANGE_PER_HOUR = 5
    for i in range(8):
        services.request_confirmation(
            email=f"victim{i}@example.org", ip_address=f"203.0.113.{i + 1}", purpose="comments"
        )
    # Another /24 is another sender.
    services.request_confirmation(
        email="other@example.org", ip_address="203.0.114.1", purpose="comments"
    )
    send_due()

    assert sorted(m.envelope_to[0] for m in smtp_server) == [
        "other@example.org",
        *(f"victim{i}@example.org" for i in range(5)),
    ]


def test_one_ipv6_slash_64_is_one_sender(settings, smtp_server):
    settings.MASTHEAD_MAIL_PER_RANGE_PER_HOUR = 2
    for i in range(4):
        services.request_confirmation(
            email=f"v{i}@example.org", ip_address=f"2001:db8:1:2::{i + 1:x}", purpose="p"
        )
    send_due()

    assert len(smtp_server) == 2


def test_a_refused_request_uses_up_no_allowance_of_the_address(settings, smtp_server):
    settings.MASTHEAD_MAIL_PER_RANGE_PER_HOUR = 1
    services.request_confirmation(email="a@example.org", ip_address="192.0.2.1", purpose="p")
    # This range is used up: the stranger's address is not counted either...
    assert (
        services.request_confirmation(email="b@example.org", ip_address="192.0.2.2", purpose="p")
        is None
    )
    # ...so its owner, elsewhere, still gets their mail.
    assert (
        services.request_confirmation(email="b@example.org", ip_address="198.51.100.9", purpose="p")
        is not None
    )


def test_ip_ranges():
    assert services.ip_range("203.0.113.77") == "203.0.113.0/24"
    assert services.ip_range("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert services.ip_range("::ffff:203.0.113.77") == "203.0.113.0/24"
    assert services.ip_range("not an address") is None
    assert services.ip_range(None) is None


def test_nothing_but_the_confirmation_goes_to_an_unconfirmed_address(smtp_server):
    services.address_for("new@example.org", create=True)

    assert queue("new@example.org") is None
    assert queue("nobody-yet@example.org") is None
    send_due()
    assert smtp_server == []


def test_a_mail_is_one_recipient_two_parts_from_the_site_with_unsubscribe_headers(
    settings, smtp_server
):
    settings.MASTHEAD_MAIL_FROM_NAME = "The Courier"
    settings.MASTHEAD_MAIL_FROM = "news@courier.example"
    settings.WAGTAILADMIN_BASE_URL = "https://courier.example"
    confirmed("reader@example.org")
    confirmed("other@example.org")
    queue("reader@example.org")
    queue("other@example.org")
    send_due()

    assert len(smtp_server) == 2
    message = next(m for m in smtp_server if m.envelope_to == ["reader@example.org"])
    raw = message.as_string()
    assert "other@example.org" not in raw
    assert message["From"] == "The Courier <news@courier.example>"
    assert message["To"] == "reader@example.org"
    assert message["Subject"] == "A reply to your comment"
    # A long header is folded before its value; a mail client unfolds it.
    assert header(message, "List-Unsubscribe").startswith(
        "<https://courier.example/mail/unsubscribe/"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "The Courier test <test.courier.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@courier.example>")
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    text, html = (
        part.get_payload(decode=True).decode().replace("\r\n", "\n")
        for part in message.get_payload()
    )
    assert text.startswith("Someone replied.\n")
    assert "Stop emails about this article: https://courier.example/mail/unsubscribe/" in text
    assert "Stop all emails from The Courier: https://courier.example/mail/unsubscribe/" in text
    assert "<p>Someone replied.</p>" in html
    assert ">Stop emails about this article</a>" in html
    assert ">Stop all emails from The Courier</a>" in html


def test_a_mail_to_many_stores_its_body_once_and_each_copy_has_its_own_links(settings, smtp_server):
    settings.WAGTAILADMIN_BASE_URL = "https://courier.example"
    readers = [confirmed(f"reader{i}@example.org") for i in range(3)]
    services.address_for("unconfirmed@example.org", create=True)

    queued = services.queue_bulk(
        event_key="comment:9",
        addresses=Address.objects.order_by("pk"),
        category="follow",
        subject="New comment on the harbour story",
        text="A new comment.",
        html="<p>A new comment.</p>",
        unsubscribe_scope="page:7",
        unsubscribe_label="Stop emails about this article",
    )
    send_due()

    assert queued == 3
    assert Message.objects.count() == 1
    assert set(Delivery.objects.values_list("text", "html")) == {("", "")}
    assert sorted(m["To"] for m in smtp_server) == sorted(r.email for r in readers)
    links = set()
    for message in smtp_server:
        text = message.get_payload()[0].get_payload(decode=True).decode()
        assert text.startswith("A new comment.")
        stop = next(line for line in text.splitlines() if line.startswith("Stop emails about"))
        links.add(stop)
        assert header(message, "List-Unsubscribe") == f"<{stop.split(': ', 1)[1]}>"
    # Each reader's link stops their own mail: three readers, three links.
    assert len(links) == 3


def test_the_same_event_for_the_same_reader_is_queued_and_sent_once(smtp_server):
    confirmed("reader@example.org")

    assert queue("Reader@example.org", key="reply:42") is not None
    assert queue("reader@example.org", key="reply:42") is None
    send_due()
    assert queue("reader@example.org", key="reply:42") is None
    send_due()

    assert len(smtp_server) == 1
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_with_the_mail_server_down_mail_waits_and_goes_out_once_it_is_back(settings, smtp_server):
    confirmed("reader@example.org")
    queue("reader@example.org")
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = closed_port()

    first = send_due()
    delivery = Delivery.objects.get()
    assert (first.sent, first.retried) == (0, 1)
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("mail server unreachable")
    assert send_due().sent == 0  # not due again before its retry time

    settings.EMAIL_PORT = port
    later = timezone.now() + dt.timedelta(minutes=2)
    assert send_due(now=later).sent == 1
    assert send_due(now=later + dt.timedelta(hours=1)).sent == 0

    assert len(smtp_server) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)


def test_retries_back_off_and_give_up(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.MASTHEAD_MAIL_MAX_ATTEMPTS = 3
    confirmed("reader@example.org")
    queue("reader@example.org")
    now = timezone.now()
    waits = []
    for _ in range(3):
        send_due(now=now)
        delivery = Delivery.objects.get()
        waits.append(round((delivery.next_attempt_at - now).total_seconds()))
        now = delivery.next_attempt_at

    assert waits == [60, 120, 240]
    assert delivery.status == Delivery.Status.FAILED


def test_a_mail_left_sending_by_a_dead_worker_is_not_sent_again(smtp_server):
    confirmed("reader@example.org")
    delivery = queue("reader@example.org")
    # What a worker leaves behind when it dies after the server took the mail.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now()
    )

    assert send_due().sent == 0  # its lease has not run out: maybe still sending
    result = send_due(now=timezone.now() + dt.timedelta(minutes=11))

    assert (result.sent, result.interrupted) == (0, 1)
    assert smtp_server == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (Delivery.Status.FAILED, INTERRUPTED)


def test_stopping_all_mail_cancels_what_is_queued(smtp_server):
    address = confirmed("reader@example.org")
    queue("reader@example.org")

    services.unsubscribe(address=address, scope=services.ALL)
    send_due()

    assert smtp_server == []
    assert Delivery.objects.get().status == Delivery.Status.CANCELLED
    assert queue("reader@example.org", key="event:2") is None
    assert services.can_receive("reader@example.org") is False


def test_confirming_again_lifts_a_stop_but_not_a_bounce():
    address = confirmed("reader@example.org")
    services.unsubscribe(address=address, scope=services.ALL)
    services.confirm(address=address)
    assert services.can_receive("reader@example.org")

    services.suppress(address=address, reason=Address.Suppression.BOUNCED)
    services.confirm(address=address)
    assert not services.can_receive("reader@example.org")


def test_a_recipient_refused_for_good_fails_and_stops_the_address(settings):
    """aiosmtpd refuses a recipient with 550 when its handler says so."""
    import email

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address.startswith("gone@"):
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            received.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    port = closed_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        confirmed("gone@example.org")
        confirmed("here@example.org")
        queue("gone@example.org")
        queue("here@example.org")
        result = send_due()
    finally:
        controller.stop()

    assert (result.sent, result.failed) == (1, 1)
    assert [m["To"] for m in received] == ["here@example.org"]
    gone = Address.objects.get(email="gone@example.org")
    assert gone.suppressed_reason == Address.Suppression.BOUNCED
    assert Delivery.objects.get(address=gone).last_error == "refused: 550 5.1.1 No such user"


def test_forgetting_an_address_leaves_nothing_of_it(smtp_server):
    confirmed("reader@example.org")
    queue("reader@example.org")
    send_due()

    assert services.forget_address("Reader@example.org") is True
    assert Address.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert services.forget_address("reader@example.org") is False
