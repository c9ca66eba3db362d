"""A reader's (or a newsroom member's) new comment, through the moderation pipeline."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import markup, networks, signals, sql, tasks, text
from ..errors import CommentsClosed, Refused, ValidationFailed
from ..models import PATH_SEPARATOR, Comment, ModerationEvent
from ..moderation import Action, Candidate, moderate
from .common import _after_commit, _count_one_more, _path_segment, check_limits, comments_open


def submit_comment(
    *,
    page,
    body: str,
    name: str = "",
    email: str = "",
    website: str = "",
    parent: Comment | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    user=None,
    created_at: dt.datetime | None = None,
    traps: dict | None = None,
    own_ids=(),
    subscribe=(),
    submission_key: str = "",
) -> Comment:
    """Store a new comment on `page` with the status the moderation pipeline gives it.

    Raises CommentsClosed when the page takes no comments, Refused when the pipeline
    rejects it, ValidationFailed for bad input, and what a pipeline check raises (the form
    expired, too many posts, a duplicate). A signed-in staff member comments as themselves
    and is marked as from the newsroom. `traps` carries the form's honeypot and signed
    timestamp for the bot-trap check; posts from the web always pass it. `own_ids` are the
    comments the poster's browser posted before (its signed cookie): a poster is told
    about their own comments only, and is a known commenter only from a browser that
    posted an approved comment under the address given. `subscribe` is what the
    author asked to be told of ("replies", "page"); it rides on the comment_submitted
    signal to whichever app sends such mail. `submission_key` is the random key the
    poster's browser sent with this post: the same post sent again with it (its answer
    was lost) returns the comment stored the first time, and stores nothing.
    """
    if not comments_open(page):
        raise CommentsClosed()
    address = networks.parse_address(ip_address)
    ip_address = str(address) if address else None
    body = (body or "").strip()
    if user is not None and user.is_authenticated and user.is_staff:
        name = user.get_full_name() or user.get_username()
        email = user.email
    else:
        user = None
    # Lone surrogates (a JSON body can carry them) read as the form reads them.
    body = text.as_unicode(body)
    name, email, website = (text.as_unicode(v).strip() for v in (name, email, website))
    errors = {}
    if not body:
        errors["body"] = [_("Please type your comment.")]
    if not name:
        errors["name"] = [_("Please enter your name.")]
    if not email and user is None:
        errors["email"] = [_("Please enter your email address.")]
    if errors:
        raise ValidationFailed(fields=errors)
    check_limits(body=body, name=name, email=email, website=website)
    if submission_key:
        earlier = Comment.objects.filter(page_id=page.pk, submission_key=submission_key).first()
        if earlier is not None:
            if _same_post(earlier, body=body, email=email):
                return earlier
            submission_key = ""  # the key came with another text: a new post after all

    if parent is not None:
        # A deleted comment's placeholder and a pingback take no replies (their reply
        # links are not shown; a crafted post must not get around that).
        if (
            parent.page_id != page.pk
            or parent.status != Comment.Status.APPROVED
            or parent.is_removed
            or parent.kind != Comment.Kind.COMMENT
        ):
            raise ValidationFailed(
                _("The comment you are replying to is not available."),
                fields={"parent": [_("The comment you are replying to is not available.")]},
            )
        # A reply to a comment at the deepest level joins that comment's level.
        while parent is not None and parent.depth >= settings.MASTHEAD_COMMENTS_MAX_DEPTH:
            parent = parent.parent

    body_html = markup.render(body)
    decision = moderate(
        Candidate(
            page=page,
            name=name,
            email=email,
            website=website,
            body=body,
            ip_address=ip_address,
            user=user,
            parent=parent,
            user_agent=user_agent or "",
            traps=traps,
            own_ids=tuple(own_ids),
            body_html=body_html,
        )
    )
    if decision.action == Action.REJECT:
        raise Refused()
    status = {
        Action.ACCEPT: Comment.Status.APPROVED,
        Action.HOLD: Comment.Status.PENDING,
        Action.SPAM: Comment.Status.SPAM,
        Action.TRASH: Comment.Status.TRASH,
    }[decision.action]

    created_at = created_at or timezone.now()
    try:
        with transaction.atomic():
            comment = Comment(
                page_id=page.pk,
                parent=parent,
                path="",
                depth=(parent.depth + 1) if parent else 1,
                status=status,
                name=name,
                email=email,
                website=website,
                body=body,
                body_html=body_html,
                user=user,
                is_newsroom=user is not None,
                ip_address=ip_address or None,
                ip_network=networks.sender_network(ip_address),
                user_agent=(user_agent or "")[:255],
                moderation_reasons=decision.reasons,
                spam_score=decision.scores.get("spam"),
                toxicity=decision.scores.get("toxicity"),
                created_at=created_at,
                submission_key=submission_key,
            )
            sql.insert(comment)
            sql.insert(
                ModerationEvent(
                    comment=comment,
                    action="submitted",
                    to_status=status,
                    note="; ".join(decision.reasons)[:255],
                )
            )
            segment = _path_segment(created_at, comment.pk)
            comment.path = (parent.path + PATH_SEPARATOR + segment) if parent else segment
            sql.execute(
                f"UPDATE {sql.table(Comment)} SET path = %s WHERE id = %s",
                [comment.path, comment.pk],
            )
            if status == Comment.Status.APPROVED:
                # Only a public comment changes what readers see.
                _count_one_more(page.pk)
                _after_commit(page.pk, comment_ids=[comment.pk])
            subscribe = tuple(choice for choice in ("replies", "page") if choice in set(subscribe))
            signals.send_in_transaction(
                signals.comment_submitted, sender=Comment, comment=comment, subscribe=subscribe
            )
            if status == Comment.Status.PENDING:
                tasks.comments_held(comment_ids=[comment.pk])
    except IntegrityError:
        # The same post, sent again while the first was still being stored.
        earlier = submission_key and (
            Comment.objects.filter(page_id=page.pk, submission_key=submission_key).first()
        )
        if not earlier or not _same_post(earlier, body=body, email=email):
            raise
        return earlier
    return comment


def _same_post(earlier: Comment, *, body: str, email: str) -> bool:
    return earlier.body == body and earlier.email.lower() == email.lower()
