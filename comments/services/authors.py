"""What a comment's author may do to it afterwards, from the browser that posted it."""

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import markup
from ..errors import EditWindowClosed, NotFound, ValidationFailed
from ..models import Comment, ModerationEvent, Report
from .common import _after_commit, _recount, check_limits

# The name a placeholder keeps: the author's own is personal data.
PLACEHOLDER_NAME = "Deleted"
# What stands where a placeholder's address or IP address was named.
ERASED = "[erased]"


def can_author_change(comment: Comment, own_ids) -> bool:
    """The author may edit or delete from the browser that posted it, for a while."""
    if comment.pk not in set(own_ids) or comment.is_removed:
        return False
    if comment.status not in (Comment.Status.APPROVED, Comment.Status.PENDING):
        return False
    window = dt.timedelta(minutes=settings.MASTHEAD_COMMENTS_EDIT_MINUTES)
    return timezone.now() <= comment.created_at + window


def _own_comment(comment_id: int, own_ids) -> Comment:
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or comment.pk not in set(own_ids):
        raise NotFound()
    if not can_author_change(comment, own_ids):
        raise EditWindowClosed()
    return comment


def author_edit_comment(*, comment_id: int, own_ids, body: str) -> Comment:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(fields={"body": [_("Please type your comment.")]})
    with transaction.atomic():
        return _apply_edit(_own_comment(comment_id, own_ids), body)


def _apply_edit(comment: Comment, body: str) -> Comment:
    """The change of text every author's edit makes; call inside a transaction."""
    check_limits(body=body)
    comment.body = body
    comment.body_html = markup.render(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    _after_commit(comment.page_id, comment_ids=[comment.pk])
    return comment


def author_delete_comment(*, comment_id: int, own_ids) -> None:
    """Delete the author's own comment. One with public replies stays as a placeholder
    ("This comment was deleted.") so the conversation keeps its shape."""
    with transaction.atomic():
        comment = _own_comment(comment_id, own_ids)
        pk = comment.pk
        _remove(comment)
        _recount(comment.page_id)
        _after_commit(comment.page_id, comment_ids=[pk])


def _remove(comment: Comment) -> None:
    """Delete `comment`, or, when replies that are or may become public hang below it,
    keep it as a placeholder ("This comment was deleted.") that carries nothing of its
    author: no text, name, address, website, IP address or user agent, and neither its
    moderation reasons nor the notes of its moderation events and reports name the
    address or the IP address. Call inside a transaction; the caller recounts the page."""
    # Spam and trash replies do not keep a placeholder, or readers would see "deleted"
    # over nothing.
    live = (Comment.Status.APPROVED, Comment.Status.PENDING)
    if not comment.replies.filter(status__in=live).exists():
        comment.delete()
        return
    needles = [n for n in (comment.email.strip().lower(), comment.ip_address) if n]
    comment.is_removed = True
    comment.body = comment.body_html = ""
    comment.name = PLACEHOLDER_NAME
    comment.email = comment.website = comment.user_agent = ""
    comment.ip_address = None
    comment.ip_network = ""
    comment.user = None
    comment.moderation_reasons = [_scrub(r, needles) for r in comment.moderation_reasons]
    comment.save(
        update_fields=[
            "is_removed",
            "body",
            "body_html",
            "name",
            "email",
            "website",
            "user_agent",
            "ip_address",
            "ip_network",
            "user",
            "moderation_reasons",
        ]
    )
    for model in (ModerationEvent, Report):
        for pk, note in (
            model.objects.filter(comment=comment).exclude(note="").values_list("pk", "note")
        ):
            scrubbed = _scrub(note, needles)
            if scrubbed != note:
                model.objects.filter(pk=pk).update(note=scrubbed)


def _scrub(text: str, needles) -> str:
    """`text` with every occurrence of each needle (case-insensitive) replaced."""
    for needle in sorted(needles, key=len, reverse=True):
        text = re.sub(re.escape(needle), ERASED, text, flags=re.IGNORECASE)
    return text
