"""The live state of a page's thread, which its readers' browsers poll: the public count,
the likes of its comments, and which comments became public after a moment.

The state is one small JSON document per page (and per moment asked about, which is the
time the cached page was rendered, so every reader of one cached copy asks the same
question). It is kept in the cache for MASTHEAD_COMMENTS_LIVE_MAX_AGE seconds, so a poll
costs a cache read; a change to the thread (a comment approved, removed) starts a new
generation of it at once, while likes show within that time.
"""

import datetime as dt
import hashlib
import json
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from . import services
from .models import Comment, ModerationEvent
from .thread import count_heading

# At most this many newly public comments are announced at once.
NEW_LIMIT = 100


def generation_key(page_id: int) -> str:
    return f"comments:live:generation:{page_id}"


def thread_changed(sender, page_id, **kwargs) -> None:
    """Receiver of comments.signals.thread_changed: the page's live state is read again."""
    cache.set(generation_key(page_id), time.time_ns(), timeout=None)


def state(page_id: int, since_ms: int | None) -> tuple[bytes, str]:
    """The page's live state as JSON, and its ETag."""
    generation = cache.get(generation_key(page_id), 0)
    key = f"comments:live:{page_id}:{generation}:{since_ms or 0}"
    held = cache.get(key)
    if held is None:
        body = json.dumps(_build(page_id, since_ms), separators=(",", ":")).encode()
        held = (body, '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"')
        cache.set(key, held, timeout=max(settings.MASTHEAD_COMMENTS_LIVE_MAX_AGE, 1))
    return held


def _build(page_id: int, since_ms: int | None) -> dict:
    count = services.public_count(page_id)
    liked = (
        Comment.objects.public()
        .filter(page_id=page_id, kind=Comment.Kind.COMMENT, is_removed=False)
        .filter(Q(likes__gt=0) | Q(dislikes__gt=0))
        .values_list("pk", "likes", "dislikes")
    )
    data = {
        "count": count,
        "count_text": count_heading(count),
        "likes": {},
        "new": [],
        "poll": settings.MASTHEAD_COMMENTS_LIVE_POLL if settings.MASTHEAD_COMMENTS_LIVE else 0,
    }
    dislikes = settings.MASTHEAD_COMMENTS_DISLIKES
    if dislikes:
        data["dislikes"] = {}
    for pk, likes, disliked in liked:
        if likes:
            data["likes"][str(pk)] = likes
        if dislikes and disliked:
            data["dislikes"][str(pk)] = disliked
    if since_ms:
        since = dt.datetime.fromtimestamp(since_ms / 1000, tz=dt.UTC)
        # Every decision that made a comment public is an event (a post approved at once,
        # a moderator's approval), so the events after the moment say what is new.
        became_public = (
            ModerationEvent.objects.filter(
                at__gt=since,
                to_status=Comment.Status.APPROVED,
                comment__page_id=page_id,
                comment__kind=Comment.Kind.COMMENT,
                comment__status=Comment.Status.APPROVED,
                comment__is_removed=False,
            )
            .order_by("comment_id")
            .values_list("comment_id", "comment__parent_id")
            .distinct()[:NEW_LIMIT]
        )
        data["new"] = [[pk, parent] for pk, parent in became_public]
    return data
