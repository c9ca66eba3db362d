"""The public interface of the mailing app. Other apps (notifications, self-service,
newsletters) mail readers only through these functions:

- `request_confirmation(email=, ip_address=, purpose=)`: the one mail an unconfirmed
  address may get, under the limits below; the link's page confirms it.
- `confirm(address=)`, `is_confirmed(email)`, `address_for(email)`.
- `queue_mail(event_key=, email=, ...)`: a mail to a confirmed address, sent by the worker,
  once per (event_key, address) however often it is queued.
- `send_limited(...)`: a one-off mail to an address that may be unconfirmed (a sign-in
  link), under the same limits as a confirmation mail.
- `unsubscribe_url(address, scope)`, `unsubscribe(address=, scope=)`: the signed links every
  mail carries; scope "all" stops every mail, any other scope is passed to the app that
  owns it through the `unsubscribed` signal.
- `queue_bulk(...)`: one message to many addresses; `withdraw(event_keys=)`: take back
  mail not yet sent.
- `forget_address(email)`: erase an address and everything mailed to it.
- `bounces.suppress_emails(...)`, `bounces.tracking_event`: a relay's bounce list and webhooks.
- `register_purpose(...)`: what the confirmation page of a purpose shows and does.

Limits (`mailing.limits`, docs/notifications.md): an address gets at most one mail it did
not confirm per MASTHEAD_MAIL_UNCONFIRMED_HOURS (24), and one sender IP range (/24 for IPv4,
/64 for IPv6) can cause at most MASTHEAD_MAIL_PER_RANGE_PER_HOUR such mails an hour. The
counters live in the database and are locked while counted, so they hold across app servers.
"""

import dataclasses
import logging
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import tokens
from .limits import ip_range, take_unsolicited  # noqa: F401  (ip_range is public API)
from .models import Address, Delivery, Message

logger = logging.getLogger("masthead.mailing")

# A reader stopped one kind of mail: address, scope (the string given to unsubscribe_url).
unsubscribed = Signal()
# An address was confirmed: address, purpose, data (the purpose form's cleaned data).
address_confirmed = Signal()

ALL = "all"
CONFIRMATION = "confirmation"
WITHDRAWN = "withdrawn"
# In a complete message (queue_bulk(complete=True)), replaced in each reader's copy.
UNSUBSCRIBE_PLACEHOLDER = "%%unsubscribe_url%%"
UNSUBSCRIBE_ALL_PLACEHOLDER = "%%unsubscribe_all_url%%"


# Addresses ------------------------------------------------------------------------------


def normalise(email: str) -> str:
    """The form an address is stored and compared in: trimmed, lower case."""
    return (email or "").strip().lower()


def address_for(email: str, *, create: bool = False) -> Address | None:
    email = normalise(email)
    if not email:
        return None
    if not create:
        return Address.objects.filter(email=email).first()
    try:
        with transaction.atomic():
            address, _ = Address.objects.get_or_create(email=email)
    except IntegrityError:  # created by a concurrent request
        address = Address.objects.get(email=email)
    return address


def is_confirmed(email: str) -> bool:
    """Whether the owner of `email` has followed a signed link sent to it."""
    return Address.objects.filter(email=normalise(email), confirmed_at__isnull=False).exists()


def can_receive(email: str) -> bool:
    """Confirmed and not stopped: mail queued for it will be sent."""
    return Address.objects.filter(
        email=normalise(email), confirmed_at__isnull=False, suppressed_at__isnull=True
    ).exists()


def confirm(*, address: Address, how: str = Address.Confirmation.LINK) -> Address:
    """Mark `address` confirmed (now, unless it already was). Confirming is asking for
    mail, so an earlier "stop all emails" is lifted; a bounce or complaint is not. A
    sign-in proves the address without asking for mail, so it lifts nothing."""
    now = timezone.now()
    address.refresh_from_db()
    fields = {}
    if address.confirmed_at is None:
        fields.update(confirmed_at=now, confirmed_by=how)
    if (
        how != Address.Confirmation.SIGN_IN
        and address.suppressed_reason in ("", Address.Suppression.UNSUBSCRIBED)
        and address.suppressed_at is not None
    ):
        fields.update(suppressed_at=None, suppressed_reason="")
    if fields:
        Address.objects.filter(pk=address.pk).update(**fields)
        for name, value in fields.items():
            setattr(address, name, value)
    return address


