"""What the proven owner of an email address may do to the comments written under it, at
any time: edit, delete, or erase them all. Proof of ownership is the caller's business
(a signed link sent to the address); these functions trust the address they are given.

Every removal keeps a placeholder where replies that are or may become public hang below,
so threads keep their shape; a placeholder carries no personal data (see `_remove`)."""

import dataclasses

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from ..errors import NotFound, ValidationFailed
from ..models import Comment, Commenter, ModerationRule
from .authors import _remove, edit_comment_text
from .common import _after_commit, _recount

# Statuses the author may still edit: a spam verdict or a moderator's trash is theirs to
# delete, not to rewrite.
EDITABLE = (Comment.Status.APPROVED, Comment.Status.PENDING)


def normalise_email(email: str) -> str:
    """The form addresses are compared in: trimmed, lower case."""
    return (email or "").strip().lower()


def _own_comment(comment_id: int, email: str) -> Comment:
    """The comment if it was written under `email`; NotFound otherwise, whether it exists
    or not, so nobody learns of other people's comments."""
    email = normalise_email(email)
    comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
    if (
        not email
        or comment is None
        or comment.is_removed
        or normalise_email(comment.email) != email
    ):
        raise NotFound()
    return comment


def commenter_edit_comment(
    *, comment_id: int, email: str, body: str, ip_address: str | None = None
) -> Comment:
    """Change the text of a comment written under `email`, as its author's edit from the
    browser that posted it does, but at any time: checked, limited and logged as
    `edit_comment_text` says. Only a published comment or one awaiting moderation can be
    edited."""
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(fields={"body": [_("Please type your comment.")]})
    with transaction.atomic():
        comment = _own_comment(comment_id, email)
        if comment.status not in EDITABLE:
            raise ValidationFailed(_("This comment can no longer be edited."))
    # Outside the lock: the edit's checks may take a while; it locks the comment again.
    return edit_comment_text(comment=comment, body=body, ip_address=ip_address)


def commenter_delete_comment(*, comment_id: int, email: str) -> None:
    """Delete a comment written under `email`, whatever its status; one with replies
    below stays as a placeholder without personal data."""
    with transaction.atomic():
        comment = _own_comment(comment_id, email)
        pk = comment.pk
        _remove(comment)
        _recount(comment.page_id)
        _after_commit(comment.page_id, comment_ids=[pk])


@dataclasses.dataclass(frozen=True)
class Erased:
    """What an erasure did, in numbers only (it is logged; it names nobody)."""

    comments_deleted: int = 0
    placeholders_kept: int = 0
    standings_dropped: int = 0


def erase_commenter(*, email: str) -> Erased:
    """Remove every comment written under `email`: deleted, or a placeholder without
    personal data where replies hang below. A moderator's standing for the address
    (trusted or banned) and email rules naming it go too: an erased address is known to
    nobody. One transaction."""
    email = normalise_email(email)
    if not email:
        return Erased()
    with transaction.atomic():
        # Replies before the comments they answer, so a comment whose only replies are
        # the same person's leaves no empty placeholder.
        comments = list(
            Comment.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower=email)
            .select_for_update()
            .order_by("-path")
        )
        deleted = kept = 0
        pages: dict[int, list[int]] = {}
        for comment in comments:
            pages.setdefault(comment.page_id, []).append(comment.pk)
            _remove(comment)
            if comment.pk is None:
                deleted += 1
            else:
                kept += 1
        standings = Commenter.objects.filter(email=email).delete()[0]
        standings += ModerationRule.objects.filter(
            kind=ModerationRule.Kind.EMAIL, value=email
        ).delete()[0]
        for page_id, ids in pages.items():
            _recount(page_id)
            _after_commit(page_id, comment_ids=ids)
    return Erased(comments_deleted=deleted, placeholders_kept=kept, standings_dropped=standings)
