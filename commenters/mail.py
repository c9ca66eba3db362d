"""The sign-in mail, the one mail self-service sends, through the mailing app: queued in
its outbox, sent by the worker (never in the request), and held to the limits of mail
nobody asked for (one per address per MASTHEAD_MAIL_UNCONFIRMED_HOURS, a few per sender
network an hour; see docs/notifications.md)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from mailing import services as mailing
from mailing.models import Address

CATEGORY = "sign_in"


def send_sign_in_link(*, link, ip_address: str | None) -> bool:
    """Queue the mail with the sign-in link `link` to its address, unless a limit says
    no; returns whether it will go. The link names the stored link, never the address."""
    from . import services

    site = mailing.site_name()
    context = {
        "site_name": site,
        "url": mailing.base_url() + reverse("commenters:sign_in", args=[services.link_token(link)]),
        "minutes": settings.MASTHEAD_SELFSERVICE_LINK_MINUTES,
    }
    delivery = mailing.send_limited(
        email=link.email,
        ip_address=ip_address,
        event_key=f"{CATEGORY}:{link.pk}",
        category=CATEGORY,
        subject=_("Your sign-in link for %(site)s") % {"site": site},
        text=render_to_string("commenters/mail/sign_in.txt", context),
        html=render_to_string("commenters/mail/sign_in.html", context),
    )
    return delivery is not None


def address_proven(email: str) -> None:
    """Following a sign-in link proves the reader reads the address: it counts as
    confirmed from now on."""
    mailing.confirm(
        address=mailing.address_for(email, create=True), how=Address.Confirmation.SIGN_IN
    )


def forget(email: str) -> bool:
    """Forget the address and everything mailed to it, subscriptions included; returns
    whether there was anything to forget."""
    return mailing.forget_address(email)