def suppress(*, address: Address, reason: str) -> None:
    """Stop every mail to `address`; queued mail to it is cancelled."""
    address.suppressed_at, address.suppressed_reason = timezone.now(), reason
    with transaction.atomic():
        Address.objects.filter(pk=address.pk).update(
            suppressed_at=address.suppressed_at, suppressed_reason=reason
        )
        Delivery.objects.filter(address=address, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.CANCELLED, last_error=f"address {reason}"
        )


def forget_address(email: str) -> bool:
    """Erase `email`: the address row, every delivery to it (their text included) and,
    through the `unsubscribed` signal with scope "all", whatever other apps hang off it
    (they delete rows that point at the address; the cascade does the rest). Returns
    whether there was anything to forget."""
    address = address_for(email)
    if address is None:
        return False
    with transaction.atomic():
        unsubscribed.send(sender=Address, address=address, scope=ALL, erase=True)
        address.delete()
    return True


# Confirmation ---------------------------------------------------------------------------


@dataclasses.dataclass
class Purpose:
    """Why an address is confirmed, and what its confirmation page offers.

    `describe(address)` gives lines shown above the button (what confirming turns on);
    `form_class` adds choices to the page; the `address_confirmed` signal carries the
    choices to the app that owns the purpose."""

    name: str
    describe: Callable[[Address], list[str]] | None = None
    form_class: type | None = None
    form_initial: Callable[[Address], dict] | None = None


_purposes: dict[str, Purpose] = {}


def register_purpose(name: str, **options) -> Purpose:
    purpose = _purposes[name] = Purpose(name=name, **options)
    return purpose


def purpose(name: str) -> Purpose:
    return _purposes.get(name) or Purpose(name=name)


def base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def confirmation_url(address: Address, purpose: str) -> str:
    token = tokens.make(address, tokens.CONFIRM_SALT, p=purpose)
    return base_url() + reverse("mailing:confirm", args=[token])


def request_confirmation(
    *,
    email: str,
    ip_address: str | None,
    purpose: str,
    reason: str = "",
    confirmed_too: bool = False,
    subject: str = "",
) -> Delivery | None:
    """Queue the confirmation mail for `email`, unless it is confirmed already or a limit
    says no (see the module's docstring). `reason` is one line saying what the reader
    asked for, e.g. the article's title; it must hold nothing a stranger typed.
    `confirmed_too`: ask even an address confirmed before, for a purpose its owner must
    agree to (a newsletter typed into a public form), under the same limits. Returns the
    queued delivery, or None."""
    address = address_for(email, create=True)
    if (address.is_confirmed and not confirmed_too) or address.suppressed_reason in (
        Address.Suppression.BOUNCED,
        Address.Suppression.COMPLAINED,
    ):
        return None
    now = timezone.now()
    with transaction.atomic():
        if not take_unsolicited(address, ip_address, kind="confirmation", now=now):
            return None
        site = site_name()
        context = {
            "site_name": site,
            "reason": reason,
            "url": confirmation_url(address, purpose),
            "days": settings.MASTHEAD_MAIL_CONFIRM_DAYS,
        }
        return _queue(
            event_key=f"confirm:{purpose}:{now:%Y%m%d%H%M%S%f}",
            address=address,
            category=CONFIRMATION,
            subject=subject or _("Confirm your email address for %(site)s") % {"site": site},
            text=render_to_string("mailing/mail/confirm.txt", context),
            html=render_to_string("mailing/mail/confirm.html", context),
            unsubscribe_scope=ALL,
            unsubscribe_label="",
            list_name="confirm",
            unconfirmed=True,
        )


