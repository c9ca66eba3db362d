"""Readers liking (and, when switched on, disliking) public comments.

A like changes a comment's count and nothing a reader sees at once: it does not retire the
cached page (a breaking story takes thousands of likes a minute). Cached pages show the
counts of their render; the live state (comments.live) shows them within
MASTHEAD_COMMENTS_LIVE_MAX_AGE seconds.

A reader is a signed key their browser holds (no account). Clearing cookies mints a new
one, so likes from one address range (/24 for IPv4, /64 for IPv6) are capped per comment
(MASTHEAD_COMMENTS_LIKES_PER_NETWORK) and rate-limited (MASTHEAD_COMMENTS_LIKE_RATE), both
counted from the stored likes.
"""

import datetime as dt
import hashlib
import hmac
import math

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import sql
from ..errors import AlreadyLiked, NotFound, TooManyLikes, ValidationFailed
from ..models import Comment, Like
from ..networks import ip_network_of


def keyed(kind: str, value: str) -> str:
    """A keyed hash of a browser key or an address range: counts each once, names nobody."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def like_rate() -> tuple[int, int]:
    """MASTHEAD_COMMENTS_LIKE_RATE as (likes, seconds); 0 likes turns the limit off."""
    raw = settings.MASTHEAD_COMMENTS_LIKE_RATE
    try:
        count, seconds = (int(part) for part in str(raw).split("/"))
    except ValueError:
        raise ImproperlyConfigured(
            f"MASTHEAD_COMMENTS_LIKE_RATE={raw!r}: write likes/seconds, e.g. 120/600."
        ) from None
    return count, max(seconds, 1)


def like_comment(
    *, comment_id: int, reader_key: str, ip_address: str | None = None, value: int = 1
) -> Comment:
    """Record one reader's like (value 1) or dislike (value -1) of a public comment and
    return the comment with its new counts.

    Raises NotFound for a comment that is not public (held, spam, trashed, deleted by its
    author, a pingback), AlreadyLiked when this reader, or too many readers of their
    address range, already liked it, TooManyLikes over the range's rate limit."""
    if value not in (1, -1) or (value == -1 and not settings.MASTHEAD_COMMENTS_DISLIKES):
        raise ValidationFailed(fields={"value": [_("Choose like or dislike.")]})
    reader = keyed("reader", reader_key)
    try:
        network = ip_network_of(ip_address)
    except ValueError:
        network = ""
    network = keyed("network", network) if network else ""
    now = timezone.now()
    with transaction.atomic():
        found = sql.rows(
            f"SELECT page_id FROM {sql.table(Comment)} WHERE id = %s AND status = %s"
            " AND kind = %s AND NOT is_removed",
            [comment_id, Comment.Status.APPROVED, Comment.Kind.COMMENT],
        )
        if not found:
            raise NotFound(_("That comment cannot be liked."))
        if network:
            _check_network(comment_id, network, now)
        try:
            with transaction.atomic():
                sql.insert(
                    Like(
                        comment_id=comment_id,
                        value=value,
                        reader=reader,
                        network=network,
                        created_at=now,
                    )
                )
        except IntegrityError:
            raise AlreadyLiked() from None
        column = "likes" if value == 1 else "dislikes"
        sql.execute(
            f"UPDATE {sql.table(Comment)} SET {column} = {column} + 1 WHERE id = %s",
            [comment_id],
        )
        likes, dislikes = sql.rows(
            f"SELECT likes, dislikes FROM {sql.table(Comment)} WHERE id = %s", [comment_id]
        )[0]
    comment = Comment(pk=comment_id, page_id=found[0][0], likes=likes, dislikes=dislikes)
    return comment


def _check_network(comment_id: int, network: str, now: dt.datetime) -> None:
    table = sql.table(Like)
    cap = settings.MASTHEAD_COMMENTS_LIKES_PER_NETWORK
    if cap:
        (same,) = sql.rows(
            f"SELECT COUNT(*) FROM {table} WHERE comment_id = %s AND network = %s",
            [comment_id, network],
        )[0]
        if same >= cap:
            raise AlreadyLiked()
    limit, seconds = like_rate()
    if limit:
        since = connection.ops.adapt_datetimefield_value(now - dt.timedelta(seconds=seconds))
        # The range's latest likes in the window, as many as the limit allows.
        recent = sql.rows(
            f"SELECT created_at FROM {table} WHERE network = %s AND created_at > %s"
            " ORDER BY created_at DESC LIMIT %s",
            [network, since, limit],
        )
        if len(recent) >= limit:
            waited = (now - sql.aware(recent[-1][0])).total_seconds()
            retry = max(1, math.ceil(seconds - waited))
            raise TooManyLikes(headers={"Retry-After": str(retry)})
