"""Named reads of the mailing app."""

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Address, Delivery


def _per_day(queryset, field: str, since) -> dict:
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return dict(rows)


def daily_report(*, days: int = 30, now=None) -> dict:
    """Mail per day over the last `days` days, newest first: queued (stored that day),
    sent, failed and unsubscribed (addresses that stopped all mail that day), and the
    current totals. A fixed number of queries, whatever the volume."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    since = now - dt.timedelta(days=days)
    queued = _per_day(Delivery.objects.all(), "created_at", since)
    sent = _per_day(Delivery.objects.filter(status=Delivery.Status.SENT), "sent_at", since)
    failed = _per_day(Delivery.objects.filter(status=Delivery.Status.FAILED), "failed_at", since)
    stopped = _per_day(
        Address.objects.filter(suppressed_reason=Address.Suppression.UNSUBSCRIBED),
        "suppressed_at",
        since,
    )
    rows = []
    for offset in range(days):
        day = today - dt.timedelta(days=offset)
        rows.append(
            {
                "day": day,
                "queued": queued.get(day, 0),
                "sent": sent.get(day, 0),
                "failed": failed.get(day, 0),
                "unsubscribed": stopped.get(day, 0),
            }
        )
    totals = dict(
        Delivery.objects.values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "rows": rows,
        "waiting": totals.get(Delivery.Status.QUEUED, 0) + totals.get(Delivery.Status.SENDING, 0),
        "sent": totals.get(Delivery.Status.SENT, 0),
        "failed": totals.get(Delivery.Status.FAILED, 0),
        "recent_failures": list(
            Delivery.objects.filter(status=Delivery.Status.FAILED)
            .order_by("-failed_at")
            .values("category", "last_error", "failed_at", "attempts")[:20]
        ),
    }