def send_limited(
    *,
    email: str,
    ip_address: str | None,
    event_key: str,
    category: str,
    subject: str,
    text: str,
    html: str,
) -> Delivery | None:
    """Queue a one-off mail that the owner of `email` may not have asked for (a sign-in
    link), under the limits of a confirmation mail. Returns the delivery or None; callers
    answer the same either way, so nobody learns whether an address is known."""
    address = address_for(email, create=True)
    if address.suppressed_reason in (
        Address.Suppression.BOUNCED,
        Address.Suppression.COMPLAINED,
    ):
        return None
    with transaction.atomic():
        if not take_unsolicited(address, ip_address, kind=category, now=timezone.now()):
            return None
        return _queue(
            event_key=event_key,
            address=address,
            category=category,
            subject=subject,
            text=text,
            html=html,
            unsubscribe_scope=ALL,
            unsubscribe_label="",
            list_name=category,
            unconfirmed=True,
        )


# Queuing --------------------------------------------------------------------------------


def site_name() -> str:
    return settings.MASTHEAD_MAIL_FROM_NAME or settings.WAGTAIL_SITE_NAME


def unsubscribe_url(address: Address, scope: str = ALL) -> str:
    token = tokens.make(address, tokens.UNSUBSCRIBE_SALT, s=scope)
    return base_url() + reverse("mailing:unsubscribe", args=[token])


def body_of(delivery: Delivery) -> tuple[str, str]:
    """The text and HTML of one delivery, the reader's footer included."""
    message = delivery.message
    if message is None:
        return delivery.text, delivery.html
    if message.complete:
        links = {
            UNSUBSCRIBE_PLACEHOLDER: unsubscribe_url(
                delivery.address, delivery.unsubscribe_scope or ALL
            ),
            UNSUBSCRIBE_ALL_PLACEHOLDER: unsubscribe_url(delivery.address, ALL),
        }
        text, html = message.text, message.html
        for placeholder, url in links.items():
            text = text.replace(placeholder, url)
            html = html.replace(placeholder, url)
        return text, html
    return _wrap(
        delivery.address,
        text=message.text,
        html=message.html,
        unsubscribe_scope=delivery.unsubscribe_scope or ALL,
        unsubscribe_label=message.unsubscribe_label,
    )


def _wrap(address, *, text, html, unsubscribe_scope, unsubscribe_label) -> tuple[str, str]:
    """The message with its footer: "Stop emails about this …" (the scope's own link) and
    "Stop all emails from <site>"."""
    context = {
        "site_name": site_name(),
        "text": text.rstrip("\n"),
        "html": html,
        "scope_label": unsubscribe_label if unsubscribe_scope != ALL else "",
        "scope_url": unsubscribe_url(address, unsubscribe_scope),
        "all_url": unsubscribe_url(address, ALL),
        "site_url": base_url() + "/",
    }
    return (
        render_to_string("mailing/mail/layout.txt", context),
        render_to_string("mailing/mail/layout.html", context),
    )


def _queue(
    *,
    event_key,
    address,
    category,
    subject,
    text,
    html,
    unsubscribe_scope,
    unsubscribe_label,
    list_name,
    unconfirmed=False,
) -> Delivery | None:
    if not unconfirmed and not address.can_receive:
        return None
    text, html = _wrap(
        address,
        text=text,
        html=html,
        unsubscribe_scope=unsubscribe_scope,
        unsubscribe_label=unsubscribe_label,
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                event_key=event_key[:200],
                address=address,
                category=category,
                subject=" ".join(subject.split())[:255],
                text=text,
                html=html,
                unsubscribe_scope=unsubscribe_scope,
                list_name=list_name,
                next_attempt_at=now,
                unsolicited=unconfirmed,
            )
    except IntegrityError:
        # This event was queued for this address before. Only mail withdrawn before it
        # went (its event undone, then done again) is queued again; anything else stays
        # as it is, so that an event sends its mail once.
        revived = Delivery.objects.filter(
            event_key=event_key[:200],
            address=address,
            status=Delivery.Status.CANCELLED,
            last_error=WITHDRAWN,
        ).update(status=Delivery.Status.QUEUED, last_error="", next_attempt_at=now)
        if not revived:
            return None
        transaction.on_commit(kick, robust=True)
        return Delivery.objects.get(event_key=event_key[:200], address=address)
    transaction.on_commit(kick, robust=True)
    return delivery


