"""Where the comments and mailing apps' signals meet this app's services. Receivers only
hand over: the work happens in services, and mail fan-out in the worker."""

from django.conf import settings
from django.utils.translation import gettext as _

from comments.models import Comment


def submitted(sender, comment, subscribe=(), **kwargs):
    from . import services, tasks

    if not settings.MASTHEAD_NOTIFICATIONS:
        return
    services.subscribe_author(comment=comment, subscribe=subscribe)
    if comment.status == Comment.Status.APPROVED:
        tasks.notify_public_comment.enqueue(comment_id=comment.pk)


def moderated(sender, comment, action, before, **kwargs):
    from . import services, tasks

    if not settings.MASTHEAD_NOTIFICATIONS:
        return
    if comment.status == Comment.Status.APPROVED and before != Comment.Status.APPROVED:
        tasks.notify_public_comment.enqueue(comment_id=comment.pk)
        if before in services.HIDDEN:
            # A comment freed from spam: its author's wishes can now be confirmed.
            from mailing import services as mailing

            address = mailing.address_for(comment.email)
            if (
                address is not None
                and services.Subscription.objects.filter(
                    address=address, page_id=comment.page_id
                ).exists()
            ):
                services.ask_to_confirm(
                    address=address, page_id=comment.page_id, ip_address=comment.ip_address
                )
    elif before == Comment.Status.APPROVED and comment.status != Comment.Status.APPROVED:
        services.comment_hidden(comment_id=comment.pk)


def unsubscribed(sender, address, scope, erase=False, **kwargs):
    from . import services

    services.unsubscribed(address=address, scope=scope, erase=erase)


def confirmed(sender, address, purpose, data, **kwargs):
    from . import services

    if purpose == services.PURPOSE and data.get("mode"):
        services.set_follow_mode(address=address, mode=data["mode"])


def _describe(address) -> list[str]:
    from .selectors import subscriptions_of

    lines = []
    for subscription in subscriptions_of(address):
        if subscription.kind == subscription.Kind.REPLIES:
            lines.append(
                _("Replies to your comment on “%(title)s”") % {"title": subscription.page.title}
            )
        else:
            lines.append(_("New comments on “%(title)s”") % {"title": subscription.page.title})
    return lines


def _initial(address) -> dict:
    from .models import Subscription

    follow = Subscription.objects.filter(address=address, kind=Subscription.Kind.PAGE).first()
    return {"mode": follow.mode if follow else Subscription.Mode.EACH}


def register_purpose() -> None:
    from mailing import services as mailing

    from . import services
    from .forms import FollowModeForm

    mailing.register_purpose(
        services.PURPOSE, describe=_describe, form_class=FollowModeForm, form_initial=_initial
    )
