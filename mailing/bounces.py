"""Addresses a relay reports as bounced or complaining: from its webhooks (django-anymail's
tracking signal) or from a CSV of its bounce list. Either way every mail to them stops
(`services.suppress`)."""

import logging
from collections.abc import Iterable

from django.conf import settings

from .models import Address
from .services import address_for, suppress

logger = logging.getLogger("masthead.mailing")


def suppress_emails(emails: Iterable[str], *, reason: str) -> int:
    """Stop every mail to these addresses (a relay's bounce list); returns how many were
    stopped now. Addresses not known yet are recorded, so that none is mailed later."""
    if reason not in (Address.Suppression.BOUNCED, Address.Suppression.COMPLAINED):
        raise ValueError(f"not a bounce reason: {reason}")
    stopped = 0
    for email in emails:
        address = address_for(email, create=True) if "@" in (email or "") else None
        if address is None or address.suppressed_reason == reason:
            continue
        suppress(address=address, reason=reason)
        stopped += 1
    return stopped


def tracking_event(sender, event, esp_name, **kwargs) -> None:
    """Receiver of django-anymail's tracking signal (a relay's webhook): a bounce or a
    complaint about an address stops every mail to it."""
    from anymail.signals import EventType

    if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        # Without the shared secret anyone could post an event: nothing is believed.
        logger.warning("%s webhook event ignored: ANYMAIL_WEBHOOK_SECRET is not set", esp_name)
        return
    reasons = {
        EventType.BOUNCED: Address.Suppression.BOUNCED,
        EventType.COMPLAINED: Address.Suppression.COMPLAINED,
        EventType.UNSUBSCRIBED: Address.Suppression.UNSUBSCRIBED,
    }
    reason = reasons.get(event.event_type)
    if event.event_type == EventType.REJECTED and event.reject_reason in ("bounced", "invalid"):
        reason = Address.Suppression.BOUNCED
    if reason is None or not event.recipient:
        return
    address = address_for(event.recipient)
    if address is None or address.suppressed_reason in (
        Address.Suppression.BOUNCED,
        Address.Suppression.COMPLAINED,
    ):
        return
    suppress(address=address, reason=reason)
    logger.info("address %d stopped: %s reported by %s", address.pk, reason, esp_name)
