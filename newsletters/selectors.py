"""Reads of the newsletters app."""

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from mailing.models import Address

from .models import Issue, Newsletter, Subscription


def open_newsletters():
    return Newsletter.objects.filter(is_active=True).order_by("sort_order", "name")


def sent_issues(newsletter: Newsletter):
    return newsletter.issues.filter(status=Issue.Status.SENT).order_by("-date")


def sent_issue(slug: str, date: dt.date) -> Issue | None:
    return (
        Issue.objects.filter(
            newsletter__slug=slug, newsletter__is_active=True, date=date, status=Issue.Status.SENT
        )
        .select_related("newsletter")
        .first()
    )


def address_of(email: str) -> Address | None:
    return Address.objects.filter(email=email.strip().lower()).first()


def choices_for(email: str) -> list[dict]:
    """Each open newsletter and whether the reader gets it (their own page)."""
    status = dict(
        Subscription.objects.filter(address__email=email.strip().lower()).values_list(
            "newsletter_id", "status"
        )
    )
    return [{"newsletter": n, "status": status.get(n.pk, "")} for n in open_newsletters()]


def counts_for(newsletter: Newsletter) -> dict:
    """Active (receiving), waiting for confirmation, unsubscribed, and subscribers whose
    address bounced or complained."""
    stopped = Q(
        address__suppressed_reason__in=[
            Address.Suppression.BOUNCED,
            Address.Suppression.COMPLAINED,
        ]
    )
    receiving = Q(
        status=Subscription.Status.ACTIVE,
        address__suppressed_at__isnull=True,
        address__confirmed_at__isnull=False,
    )
    return Subscription.objects.filter(newsletter=newsletter).aggregate(
        active=Count("pk", filter=receiving),
        pending=Count("pk", filter=Q(status=Subscription.Status.PENDING)),
        unsubscribed=Count("pk", filter=Q(status=Subscription.Status.UNSUBSCRIBED)),
        bounced=Count("pk", filter=stopped),
    )


def counts() -> list[dict]:
    """counts_for each newsletter."""
    return [
        {"newsletter": newsletter, **counts_for(newsletter)}
        for newsletter in Newsletter.objects.order_by("sort_order", "name")
    ]


def growth(newsletter: Newsletter, *, days: int = 30) -> list[dict]:
    """Per day of the last `days`: subscriptions that started and that stopped."""
    since = timezone.now() - dt.timedelta(days=days)
    started = _per_day(newsletter, "activated_at", since)
    stopped = _per_day(newsletter, "unsubscribed_at", since)
    today = timezone.localdate()
    return [
        {
            "day": day,
            "started": started.get(day, 0),
            "stopped": stopped.get(day, 0),
        }
        for day in (today - dt.timedelta(days=n) for n in range(days - 1, -1, -1))
    ]


def _per_day(newsletter: Newsletter, field: str, since) -> dict:
    """{day: how many subscriptions of the newsletter have `field` on that day}."""
    return dict(
        Subscription.objects.filter(newsletter=newsletter, **{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )


def export_rows(newsletter: Newsletter):
    """Every subscription of the newsletter, for the CSV export (a generator)."""
    rows = (
        Subscription.objects.filter(newsletter=newsletter)
        .select_related("address")
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    for s in rows:
        yield [
            s.address.email,
            s.status,
            s.source,
            s.created_at.isoformat(),
            s.activated_at.isoformat() if s.activated_at else "",
            s.unsubscribed_at.isoformat() if s.unsubscribed_at else "",
            s.address.suppressed_reason,
            s.consent_note,
        ]
