"""Named reads of the notifications app."""

from django.db.models import Count

from mailing import services as mailing

from .models import Subscription


def subscriptions_of(address_or_email):
    """A reader's subscriptions with their pages, newest first (for their own page and for
    moderators)."""
    if isinstance(address_or_email, str):
        address = mailing.address_for(address_or_email)
        if address is None:
            return Subscription.objects.none()
    else:
        address = address_or_email
    return (
        Subscription.objects.filter(address=address)
        .select_related("page", "comment")
        .order_by("-created_at", "-pk")
    )


def follower_counts(page_ids=None) -> dict[int, int]:
    """Readers following each page (confirmed addresses, not stopped)."""
    follows = Subscription.objects.filter(
        kind=Subscription.Kind.PAGE,
        address__confirmed_at__isnull=False,
        address__suppressed_at__isnull=True,
    )
    if page_ids is not None:
        follows = follows.filter(page_id__in=list(page_ids))
    return dict(follows.values("page_id").annotate(n=Count("pk")).values_list("page_id", "n"))
