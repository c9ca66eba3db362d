"""What a reader's browser holds about their own comments (signed cookies)."""

from django.core import signing

PENDING_COOKIE = "masthead_pending"
PENDING_SALT = "masthead.comments.pending"


def pending_pages(request) -> set[int]:
    """Pages on which this browser has a comment awaiting moderation."""
    try:
        value = request.get_signed_cookie(PENDING_COOKIE, default="", salt=PENDING_SALT)
    except signing.BadSignature:
        return set()
    return {int(v) for v in value.split(",") if v.isdigit()}


def remember_pending(response, request, page_id: int) -> None:
    pages = sorted(pending_pages(request) | {page_id})[-50:]
    response.set_signed_cookie(
        PENDING_COOKIE,
        ",".join(map(str, pages)),
        salt=PENDING_SALT,
        max_age=60 * 60 * 24 * 7,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
