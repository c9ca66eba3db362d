"""What a comment's author may do to it afterwards, from the browser that posted it."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import markup
from ..errors import EditWindowClosed, NotFound, ValidationFailed
from ..models import Comment
from .common import _after_commit, _recount, check_limits


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
    check_limits(body=body)
    with transaction.atomic():
        comment = _own_comment(comment_id, own_ids)
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
        _remove(comment)
        _recount(comment.page_id)
        _after_commit(comment.page_id, comment_ids=[comment.pk])


def _remove(comment: Comment) -> None:
    # Replies that are or may become public keep a placeholder to hang from; spam and
    # trash do not, or readers would see "deleted" over nothing.
    live = (Comment.Status.APPROVED, Comment.Status.PENDING)
    if comment.replies.filter(status__in=live).exists():
        comment.is_removed = True
        comment.body = ""
        comment.body_html = ""
        comment.website = ""
        comment.save(update_fields=["is_removed", "body", "body_html", "website"])
    else:
        comment.delete()
