"""Moderators' decisions on comments."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import markup, signals, tasks
from ..errors import ValidationFailed
from ..models import Comment, Commenter, ModerationEvent, Report
from .common import _after_commit, _recount, check_limits

MODERATION_ACTIONS = (
    "approve",
    "unapprove",
    "spam",
    "trash",
    "restore",
    "delete",
    "feature",
    "unfeature",
    "trust",
    "ban",
)


TARGETS = {
    "approve": Comment.Status.APPROVED,
    "unapprove": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "trust": Comment.Status.APPROVED,
    "ban": Comment.Status.SPAM,
}


TEACHING = {Comment.Status.APPROVED, Comment.Status.SPAM}


def _target_status(comment: Comment, action: str) -> str | None:
    if action == "restore":
        if comment.status not in (Comment.Status.TRASH, Comment.Status.SPAM):
            return None
        restored = comment.status_before_trash or Comment.Status.PENDING
        if restored in (Comment.Status.TRASH, Comment.Status.SPAM):
            restored = Comment.Status.PENDING
        return restored
    return TARGETS.get(action)


def moderate_comments(*, comment_ids, action: str, moderator=None) -> int:
    """Apply a moderator's decision to comments; returns how many changed.

    approve / unapprove (back to pending) / spam / trash / restore (from trash or spam to
    what it was, or pending) / delete (forever) / feature and unfeature (editors' picks) /
    trust (approve, and approve that email from now on) / ban (spam, and send that email
    to spam from now on). Each change is logged with who made it; approve and spam teach
    the spam filter, and undoing such a decision retrains it."""
    if action not in MODERATION_ACTIONS:
        raise ValidationFailed(_("Unknown action."), fields={"action": [_("Unknown action.")]})
    actor = moderator if getattr(moderator, "pk", None) else None
    changed = 0
    learn, retrain = [], False
    with transaction.atomic():
        comments = list(Comment.objects.select_for_update().filter(pk__in=list(comment_ids)))
        pages = set()
        for comment in comments:
            before = comment.status
            if action in ("trust", "ban") and comment.email:
                Commenter.objects.update_or_create(
                    email=comment.email.lower(),
                    defaults={"standing": "trusted" if action == "trust" else "banned"},
                )
            if action == "delete":
                if before in TEACHING and _decided_by_moderator(comment):
                    retrain = True
                comment.delete()
            elif action in ("feature", "unfeature"):
                featured = action == "feature"
                if comment.featured == featured or (featured and before != "approved"):
                    continue
                comment.featured = featured
                comment.save(update_fields=["featured"])
                ModerationEvent.objects.create(
                    comment=comment,
                    actor=actor,
                    action=action,
                    from_status=before,
                    to_status=before,
                )
            else:
                target = _target_status(comment, action)
                if action == "approve" and before == target:
                    # Keeping a reported comment up: the reports are dealt with, and
                    # this decision stands against later reports.
                    if not Report.objects.filter(comment=comment, resolved=False).update(
                        resolved=True
                    ):
                        continue
                    comment.report_count = 0
                    comment.save(update_fields=["report_count"])
                elif target is None or target == before:
                    if action not in ("trust", "ban"):
                        continue
                else:
                    if target in (Comment.Status.TRASH, Comment.Status.SPAM) and before not in (
                        Comment.Status.TRASH,
                        Comment.Status.SPAM,
                    ):
                        comment.status_before_trash = before
                    if target == Comment.Status.APPROVED:
                        Report.objects.filter(comment=comment).update(resolved=True)
                        comment.report_count = 0
                    comment.status = target
                    comment.save(update_fields=["status", "status_before_trash", "report_count"])
                    if before in TEACHING and _decided_by_moderator(comment):
                        retrain = True
                    elif target in TEACHING and actor is not None:
                        learn.append((comment.pk, target == Comment.Status.SPAM))
                ModerationEvent.objects.create(
                    comment=comment,
                    actor=actor,
                    action=action,
                    from_status=before,
                    to_status=comment.status,
                )
            changed += 1
            pages.add(comment.page_id)
            signals.send_in_transaction(
                signals.comment_moderated,
                sender=Comment,
                comment=comment,
                action=action,
                before=before,
                moderator=moderator,
            )
        for page_id in sorted(pages):  # one lock order for every transaction
            _recount(page_id)
            _after_commit(page_id)
        if retrain:
            tasks.spam_filter_retrain()
        elif learn:
            tasks.spam_filter_learn(decisions=learn)
    return changed


def _decided_by_moderator(comment: Comment) -> bool:
    """Whether the comment's current approve/spam status came from a moderator."""
    last = (
        ModerationEvent.objects.filter(comment=comment)
        .exclude(action__in=["feature", "unfeature", "flagged"])
        .order_by("-at", "-pk")
        .first()
    )
    return last is not None and last.actor_id is not None


def moderator_edit_comment(
    *, comment: Comment, name: str, email: str, website: str, body: str, moderator=None
):
    """A moderator corrects a comment; logged with who did it and the text before."""
    check_limits(body=body, name=name, email=email, website=website)
    with transaction.atomic():
        previous = (
            Comment.objects.select_for_update()
            .filter(pk=comment.pk)
            .values_list("body", flat=True)
            .first()
        )
        comment.name, comment.email, comment.website = name, email, website
        comment.body = body
        comment.body_html = markup.render(body)
        comment.edited_at = timezone.now()
        comment.save()
        ModerationEvent.objects.create(
            comment=comment,
            actor=moderator if getattr(moderator, "pk", None) else None,
            action="edited",
            from_status=comment.status,
            to_status=comment.status,
            previous_body=previous if previous != body else "",
        )
        _after_commit(comment.page_id, comment_ids=[comment.pk])
    return comment
