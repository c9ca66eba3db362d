"""Where the mailing app's signals meet this app's services."""

from django.utils.translation import gettext as _


def newsletters_changed(sender, **kwargs):
    from django.db import transaction

    from pagecache.versions import bump_site

    transaction.on_commit(bump_site)


def unsubscribed(sender, address, scope, erase=False, **kwargs):
    from . import services

    services.unsubscribed(address=address, scope=scope, erase=erase)


def confirmed(sender, address, purpose, data, **kwargs):
    from . import services

    if purpose == services.PURPOSE:
        services.confirmed(address=address)


def _describe(address) -> list[str]:
    from .models import Subscription

    waiting = Subscription.objects.filter(
        address=address, status=Subscription.Status.PENDING
    ).select_related("newsletter")
    return [_("The newsletter “%(name)s”") % {"name": s.newsletter.name} for s in waiting]


def register_purpose() -> None:
    from mailing import services as mailing

    from . import services

    mailing.register_purpose(services.PURPOSE, describe=_describe)
