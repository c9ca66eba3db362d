"""Readers reporting public comments to the moderators."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .. import tasks
from ..errors import AlreadyReported, NotFound, ValidationFailed
from ..models import Comment, ModerationEvent, Report
from .common import _after_commit, _recount, check_limits, check_rate, network_of

# Events that record no decision about whether a comment should be up.
NOT_DECISIONS = ("feature", "unfeature", "flagged")


def report_comment(
    *,
    comment_id: int,
    reason: str,
    reporter_key: str,
    note: str = "",
    ip_address: str | None = None,
) -> Report:
    """A reader reports a public comment on a page anonymous readers may see.

    `reporter_key` names the reader's browser (a keyed hash, nothing that identifies
    them); a browser reports a comment once (AlreadyReported). Readers are counted by the
    network of `ip_address` (/24 or /64, see comments.networks): reports from one network
    count once, and reports without an address do not count. Each network may send
    MASTHEAD_COMMENTS_REPORT_RATE_LIMITS reports (RateLimited beyond).

    When MASTHEAD_COMMENTS_REPORTS_TO_HOLD readers have reported it, the comment is held
    for the moderators, except a newsroom comment, an editors' pick and a comment a
    moderator approved as it stands: those stay up and are flagged for the moderators
    (the Reported tab of the queue). Only a hold tells the moderators by mail."""
    if reason not in Report.Reason.values:
        raise ValidationFailed(fields={"reason": [_("Please choose a reason.")]})
    check_limits(note=note)
    network = network_of(ip_address)
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update()
            .filter(pk=comment_id, status=Comment.Status.APPROVED)
            .on_public_pages()
            .first()
        )
        if comment is None:
            raise NotFound()
        if Report.objects.filter(comment=comment, reporter=reporter_key).exists():
            raise AlreadyReported()
        if network:
            check_rate(
                spec=settings.MASTHEAD_COMMENTS_REPORT_RATE_LIMITS,
                earlier=Report.objects.filter(network=network),
                message=_("You have sent many reports. Please wait a little and try again."),
            )
        unresolved = Report.objects.filter(comment=comment, resolved=False)
        readers_before = _readers(unresolved)
        report = Report.objects.create(
            comment=comment,
            reason=reason,
            note=note.strip(),
            reporter=reporter_key,
            network=network,
        )
        readers = _readers(unresolved)
        comment.report_count = unresolved.count()
        fields = ["report_count"]
        threshold = settings.MASTHEAD_COMMENTS_REPORTS_TO_HOLD
        if threshold and readers_before < threshold <= readers:
            kept_up = _kept_up_because(comment)
            what = f"reported by {readers} readers"
            if kept_up:
                comment.moderation_reasons = [
                    *comment.moderation_reasons,
                    f"flag: {what}, kept up ({kept_up})",
                ]
                fields += ["moderation_reasons"]
                ModerationEvent.objects.create(
                    comment=comment,
                    action="flagged",
                    from_status=comment.status,
                    to_status=comment.status,
                    note=f"{what}; kept up: {kept_up}",
                )
            else:
                comment.status = Comment.Status.PENDING
                comment.moderation_reasons = [*comment.moderation_reasons, f"hold: {what}"]
                fields += ["status", "moderation_reasons"]
                ModerationEvent.objects.create(
                    comment=comment,
                    action="reported",
                    from_status="approved",
                    to_status="pending",
                    note=what,
                )
        comment.save(update_fields=fields)
        if "status" in fields:
            _recount(comment.page_id)
            _after_commit(comment.page_id, comment_ids=[comment.pk])
            tasks.comments_held(comment_ids=[comment.pk])
    return report


def _readers(reports) -> int:
    """How many readers the site can tell apart among these reports: one per network
    (each browser reports a comment once, so these are different browsers too)."""
    return reports.exclude(network="").values("network").distinct().count()


def _kept_up_because(comment: Comment) -> str:
    """Why reports may not take this comment down ("" when they may)."""
    if comment.is_newsroom:
        return "newsroom comment"
    if comment.featured:
        return "editors' pick"
    last = (
        ModerationEvent.objects.filter(comment=comment)
        .exclude(action__in=NOT_DECISIONS)
        .order_by("-at", "-pk")
        .first()
    )
    # A moderator's approval covers the text they saw; an edit since then does not.
    if last is not None and last.actor_id is not None and last.to_status == "approved":
        return "approved by a moderator"
    return ""
