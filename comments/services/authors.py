"""What a comment's author may do to it afterwards, from the browser that posted it."""

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import markup, tasks
from ..errors import EditWindowClosed, NotFound, Refused, ValidationFailed
from ..models import AuthorChange, Comment, ModerationEvent, Report
from ..moderation import Action, Candidate, moderate
from .common import (
    _after_commit,
    _recount,
    check_limits,
    check_rate,
    network_of,
    parse_rate_limits,
)

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


def author_edit_comment(
    *, comment_id: int, own_ids, body: str, ip_address: str | None = None, user_agent: str = ""
) -> Comment:
    """The author's edit from the browser that posted the comment (`own_ids`: the
    comments that browser posted), within MASTHEAD_COMMENTS_EDIT_MINUTES; see
    edit_comment_text for the rest. NotFound for a comment that is not theirs,
    EditWindowClosed after the window."""
    comment = _own_comment(comment_id, own_ids)
    return edit_comment_text(
        comment=comment, body=body, ip_address=ip_address, user_agent=user_agent
    )


def edit_comment_text(
    *, comment: Comment, body: str, ip_address: str | None = None, user_agent: str = ""
) -> Comment:
    """Replace the text of `comment` on its author's behalf, checked as a new comment is.

    Who may do so is the caller's business (the browser that posted it, the proven owner
    of its address): call it only for the author. `ip_address` and `user_agent` are the
    editor's, when the edit comes from the web.

    - The text is stripped; empty or over the limit: ValidationFailed (field "body").
    - Only a published comment or one awaiting moderation, not deleted, can be edited:
      ValidationFailed otherwise.
    - At most MASTHEAD_COMMENTS_EDIT_RATE_LIMITS edits of one comment and, with an
      `ip_address`, MASTHEAD_COMMENTS_CHANGE_RATE_LIMITS edits and deletes from its
      network (/24 or /64): RateLimited (429, with Retry-After) beyond.
    - The new text goes through the moderation pipeline with the comment's name, email,
      website and author (the editor's address and browser when given): a rejection
      raises Refused and changes nothing; a hold makes the comment pending (and tells the
      moderators), spam or trash moves it there; otherwise its status stays.
    - The edit is logged (a ModerationEvent "edited" keeping the previous text and the
      checks' reasons), and the page's cached thread is refreshed after commit.

    Runs in a transaction of its own (nested in the caller's, if any) that locks the
    comment; the checks run before it, so that none holds a lock while they work.
    Returns the comment as stored."""
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(fields={"body": [_("Please type your comment.")]})
    check_limits(body=body)
    network = network_of(ip_address)
    # Before the checks (which may ask Akismet), and again under the lock below.
    _check_change_rate(comment_id=comment.pk, network=network, edit=True)
    decision = moderate(
        Candidate(
            page=comment.page,
            name=comment.name,
            email=comment.email,
            website=comment.website,
            body=body,
            ip_address=ip_address or comment.ip_address,
            user=comment.user if comment.is_newsroom else None,
            parent=comment.parent,
            user_agent=user_agent or comment.user_agent,
            # The editor is the author: the comment is theirs to show (known_commenters).
            own_ids=(comment.pk,),
            editing=comment.pk,
        )
    )
    if decision.action == Action.REJECT:
        raise Refused()
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment.pk).first()
        if comment is None:
            raise NotFound()
        before = comment.status
        if comment.is_removed or before not in EDITABLE:
            raise ValidationFailed(_("This comment can no longer be edited."))
        _check_change_rate(comment_id=comment.pk, network=network, edit=True)
        after = max(before, DECIDED[decision.action], key=SEVERITY.index)
        previous = comment.body
        comment.body = body
        comment.body_html = markup.render(body)
        comment.edited_at = timezone.now()
        comment.status = after
        comment.moderation_reasons = [
            *comment.moderation_reasons,
            *(f"edit: {reason}" for reason in decision.reasons),
        ]
        fields = ["body", "body_html", "edited_at", "status", "moderation_reasons"]
        for name, score in (("spam_score", "spam"), ("toxicity", "toxicity")):
            if score in decision.scores:
                setattr(comment, name, decision.scores[score])
                fields.append(name)
        if after != before:
            if after in (Comment.Status.SPAM, Comment.Status.TRASH):
                comment.status_before_trash = before
                fields.append("status_before_trash")
            if after == Comment.Status.PENDING:
                # Held again: the moderators hear of it, even if they did once before.
                comment.notified_at = None
                fields.append("notified_at")
        comment.save(update_fields=fields)
        ModerationEvent.objects.create(
            comment=comment,
            action="edited",
            from_status=before,
            to_status=after,
            note="; ".join(decision.reasons)[:255],
            previous_body=previous,
        )
        _record_change(AuthorChange.Kind.EDIT, network)
        if after != before:
            _recount(comment.page_id)
        _after_commit(comment.page_id, comment_ids=[comment.pk])
        if after == Comment.Status.PENDING and before != after:
            tasks.comments_held(comment_ids=[comment.pk])
    return comment


# Statuses an author's text may still change in: spam and trash are theirs to delete, not
# to rewrite.
EDITABLE = (Comment.Status.APPROVED, Comment.Status.PENDING)
# What each verdict makes of a comment, and which status is the stronger: an edit the
# checks accept keeps the status it had (a held comment stays held).
DECIDED = {
    Action.ACCEPT: Comment.Status.APPROVED,
    Action.HOLD: Comment.Status.PENDING,
    Action.SPAM: Comment.Status.SPAM,
    Action.TRASH: Comment.Status.TRASH,
}
SEVERITY = [
    Comment.Status.APPROVED,
    Comment.Status.PENDING,
    Comment.Status.SPAM,
    Comment.Status.TRASH,
]


def _check_change_rate(*, comment_id: int, network: str, edit: bool) -> None:
    message = _("You are changing comments too quickly. Please wait a little and try again.")
    if edit:
        check_rate(
            spec=settings.MASTHEAD_COMMENTS_EDIT_RATE_LIMITS,
            earlier=ModerationEvent.objects.filter(comment_id=comment_id, action="edited"),
            field="at",
            message=message,
        )
    if network:
        check_rate(
            spec=settings.MASTHEAD_COMMENTS_CHANGE_RATE_LIMITS,
            earlier=AuthorChange.objects.filter(network=network),
            field="at",
            message=message,
        )


def _record_change(kind: str, network: str) -> None:
    if not network:
        return
    now = timezone.now()
    limits = parse_rate_limits(settings.MASTHEAD_COMMENTS_CHANGE_RATE_LIMITS)
    if limits:
        longest = max(window for _, window in limits)
        AuthorChange.objects.filter(at__lt=now - dt.timedelta(seconds=longest)).delete()
    AuthorChange.objects.create(kind=kind, network=network, at=now)


def author_delete_comment(*, comment_id: int, own_ids, ip_address: str | None = None) -> None:
    """Delete the author's own comment (see can_author_change). One with public replies
    stays as a placeholder ("This comment was deleted.") so the conversation keeps its
    shape. With an `ip_address`, at most MASTHEAD_COMMENTS_CHANGE_RATE_LIMITS edits and
    deletes from its network (RateLimited beyond)."""
    network = network_of(ip_address)
    with transaction.atomic():
        comment = _own_comment(comment_id, own_ids)
        _check_change_rate(comment_id=comment.pk, network=network, edit=False)
        pk = comment.pk
        _remove(comment)
        _record_change(AuthorChange.Kind.DELETE, network)
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
    # The texts its edits replaced go with the text.
    ModerationEvent.objects.filter(comment=comment).exclude(previous_body="").update(
        previous_body=""
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
