"""What readers asked to be told of, and the mail about comments that follows.

Mail goes through mailing.services only: an address gets nothing but its confirmation
until it is confirmed, every mail is queued once per (event, reader) and sent by the
worker. A comment's notifications all share the event key "comment:N", so a reader who
both follows the article and wrote the comment replied to gets one mail, and a reply that
is approved, unapproved and approved again mails once.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from comments.models import Comment
from mailing import services as mailing
from mailing.models import Address

from .models import DigestRun, Subscription

logger = logging.getLogger("masthead.notifications")

PURPOSE = "comments"
DIGEST_SCOPE = "digest"
HIDDEN = (Comment.Status.SPAM, Comment.Status.TRASH)


def page_scope(page_id: int) -> str:
    return f"page:{page_id}"


def event_key(comment_id: int) -> str:
    return f"comment:{comment_id}"


def _title(page_id: int) -> str:
    return Page.objects.filter(pk=page_id).values_list("title", flat=True).first() or ""


# Subscribing ----------------------------------------------------------------------------


def subscribe_author(*, comment: Comment, subscribe) -> list[Subscription]:
    """Record what the author of `comment` ticked under the form ("replies", "page") and,
    unless their address is confirmed, ask them to confirm it (mailing's limits apply).
    Nothing is asked of an address on behalf of a comment sent to spam or trash."""
    if not settings.MASTHEAD_NOTIFICATIONS or not subscribe or not comment.email:
        return []
    address = mailing.address_for(comment.email, create=True)
    made = []
    if "replies" in subscribe:
        made.append(_get_or_create(address, Subscription.Kind.REPLIES, comment.page_id, comment))
    if "page" in subscribe:
        made.append(_get_or_create(address, Subscription.Kind.PAGE, comment.page_id, None))
    if comment.status not in HIDDEN:
        ask_to_confirm(address=address, page_id=comment.page_id, ip_address=comment.ip_address)
    return made


def _get_or_create(address, kind, page_id, comment) -> Subscription:
    lookup = {"address": address, "kind": kind}
    lookup.update({"comment": comment} if comment else {"page_id": page_id})
    try:
        with transaction.atomic():
            subscription, _created = Subscription.objects.get_or_create(
                **lookup, defaults={"page_id": page_id}
            )
    except IntegrityError:  # a concurrent post made it
        subscription = Subscription.objects.get(**lookup)
    return subscription


def ask_to_confirm(*, address: Address, page_id: int, ip_address) -> None:
    if address.is_confirmed:
        return
    mailing.request_confirmation(
        email=address.email,
        ip_address=ip_address,
        purpose=PURPOSE,
        reason=_("emails about comments on “%(title)s”") % {"title": _title(page_id)},
    )


def set_follow_mode(*, address: Address, mode: str, page_id: int | None = None) -> int:
    """Each new comment or a daily digest, for one followed page or all of them."""
    if mode not in Subscription.Mode.values:
        raise ValueError(f"unknown mode {mode!r}")
    follows = Subscription.objects.filter(address=address, kind=Subscription.Kind.PAGE)
    if page_id is not None:
        follows = follows.filter(page_id=page_id)
    return follows.update(mode=mode)


def stop_page(*, address: Address, page_id: int) -> int:
    """No more mail about this page: its follow and the reply subscriptions of the
    reader's comments on it."""
    deleted, _counts = Subscription.objects.filter(address=address, page_id=page_id).delete()
    return deleted


def remove_subscription(*, subscription_id: int) -> bool:
    """A moderator removes one subscription."""
    deleted, _counts = Subscription.objects.filter(pk=subscription_id).delete()
    return bool(deleted)


def unsubscribed(*, address: Address, scope: str, erase: bool = False) -> None:
    """mailing's `unsubscribed` signal: "page:N" stops that page, "digest" stops the
    digest, "all" (stop all, or erasure) drops every subscription."""
    if scope == mailing.ALL:
        Subscription.objects.filter(address=address).delete()
    elif scope == DIGEST_SCOPE:
        Subscription.objects.filter(
            address=address, kind=Subscription.Kind.PAGE, mode=Subscription.Mode.DIGEST
        ).delete()
    elif scope.startswith("page:") and scope[5:].isdigit():
        stop_page(address=address, page_id=int(scope[5:]))


# Mail about a comment -------------------------------------------------------------------


def comment_link(comment: Comment) -> str:
    """The comment on the page of its thread that shows it: …/article/?cpage=N#comment-N."""
    from comments.thread import page_of_comment

    page = Page.objects.filter(pk=comment.page_id).first()
    url = page.url if page is not None else None
    if not url:
        from django.urls import reverse

        return mailing.base_url() + reverse("comments:permalink", args=[comment.pk])
    if url.startswith("/"):
        url = mailing.base_url() + url
    number = page_of_comment(comment)
    suffix = f"?cpage={number}" if number > 1 else ""
    return f"{url}{suffix}#{comment.anchor}"


def _comment_mail(comment: Comment, template: str, title: str) -> tuple[str, str]:
    context = {
        "comment": comment,
        "title": title,
        "link": comment_link(comment),
        "site_name": mailing.site_name(),
    }
    return (
        render_to_string(f"notifications/mail/{template}.txt", context),
        render_to_string(f"notifications/mail/{template}.html", context),
    )


def comment_became_public(*, comment_id: int) -> int:
    """Queue the mail about a comment readers can now see: to the author of the comment it
    replies to, and to the article's followers who want each comment. Runs in the worker;
    returns how many mails were queued."""
    if not settings.MASTHEAD_NOTIFICATIONS:
        return 0
    comment = (
        Comment.objects.filter(pk=comment_id, status=Comment.Status.APPROVED, is_removed=False)
        .select_related("parent")
        .first()
    )
    if comment is None or comment.kind != Comment.Kind.COMMENT:
        return 0
    author = mailing.normalise(comment.email)
    title = _title(comment.page_id)
    key = event_key(comment.pk)
    stop_label = _("Stop emails about this article")
    queued = 0
    with transaction.atomic():
        parent = comment.parent
        if (
            parent is not None
            and parent.status == Comment.Status.APPROVED
            and mailing.normalise(parent.email) != author
        ):
            subscriptions = Subscription.objects.filter(
                kind=Subscription.Kind.REPLIES, comment=parent
            ).select_related("address")
            for subscription in subscriptions:
                if subscription.address.email == author:
                    continue
                text, html = _comment_mail(comment, "reply", title)
                queued += (
                    mailing.queue_mail(
                        event_key=key,
                        address=subscription.address,
                        category="reply",
                        subject=_("%(name)s replied to your comment on “%(title)s”")
                        % {"name": comment.name, "title": title},
                        text=text,
                        html=html,
                        unsubscribe_scope=page_scope(comment.page_id),
                        unsubscribe_label=stop_label,
                        list_name="comments",
                    )
                    is not None
                )
        followers = (
            Address.objects.filter(
                comment_subscriptions__kind=Subscription.Kind.PAGE,
                comment_subscriptions__page_id=comment.page_id,
                comment_subscriptions__mode=Subscription.Mode.EACH,
                confirmed_at__isnull=False,
                suppressed_at__isnull=True,
            )
            .exclude(email=author)
            .order_by("pk")
        )
        text, html = _comment_mail(comment, "comment", title)
        queued += mailing.queue_bulk(
            event_key=key,
            addresses=followers.iterator(chunk_size=2000),
            category="follow",
            subject=_("New comment by %(name)s on “%(title)s”")
            % {"name": comment.name, "title": title},
            text=text,
            html=html,
            unsubscribe_scope=page_scope(comment.page_id),
            unsubscribe_label=stop_label,
            list_name="comments",
        )
    return queued


def comment_hidden(*, comment_id: int) -> int:
    """A public comment was hidden again: its mail that has not gone yet does not go."""
    return mailing.withdraw(event_keys=[event_key(comment_id)])


# The daily digest -----------------------------------------------------------------------


def digest_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The 24 hours a day's digest covers: up to that day's digest hour, site time."""
    end = timezone.make_aware(
        dt.datetime.combine(day, dt.time(settings.MASTHEAD_NOTIFICATIONS_DIGEST_HOUR))
    )
    return end - dt.timedelta(days=1), end


def send_digest_if_due(now=None) -> int:
    """Once a day, at MASTHEAD_NOTIFICATIONS_DIGEST_HOUR in the site's time zone (or at the
    worker's first round after it), queue one digest per reader of the new public comments
    on every article they follow by digest. A day's digest is queued in one transaction
    with the row that marks it done, so it goes out once, whatever runs it."""
    if not settings.MASTHEAD_NOTIFICATIONS:
        return 0
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.MASTHEAD_NOTIFICATIONS_DIGEST_HOUR:
        return 0
    start, end = digest_window(local.date())
    try:
        with transaction.atomic():
            DigestRun.objects.create(day=local.date(), window_start=start, window_end=end)
            return queue_digest(day=local.date(), start=start, end=end)
    except IntegrityError:
        return 0  # that day's digest is done


def queue_digest(*, day: dt.date, start: dt.datetime, end: dt.datetime) -> int:
    from django.urls import reverse

    follows = list(
        Subscription.objects.filter(
            kind=Subscription.Kind.PAGE,
            mode=Subscription.Mode.DIGEST,
            address__confirmed_at__isnull=False,
            address__suppressed_at__isnull=True,
        ).values_list("address_id", "page_id")
    )
    if not follows:
        return 0
    comments_by_page: dict[int, list] = {}
    for comment in (
        Comment.objects.public()
        .filter(
            page_id__in={page_id for _address, page_id in follows},
            kind=Comment.Kind.COMMENT,
            is_removed=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        .only("pk", "page_id", "name", "email", "body", "created_at", "path")
        .order_by("page_id", "path")
    ):
        comment.link = mailing.base_url() + reverse("comments:permalink", args=[comment.pk])
        comments_by_page.setdefault(comment.page_id, []).append(comment)
    if not comments_by_page:
        return 0
    pages = {
        page.pk: page
        for page in Page.objects.filter(pk__in=list(comments_by_page)).only("pk", "title")
    }
    wanted: dict[int, list[int]] = {}
    for address_id, page_id in follows:
        if page_id in comments_by_page:
            wanted.setdefault(address_id, []).append(page_id)
    site = mailing.site_name()
    queued = 0
    for address in Address.objects.filter(pk__in=list(wanted)).order_by("pk").iterator(2000):
        sections = []
        for page_id in sorted(wanted[address.pk], key=lambda pk: pages[pk].title):
            comments = [
                c for c in comments_by_page[page_id] if mailing.normalise(c.email) != address.email
            ]
            if comments:
                sections.append({"title": pages[page_id].title, "comments": comments})
        if not sections:
            continue
        count = sum(len(section["comments"]) for section in sections)
        context = {"sections": sections, "site_name": site, "day": day, "count": count}
        queued += (
            mailing.queue_mail(
                event_key=f"digest:{day.isoformat()}",
                address=address,
                category="digest",
                subject=_("%(count)d new comments on articles you follow") % {"count": count}
                if count != 1
                else _("1 new comment on an article you follow"),
                text=render_to_string("notifications/mail/digest.txt", context),
                html=render_to_string("notifications/mail/digest.html", context),
                unsubscribe_scope=DIGEST_SCOPE,
                unsubscribe_label=_("Stop the daily digest"),
                list_name="digest",
            )
            is not None
        )
    logger.info("digest of %s queued for %d readers", day, queued)
    return queued