def queue_bulk(
    *,
    event_key: str,
    addresses: Iterable[Address],
    category: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe_scope: str = ALL,
    unsubscribe_label: str = "",
    list_name: str = "",
    complete: bool = False,
    chunk: int = 1000,
) -> int:
    """queue_mail for many addresses with the same message (a new comment for every
    follower of an article), stored a chunk at a time; addresses that cannot receive mail
    and those the event was queued for already are left out. The body is stored once (a
    `Message`); each reader's footer is added when their copy is sent. A `complete`
    message (a newsletter) gets no footer: it is a whole document, and its
    UNSUBSCRIBE_PLACEHOLDER and UNSUBSCRIBE_ALL_PLACEHOLDER become the reader's links.
    Returns how many were queued."""
    now = timezone.now()
    subject = " ".join(subject.split())[:255]
    queued = 0
    batch = []

    def flush():
        nonlocal queued
        before = Delivery.objects.filter(event_key=event_key[:200]).count()
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
        queued += Delivery.objects.filter(event_key=event_key[:200]).count() - before
        batch.clear()

    message = None
    for address in addresses:
        if not address.can_receive:
            continue
        if message is None:
            message = Message.objects.create(
                text=text, html=html, unsubscribe_label=unsubscribe_label, complete=complete
            )
        batch.append(
            Delivery(
                event_key=event_key[:200],
                address=address,
                category=category,
                subject=subject,
                message=message,
                unsubscribe_scope=unsubscribe_scope,
                list_name=list_name or category,
                next_attempt_at=now,
            )
        )
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    if queued:
        transaction.on_commit(kick, robust=True)
    return queued


def queue_mail(
    *,
    event_key: str,
    email: str | None = None,
    address: Address | None = None,
    category: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe_scope: str = ALL,
    unsubscribe_label: str = "",
    list_name: str = "",
) -> Delivery | None:
    """Queue a mail to a confirmed, unstopped address; the worker sends it. `text` and
    `html` are the message (the HTML must already be escaped); the footer with the
    unsubscribe links is added here. Once per (event_key, address): queuing again returns
    None and stores nothing. Also None when the address cannot receive mail."""
    address = address or address_for(email or "")
    if address is None:
        return None
    return _queue(
        event_key=event_key,
        address=address,
        category=category,
        subject=subject,
        text=text,
        html=html,
        unsubscribe_scope=unsubscribe_scope,
        unsubscribe_label=unsubscribe_label,
        list_name=list_name or category,
    )


def kick() -> None:
    """Have the worker send what is queued (a task; never in the request)."""
    from .tasks import send_queued_mail

    send_queued_mail.enqueue()


# Unsubscribing --------------------------------------------------------------------------


def unsubscribe(*, address: Address, scope: str) -> None:
    """Scope "all" stops every mail to the address; other scopes belong to the app that
    made the link, which hears of it through the `unsubscribed` signal."""
    with transaction.atomic():
        if scope == ALL:
            if address.suppressed_at is None:
                suppress(address=address, reason=Address.Suppression.UNSUBSCRIBED)
        else:
            Delivery.objects.filter(
                address=address, status=Delivery.Status.QUEUED, unsubscribe_scope=scope
            ).update(status=Delivery.Status.CANCELLED, last_error="unsubscribed")
        unsubscribed.send(sender=Address, address=address, scope=scope, erase=False)


def mail_domain() -> str:
    return urlsplit(base_url()).hostname or "localhost"


def withdraw(*, event_keys: Iterable[str]) -> int:
    """Take back mail of these events that has not gone yet (a comment hidden again
    before its notifications went). Queuing the same event later queues it again; mail
    already sent stays sent, and is not sent again."""
    return Delivery.objects.filter(
        event_key__in=list(event_keys), status=Delivery.Status.QUEUED
    ).update(status=Delivery.Status.CANCELLED, last_error=WITHDRAWN)
