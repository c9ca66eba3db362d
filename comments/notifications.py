"""Telling moderators that comments wait for them, one email each or as a digest."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Comment

PERMISSION = "comments.change_comment"


def recipients() -> list[str]:
    """MASTHEAD_COMMENTS_NOTIFY_EMAILS, or every active moderator with an email address."""
    if settings.MASTHEAD_COMMENTS_NOTIFY_EMAILS:
        return list(settings.MASTHEAD_COMMENTS_NOTIFY_EMAILS)
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="change_comment")
            | Q(user_permissions__codename="change_comment")
        )
        .distinct()
    )
    return sorted({user.email for user in users})


def _describe(comment: Comment, titles: dict) -> str:
    reasons = "; ".join(comment.moderation_reasons) or _("held for review")
    return _("%(name)s on “%(title)s” (%(reasons)s):\n%(text)s\n") % {
        "name": comment.name,
        "title": titles.get(comment.page_id, ""),
        "reasons": reasons,
        "text": comment.body[:1000],
    }


def notify(comment_ids) -> int:
    """Email moderators about held comments not yet notified; returns how many."""
    from wagtail.models import Page

    to = recipients()
    comments = list(
        Comment.objects.filter(
            pk__in=list(comment_ids), status=Comment.Status.PENDING, notified_at__isnull=True
        ).order_by("created_at")
    )
    if not comments or not to:
        return 0
    titles = dict(
        Page.objects.filter(pk__in={c.page_id for c in comments}).values_list("pk", "title")
    )
    count = len(comments)
    subject = ngettext(
        "[%(site)s] %(count)d comment is awaiting moderation",
        "[%(site)s] %(count)d comments are awaiting moderation",
        count,
    ) % {"site": settings.WAGTAIL_SITE_NAME, "count": count}
    queue = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/comments/?status=pending"
    body = "\n".join(_describe(c, titles) for c in comments)
    body += "\n" + _("Review them: %(url)s") % {"url": queue} + "\n"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    Comment.objects.filter(pk__in=[c.pk for c in comments]).update(notified_at=timezone.now())
    return count


def send_digest_if_due(now=None) -> int:
    """In digest mode, one email of everything held, once the oldest unreported comment
    has waited MASTHEAD_COMMENTS_DIGEST_MINUTES."""
    if settings.MASTHEAD_COMMENTS_NOTIFY != "digest":
        return 0
    now = now or timezone.now()
    waiting = Comment.objects.filter(status=Comment.Status.PENDING, notified_at__isnull=True)
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    if oldest is None:
        return 0
    if now - oldest < dt.timedelta(minutes=settings.MASTHEAD_COMMENTS_DIGEST_MINUTES):
        return 0
    return notify(list(waiting.values_list("pk", flat=True)))
