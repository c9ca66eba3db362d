"""What the checks read about the sender of a post: their recent comments, what they said
on this page before, and the standing moderators gave them.

These run on every comment posted, so each is one short statement written by hand (see
comments.sql). Emails are compared lowered on both sides, which the index on LOWER(email)
serves; networks and times by the (ip_network, created_at) index.
"""

import datetime as dt

from django.db import connection

from .. import networks, sql
from ..models import Comment, Commenter

COMMENTS = sql.table(Comment)
COMMENTERS = sql.table(Commenter)


def latest_times(
    *, since: dt.datetime, limit: int, ip_address: str | None = None, email: str | None = None
) -> list[list[dt.datetime]]:
    """When the sender's comments since `since` were posted, latest first, at most `limit`,
    for each address given: the IP address's network (comments.networks: an IPv6 reader's
    whole /64), then the email address (in any letter case). One statement for both."""
    conditions = []
    network = networks.sender_network(ip_address)
    if network:
        conditions.append(("ip_network = %s", network))
    if email:
        conditions.append(("LOWER(email) = LOWER(%s)", email.strip()))
    if not conditions:
        return []
    since = connection.ops.adapt_datetimefield_value(since)
    statement = " UNION ALL ".join(
        f"SELECT {number} AS sender, created_at FROM (SELECT created_at FROM {COMMENTS}"
        f" WHERE {condition} AND created_at >= %s ORDER BY created_at DESC LIMIT %s) s{number}"
        for number, (condition, _value) in enumerate(conditions)
    )
    params = [p for _condition, value in conditions for p in (value, since, limit)]
    times = [[] for _ in conditions]
    for number, created_at in sql.rows(statement, params):
        times[number].append(sql.aware(created_at))
    return [sorted(each, reverse=True) for each in times]


def bodies_on_page(email: str, page_id: int) -> list[str]:
    """The text of every comment this email address (in any letter case) left on the page."""
    rows = sql.rows(
        f"SELECT body FROM {COMMENTS} WHERE LOWER(email) = LOWER(%s) AND page_id = %s",
        [email.strip(), page_id],
    )
    return [body for (body,) in rows]


def has_approved(email: str) -> bool:
    """Whether a moderator ever approved a comment from this email address."""
    return bool(
        sql.rows(
            f"SELECT 1 FROM {COMMENTS} WHERE LOWER(email) = LOWER(%s) AND status = %s LIMIT 1",
            [email.strip(), Comment.Status.APPROVED.value],
        )
    )


def standing(email: str) -> str | None:
    """What moderators decided about this email address: trusted, banned, or nothing."""
    rows = sql.rows(f"SELECT standing FROM {COMMENTERS} WHERE email = %s", [email.strip().lower()])
    return rows[0][0] if rows else None
