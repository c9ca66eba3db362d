"""What the checks read about the sender of a post: their network's recent comments, what
this browser said on this page before, and the standing moderators gave an address.

An email address is a claim anyone can type: nothing read here by address alone refuses a
post or lets one through (a moderator's ban sends it to spam, without a word to the
poster). What a browser posted is known from its signed cookie.

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


def latest_times(*, since: dt.datetime, limit: int, ip_address: str | None) -> list[dt.datetime]:
    """When the comments from the sender's network (comments.networks: an IPv4 address,
    an IPv6 reader's whole /64) since `since` were posted, latest first, at most `limit`."""
    network = networks.sender_network(ip_address)
    if not network:
        return []
    rows = sql.rows(
        f"SELECT created_at FROM {COMMENTS} WHERE ip_network = %s AND created_at >= %s"
        " ORDER BY created_at DESC LIMIT %s",
        [network, connection.ops.adapt_datetimefield_value(since), limit],
    )
    return [sql.aware(created_at) for (created_at,) in rows]


def _own(own_ids) -> tuple[str, list[int]]:
    ids = [int(i) for i in own_ids][:50] or [0]
    return ", ".join(["%s"] * len(ids)), ids


def own_bodies_on_page(own_ids, page_id: int) -> list[str]:
    """The text of every comment this browser posted (`own_ids`, from its signed cookie)
    on the page."""
    marks, ids = _own(own_ids)
    rows = sql.rows(
        f"SELECT body FROM {COMMENTS} WHERE id IN ({marks}) AND page_id = %s", [*ids, page_id]
    )
    return [body for (body,) in rows]


def others_said_on_page(email: str, page_id: int, body_matches, own_ids=()) -> int | None:
    """The id of a comment under this email address (in any letter case) on the page, not
    posted from this browser, whose text `body_matches`; None when there is none."""
    marks, ids = _own(own_ids)
    rows = sql.rows(
        f"SELECT id, body FROM {COMMENTS} WHERE LOWER(email) = LOWER(%s) AND page_id = %s"
        f" AND id NOT IN ({marks})",
        [email.strip(), page_id, *ids],
    )
    return next((pk for pk, body in rows if body_matches(body)), None)


def has_approved_from(email: str, own_ids) -> bool:
    """Whether this browser (`own_ids`, from its signed cookie) posted a comment under this
    email address (in any letter case) that is approved: proof that the poster is the
    commenter moderators let through, which typing the address is not."""
    if not own_ids:
        return False
    marks, ids = _own(own_ids)
    return bool(
        sql.rows(
            f"SELECT 1 FROM {COMMENTS} WHERE id IN ({marks}) AND LOWER(email) = LOWER(%s)"
            " AND status = %s LIMIT 1",
            [*ids, email.strip(), Comment.Status.APPROVED.value],
        )
    )


def has_approved(email: str) -> bool:
    """Whether a moderator ever approved a comment under this email address, from any
    browser (for the reasons moderators read, never for a decision by itself)."""
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
