"""What a reader's browser holds about their own comments, in cookies: no account needed.

Signed cookies (the server trusts them): the comments this browser posted (to edit or
delete them for a while, as Isso does) and the pages where one of them awaits moderation
(those pages are rendered fresh for this reader instead of coming from the shared cache).
Plain cookies a script reads: the commenter's details, kept only with their consent, and
which comments may still be edited (to offer the links on a cached page)."""

import time

from django.conf import settings
from django.core import signing

from .params import whole_number

OWN_COOKIE = "masthead_own_comments"
OWN_SALT = "masthead.comments.own"
PENDING_COOKIE = "masthead_pending"
PENDING_SALT = "masthead.comments.pending"
COMMENTER_COOKIE = "masthead_commenter"
EDITABLE_COOKIE = "masthead_editable"
LIMIT = 50


def _read_ids(request, cookie: str, salt: str) -> list[int]:
    try:
        value = request.get_signed_cookie(cookie, default="", salt=salt)
    except signing.BadSignature:
        return []
    ids = (whole_number(v) for v in value.split(","))
    return [i for i in ids if i is not None][:LIMIT]


def _write_ids(response, request, cookie: str, salt: str, ids, *, days: int) -> None:
    response.set_signed_cookie(
        cookie,
        ",".join(map(str, list(ids)[:LIMIT])),
        salt=salt,
        max_age=60 * 60 * 24 * days,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def own_comment_ids(request) -> list[int]:
    """Ids of comments posted from this browser, newest first."""
    return _read_ids(request, OWN_COOKIE, OWN_SALT)


def remember_own(response, request, comment_id: int) -> None:
    ids = [comment_id, *(i for i in own_comment_ids(request) if i != comment_id)]
    _write_ids(response, request, OWN_COOKIE, OWN_SALT, ids, days=30)


def pending_pages(request) -> set[int]:
    """Pages on which this browser has a comment awaiting moderation."""
    return set(_read_ids(request, PENDING_COOKIE, PENDING_SALT))


def remember_pending(response, request, page_id: int) -> None:
    pages = [
        page_id,
        *(p for p in _read_ids(request, PENDING_COOKIE, PENDING_SALT) if p != page_id),
    ]
    _write_ids(response, request, PENDING_COOKIE, PENDING_SALT, pages, days=7)


def remember_editable(response, request, comment) -> None:
    """Which of this browser's comments may still be edited, and until when ("id.epoch"
    pairs); the server checks the signed cookie, not this one."""
    now = int(time.time())
    entries = []
    for part in request.COOKIES.get(EDITABLE_COOKIE, "").split("|"):
        pk, _, until = (whole_number(v) for v in part.partition("."))
        if pk is not None and until is not None and until > now and pk != comment.pk:
            entries.append(f"{pk}.{until}")
    minutes = settings.MASTHEAD_COMMENTS_EDIT_MINUTES
    until = int(comment.created_at.timestamp()) + minutes * 60
    response.set_cookie(
        EDITABLE_COOKIE,
        "|".join([f"{comment.pk}.{until}", *entries][:20]),
        max_age=minutes * 60,
        samesite="Lax",
        secure=request.is_secure(),
    )


READER_KEY_COOKIE = "masthead_reader_key"
READER_KEY_SALT = "masthead.comments.reader"


def reader_key(request) -> str | None:
    """The key this browser was given to like comments with, if it holds a valid one."""
    try:
        value = request.get_signed_cookie(READER_KEY_COOKIE, default="", salt=READER_KEY_SALT)
    except signing.BadSignature:
        return None
    return value if value.isalnum() and len(value) == 32 else None


def remember_reader_key(response, request, key: str) -> None:
    response.set_signed_cookie(
        READER_KEY_COOKIE,
        key,
        salt=READER_KEY_SALT,
        max_age=60 * 60 * 24 * 365,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
