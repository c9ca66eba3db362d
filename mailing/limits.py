"""The limits on mail nobody asked for, counted in the database so that they hold across
app servers: one per address per MASTHEAD_MAIL_UNCONFIRMED_HOURS, and
MASTHEAD_MAIL_PER_RANGE_PER_HOUR per sender IP range (/24 for IPv4, /64 for IPv6)."""

import datetime as dt
import ipaddress
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Address, Throttle

logger = logging.getLogger("masthead.mailing")


def ip_range(ip_address: str | None) -> str | None:
    """The network a sender's address belongs to for rate limits: its /24 (IPv4) or /64
    (IPv6), as one person commonly holds a whole /64."""
    if not ip_address:
        return None
    try:
        ip = ipaddress.ip_address(ip_address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def take(key: str, *, limit: int, window: dt.timedelta, now=None) -> bool:
    """Count one against `key` if fewer than `limit` were counted in the current window;
    returns whether it was allowed. The window starts at the first hit after the last one
    ran out. Call inside a transaction: the counter row stays locked until it ends."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            Throttle.objects.get_or_create(key=key, defaults={"window_start": now})
    except IntegrityError:
        pass
    row = Throttle.objects.select_for_update().get(key=key)
    if now - row.window_start >= window:
        row.window_start, row.count = now, 0
    if row.count >= limit:
        return False
    row.count += 1
    row.save(update_fields=["window_start", "count"])
    return True


class _Refused(Exception):
    pass


def take_unsolicited(address: Address, ip_address: str | None, *, kind: str, now) -> bool:
    """The limits on mail to an address that has not asked for it: one per address per
    MASTHEAD_MAIL_UNCONFIRMED_HOURS (shared by every kind), and
    MASTHEAD_MAIL_PER_RANGE_PER_HOUR per sender range. Both are counted or neither, so a
    refused request uses up nobody's allowance."""
    network = ip_range(ip_address)
    hours = settings.MASTHEAD_MAIL_UNCONFIRMED_HOURS
    try:
        with transaction.atomic():
            if not take(
                f"address:{address.pk}", limit=1, window=dt.timedelta(hours=hours), now=now
            ):
                raise _Refused(f"address {address.pk} already had one")
            if network is not None and not take(
                f"range:{network}",
                limit=settings.MASTHEAD_MAIL_PER_RANGE_PER_HOUR,
                window=dt.timedelta(hours=1),
                now=now,
            ):
                raise _Refused(f"limit for sender range {network}")
    except _Refused as refused:
        logger.info("%s mail not sent: %s", kind, refused)
        return False
    return True
