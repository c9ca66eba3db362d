"""The sign-in mail: the one place self-service sends anything.

A sign-in link goes to an address that may never have asked for mail, so it counts as
unsolicited: at most one such mail per address per MASTHEAD_MAIL_UNCONFIRMED_HOURS and
MASTHEAD_MAIL_PER_RANGE_PER_HOUR per sender network (/24 or /64), counted from the stored
links. The mail is sent by the worker, never in the request; the task is given the
link's id, never the address, so the task queue holds nothing to erase."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.networks import ip_network_of

logger = logging.getLogger("masthead.commenters")


def unsolicited_window() -> dt.timedelta:
    return dt.timedelta(hours=settings.MASTHEAD_MAIL_UNCONFIRMED_HOURS)


def send_sign_in_link(*, link, ip_address: str | None) -> bool:
    """Have the worker mail the sign-in link `link` to its address, unless a limit says
    no; returns whether it will go. Call inside the transaction that stored the link."""
    from .models import SignInLink

    try:
        network = ip_network_of(ip_address)
    except ValueError:
        network = ""
    now = link.created_at
    earlier = SignInLink.objects.exclude(pk=link.pk).select_for_update()
    if earlier.filter(email=link.email, created_at__gte=now - unsolicited_window()).exists():
        logger.info("sign-in mail not sent: the address had one")
        return False
    if network and (
        earlier.filter(network=network, created_at__gte=now - dt.timedelta(hours=1)).count()
        >= settings.MASTHEAD_MAIL_PER_RANGE_PER_HOUR
    ):
        logger.info("sign-in mail not sent: limit for sender network %s", network)
        return False
    SignInLink.objects.filter(pk=link.pk).update(network=network)
    transaction.on_commit(lambda: _enqueue(link.pk), robust=True)
    return True


def _enqueue(link_id: int) -> None:
    from .tasks import send_sign_in_mail

    send_sign_in_mail.enqueue(link_id=link_id)


def deliver(link_id: int) -> bool:
    """Send the sign-in mail of link `link_id` (the worker's part). Nothing goes for a
    link that was used, erased or has expired meanwhile."""
    from . import services
    from .models import SignInLink

    link = SignInLink.objects.filter(pk=link_id, used_at__isnull=True).first()
    if link is None or timezone.now() - link.created_at > services.link_lifetime():
        return False
    site = settings.WAGTAIL_SITE_NAME
    context = {
        "site_name": site,
        "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + reverse("commenters:sign_in", args=[services.link_token(link)]),
        "minutes": settings.MASTHEAD_SELFSERVICE_LINK_MINUTES,
    }
    message = EmailMultiAlternatives(
        subject=_("Your sign-in link for %(site)s") % {"site": site},
        body=render_to_string("commenters/mail/sign_in.txt", context),
        to=[link.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("commenters/mail/sign_in.html", context), "text/html"
    )
    message.send()
    return True


def address_proven(email: str) -> None:
    """Following a sign-in link proves the reader owns the address."""


def forget(email: str) -> bool:
    """Forget whatever was mailed to `email`; returns whether anything was."""
    return False
