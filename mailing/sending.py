"""Sending the outbox: run by the worker, never in a request.

Each round claims a batch of due deliveries, opens one SMTP connection (Django's email
backend, configured from the environment) and sends them one by one.

At most once. A delivery is marked "sending" (committed) just before its SMTP transaction
and "sent" just after. A worker that dies between the two leaves that one row "sending";
the next round marks it failed ("interrupted") instead of sending it again, because the
server may well have accepted it. So a crash can lose one mail, and never sends one twice:
for mail that a reader did not ask to get twice (and a confirmation mail to a stranger
above all) a lost mail is the lesser harm. The rest of a batch is only claimed (a lease),
not sending; a crashed worker's lease runs out and those are sent by a later round.

When the server cannot be reached or fails mid-batch, the unsent deliveries go back to
the queue with an exponential backoff (MASTHEAD_MAIL_RETRY_SECONDS, doubling, up to an
hour) and are failed after MASTHEAD_MAIL_MAX_ATTEMPTS attempts. A recipient the server
refuses for good (5xx) is failed at once, and the address stopped as bounced.
"""

import dataclasses
import datetime as dt
import email.utils
import hashlib
import logging
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from . import services
from .models import Address, Delivery

logger = logging.getLogger("masthead.mailing")

INTERRUPTED = "interrupted while sending; not sent again, as it may have gone out"


@dataclasses.dataclass
class Round:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    cancelled: int = 0
    interrupted: int = 0


class _Pace:
    """MASTHEAD_MAIL_PER_MINUTE: each mail waits for its slot, one every 60/N seconds."""

    next_slot = 0.0

    @classmethod
    def wait(cls) -> None:
        rate = settings.MASTHEAD_MAIL_PER_MINUTE
        if rate <= 0:
            return
        now = time.monotonic()
        if cls.next_slot > now:
            time.sleep(cls.next_slot - now)
        cls.next_slot = max(cls.next_slot, now) + 60.0 / rate


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.MASTHEAD_MAIL_LEASE_SECONDS)


def backoff(attempts: int) -> dt.timedelta:
    seconds = settings.MASTHEAD_MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, 3600))


def message_for(delivery: Delivery) -> EmailMultiAlternatives:
    """The mail of one delivery: to its one address, with the headers mail providers
    look for (docs/notifications.md, "Deliverability")."""
    domain = services.mail_domain()
    unsubscribe = services.unsubscribe_url(delivery.address, delivery.unsubscribe_scope or "all")
    # Derived from the delivery, so that a message sent twice (which the outbox does not
    # do) would still be one message to the receiving side.
    digest = hashlib.sha256(f"{delivery.pk}:{delivery.event_key}".encode()).hexdigest()[:24]
    list_name = delivery.list_name or delivery.category
    headers = {
        "Message-ID": f"<{digest}.{delivery.pk}@{domain}>",
        "Date": email.utils.format_datetime(timezone.now()),
        "List-Id": f"{services.site_name()} {list_name} <{list_name}.{domain}>",
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    text, html = services.body_of(delivery)
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=text,
        from_email=email.utils.formataddr(
            (services.site_name(), settings.MASTHEAD_MAIL_FROM or settings.DEFAULT_FROM_EMAIL)
        ),
        to=[delivery.address.email],
        headers=headers,
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def _claim(now, size: int) -> list[int]:
    """Lease up to `size` due deliveries to this round. On PostgreSQL, rounds running at
    once skip each other's rows; SQLite runs one writer at a time."""
    lease_over = now - _lease()
    with transaction.atomic():
        ids = list(
            Delivery.objects.due(now)
            .exclude(claimed_at__gt=lease_over)
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(claimed_at=now)
    return ids


def _interrupt_stuck(now) -> int:
    """Rows left "sending" by a worker that died mid-send are not sent again."""
    count = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - _lease()
    ).update(status=Delivery.Status.FAILED, last_error=INTERRUPTED, failed_at=now)
    if count:
        logger.warning("%d mails were interrupted while sending and are not resent", count)
    return count


def _give_back(ids, error: str, now, result: Round) -> None:
    """The unsent rest of a batch goes back to the queue, later, or fails for good."""
    for delivery in Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED):
        attempts = delivery.attempts + 1
        if attempts >= settings.MASTHEAD_MAIL_MAX_ATTEMPTS:
            status, result.failed = Delivery.Status.FAILED, result.failed + 1
        else:
            status, result.retried = Delivery.Status.QUEUED, result.retried + 1
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status,
            failed_at=now if status == Delivery.Status.FAILED else None,
            attempts=attempts,
            claimed_at=None,
            next_attempt_at=now + backoff(attempts),
            last_error=error[:255],
        )


def send_due(*, now=None, batch_size: int | None = None, max_batches: int | None = None) -> Round:
    """Send every due delivery, a batch per SMTP connection; returns what happened."""
    now = now or timezone.now()
    size = batch_size or settings.MASTHEAD_MAIL_BATCH_SIZE
    result = Round()
    result.interrupted = _interrupt_stuck(now)
    batches = 0
    while max_batches is None or batches < max_batches:
        ids = _claim(now, size)
        if not ids:
            break
        batches += 1
        if not _send_batch(ids, now, result):
            break  # the server is not there; the rest waits for its retry time
    if result.failed or result.retried:
        logger.warning(
            "mail round: %d sent, %d to retry, %d failed",
            result.sent,
            result.retried,
            result.failed,
        )
    return result


def _send_batch(ids: list[int], now, result: Round) -> bool:
    deliveries = list(
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED)
        .select_related("address", "message")
        .order_by("next_attempt_at", "pk")
    )
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("mail server unreachable: %s", error)
        _give_back(ids, f"mail server unreachable: {error}", now, result)
        return False
    try:
        for index, delivery in enumerate(deliveries):
            address = delivery.address
            if address.suppressed_at is not None or (
                address.confirmed_at is None and not delivery.unsolicited
            ):
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.CANCELLED, last_error="address cannot receive mail"
                )
                result.cancelled += 1
                continue
            _Pace.wait()  # before it is marked: a worker stopped while waiting loses nothing
            message = message_for(delivery)
            marked = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(
                status=Delivery.Status.SENDING, claimed_at=timezone.now()
            )
            if not marked:
                continue  # cancelled meanwhile
            try:
                connection.send_messages([message])
            except smtplib.SMTPRecipientsRefused as error:
                _refused(delivery, error, result)
                continue
            except (OSError, smtplib.SMTPException) as error:
                # Not accepted: the server said no or went away mid-message. Back to the
                # queue with the rest of the batch.
                Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.QUEUED)
                logger.warning("mail server failed mid-batch: %s", error)
                _give_back(
                    [d.pk for d in deliveries[index:]], f"mail server error: {error}", now, result
                )
                return False
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT,
                sent_at=timezone.now(),
                attempts=delivery.attempts + 1,
                last_error="",
            )
            result.sent += 1
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            pass
    return True


def _refused(delivery: Delivery, error: smtplib.SMTPRecipientsRefused, result: Round) -> None:
    code, reply = next(iter(error.recipients.values()), (0, b""))
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    if 500 <= code < 600:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED,
            failed_at=timezone.now(),
            attempts=delivery.attempts + 1,
            last_error=f"refused: {code} {text}"[:255],
        )
        services.suppress(address=delivery.address, reason=Address.Suppression.BOUNCED)
        result.failed += 1
        logger.warning("mail to address %d refused: %s %s", delivery.address_id, code, text)
    else:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.QUEUED)
        _give_back([delivery.pk], f"deferred: {code} {text}", timezone.now(), result)
