"""What the checks read about the sender of a post: their recent comments, what they said
on this page before, and the standing moderators gave them.

These run on every comment posted, so each is one short statement written by hand (the
same SQL on SQLite and PostgreSQL): building them with the ORM took five to six times as
long as running them. Emails are compared lowered on both sides, which the index on
LOWER(email) serves; addresses and times by the (ip_address, created_at) index.
"""

import datetime as dt

from django.db import connection

from ..models import Comment, Commenter

COMMENTS = Comment._meta.db_table
COMMENTERS = Commenter._meta.db_table


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands times back as naive UTC; PostgreSQL as aware ones.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def latest_times(
    *, since: dt.datetime, limit: int, ip_address: str | None = None, email: str | None = None
) -> list[list[dt.datetime]]:
    """When the sender's comments since `since` were posted, latest first, at most `limit`,
    for each address given: the IP address, then the email address (in any letter case).
    One statement for both."""
    conditions = []
    if ip_address:
        conditions.append(("ip_address = %s", ip_address))
    if email:
        conditions.append(("LOWER(email) = LOWER(%s)", email.strip()))
    if not conditions:
        return []
    since = connection.ops.adapt_datetimefield_value(since)
    sql = " UNION ALL ".join(
        f"SELECT {number} AS sender, created_at FROM (SELECT created_at FROM {COMMENTS}"
        f" WHERE {condition} AND created_at >= %s ORDER BY created_at DESC LIMIT %s) s{number}"
        for number, (condition, _value) in enumerate(conditions)
    )
    params = [p for _condition, value in conditions for p in (value, since, limit)]
    times = [[] for _ in conditions]
    for number, created_at in _rows(sql, params):
        times[number].append(_aware(created_at))
    return [sorted(each, reverse=True) for each in times]


def bodies_on_page(email: str, page_id: int) -> list[str]:
    """The text of every comment this email address (in any letter case) left on the page."""
    rows = _rows(
        f"SELECT body FROM {COMMENTS} WHERE LOWER(email) = LOWER(%s) AND page_id = %s",
        [email.strip(), page_id],
    )
    return [body for (body,) in rows]


def has_approved(email: str) -> bool:
    """Whether a moderator ever approved a comment from this email address."""
    return bool(
        _rows(
            f"SELECT 1 FROM {COMMENTS} WHERE LOWER(email) = LOWER(%s) AND status = %s LIMIT 1",
            [email.strip(), Comment.Status.APPROVED.value],
        )
    )


def standing(email: str) -> str | None:
    """What moderators decided about this email address: trusted, banned, or nothing."""
    rows = _rows(f"SELECT standing FROM {COMMENTERS} WHERE email = %s", [email.strip().lower()])
    return rows[0][0] if rows else None
