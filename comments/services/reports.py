"""Readers reporting public comments to the moderators."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .. import tasks
from ..errors import AlreadyReported, NotFound, ValidationFailed
from ..models import Comment, ModerationEvent, Report
from .common import _after_commit, _recount, check_limits


def report_comment(*, comment_id: int, reason: str, reporter_key: str, note: str = "") -> Report:
    """A reader reports a public comment. Reports from MASTHEAD_COMMENTS_REPORTS_TO_HOLD
    different readers hold it until a moderator decides; a reader reports a comment once."""
    if reason not in Report.Reason.values:
        raise ValidationFailed(fields={"reason": [_("Please choose a reason.")]})
    check_limits(note=note)
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update()
            .filter(pk=comment_id, status=Comment.Status.APPROVED)
            .first()
        )
        if comment is None:
            raise NotFound()
        if Report.objects.filter(comment=comment, reporter=reporter_key).exists():
            raise AlreadyReported()
        report = Report.objects.create(
            comment=comment, reason=reason, note=note.strip(), reporter=reporter_key
        )
        comment.report_count = Report.objects.filter(comment=comment, resolved=False).count()
        fields = ["report_count"]
        threshold = settings.MASTHEAD_COMMENTS_REPORTS_TO_HOLD
        if threshold and comment.report_count >= threshold:
            comment.status = Comment.Status.PENDING
            comment.moderation_reasons = [
                *comment.moderation_reasons,
                f"hold: reported by {comment.report_count} readers",
            ]
            fields += ["status", "moderation_reasons"]
            ModerationEvent.objects.create(
                comment=comment,
                action="reported",
                from_status="approved",
                to_status="pending",
                note=f"reported by {comment.report_count} readers",
            )
        comment.save(update_fields=fields)
        if "status" in fields:
            _recount(comment.page_id)
            _after_commit(comment.page_id, comment_ids=[comment.pk])
            transaction.on_commit(lambda: tasks.comments_held(comment_ids=[comment.pk]))
    return report
