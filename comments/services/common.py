"""What every comment write shares: field limits, the page's stored public count, and the
after-commit signal that refreshes caches."""

import datetime as dt
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import signals, sql, text
from ..errors import ValidationFailed
from ..models import PATH_SEGMENT, Comment, Thread
from ..networks import ip_network_of, parse_address

# What readers and moderators write as text; the email is checked as an address.
TEXT_FIELDS = ("name", "body", "website", "note")
LIMITS = {"body": 5000, "name": 100, "email": 254, "website": 200, "note": 300}
DELETED_TEXT = "This comment was deleted."


def comments_open(page) -> bool:
    """Whether `page` accepts new comments now."""
    specific = page.specific
    if not getattr(specific, "comments_enabled", False):
        return False
    days = settings.MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS
    published = page.first_published_at
    if days and published and timezone.now() > published + dt.timedelta(days=days):
        return False
    return True


def _path_segment(created_at: dt.datetime, pk: int) -> str:
    return PATH_SEGMENT.format(millis=int(created_at.timestamp() * 1000), pk=pk)


def _recount(page_id: int) -> int:
    """Store the page's public comment count; call inside the transaction that changed
    a comment's visibility so the count is never wrong.

    The thread row is locked before counting: a concurrent change to the same page waits
    here until this transaction commits, then counts with this one's comments in view
    (counting first and locking after lost one of two concurrent comments on PostgreSQL)."""
    thread, _ = Thread.objects.select_for_update().get_or_create(page_id=page_id)
    # A placeholder left by its author's delete holds replies but is no comment to count.
    count = Comment.objects.filter(
        page_id=page_id,
        status=Comment.Status.APPROVED,
        kind=Comment.Kind.COMMENT,
        is_removed=False,
    ).count()
    if thread.public_count != count:
        Thread.objects.filter(pk=thread.pk).update(public_count=count)
    return count


def _count_one_more(page_id: int) -> None:
    """Add a new public comment to the page's stored count. The increment is one UPDATE,
    which waits for the row lock and adds to the latest committed value, so concurrent
    posts each count; a page without a count yet is counted in full."""
    updated = sql.execute(
        f"UPDATE {sql.table(Thread)} SET public_count = public_count + 1 WHERE page_id = %s",
        [page_id],
    )
    if not updated:
        _recount(page_id)


def _after_commit(page_id: int, *, comment_ids=()):
    """Tell the receivers of thread_changing now (inside the transaction) and those of
    thread_changed once it is committed."""
    signals.send_in_transaction(
        signals.thread_changing, sender=Comment, page_id=page_id, comment_ids=list(comment_ids)
    )
    transaction.on_commit(
        lambda: signals.thread_changed.send(
            sender=Comment, page_id=page_id, comment_ids=list(comment_ids)
        )
    )


def check_limits(**values) -> None:
    """Field errors for values over their limit, for a website that is not http(s), and
    for characters a name or a text may not hold (comments.text: control characters,
    noncharacters, direction overrides, nothing visible)."""
    errors = {}
    website = values.get("website")
    if website and not website.lower().startswith(("http://", "https://")):
        errors["website"] = [_("Please enter a web address, like https://example.com.")]
    for field, value in values.items():
        limit = LIMITS.get(field)
        if limit and value and len(value) > limit:
            errors[field] = [
                _("Ensure this value has at most %(limit)d characters (it has %(count)d).")
                % {"limit": limit, "count": len(value)}
            ]
    characters = text.problems(**{f: v for f, v in values.items() if f in TEXT_FIELDS})
    errors.update({f: m for f, m in characters.items() if f not in errors})
    if errors:
        raise ValidationFailed(fields=errors)


def parse_rate_limits(spec: str) -> list[tuple[int, int]]:
    """ "5/60,30/3600" -> [(5, 60), (30, 3600)]: at most count actions per seconds."""
    limits = []
    for part in spec.split(","):
        if part.strip():
            count, seconds = part.strip().split("/")
            limits.append((int(count), int(seconds)))
    return limits


def check_rate(*, spec: str, earlier, field: str = "created_at", message: str) -> None:
    """Raise RateLimited (429, with Retry-After) when the queryset `earlier` (the sender's
    earlier actions, each stamped with `field`) already holds `count` of them in the last
    `seconds`, for any pair of the limits `spec` (see parse_rate_limits). Counted from the
    database, so every app server sees the same count."""
    from ..moderation.checks import RateLimited

    limits = parse_rate_limits(spec)
    if not limits:
        return
    now = timezone.now()
    since = now - dt.timedelta(seconds=max(window for _, window in limits))
    most = max(count for count, _ in limits)
    times = list(
        earlier.filter(**{f"{field}__gte": since})
        .order_by(f"-{field}")
        .values_list(field, flat=True)[:most]
    )
    for count, window in limits:
        if len(times) >= count:
            # The count-th latest is in the window: this action would be one too many.
            waited = (now - times[count - 1]).total_seconds()
            if waited < window:
                raise RateLimited(
                    message, headers={"Retry-After": str(max(1, math.ceil(window - waited)))}
                )


def network_of(ip_address: str | None) -> str:
    """The /24 or /64 network of the address, or "" for none (or one that is no address)."""
    address = parse_address(ip_address)
    return ip_network_of(address) if address is not None else ""


def public_count(page_id: int) -> int:
    found = sql.rows(f"SELECT public_count FROM {sql.table(Thread)} WHERE page_id = %s", [page_id])
    return found[0][0] if found else 0


def recount(page_id: int) -> int:
    """Store and return the page's public comment count (approved reader comments)."""
    with transaction.atomic():
        count = _recount(page_id)
        _after_commit(page_id)
    return count
