"""Every change a reader makes to their own data: asking for a sign-in link, signing in
and out, editing and deleting their comments, erasing themselves.

A reader proves they own an address by following a link mailed to it; nothing here
trusts an address typed into a form. Answers never tell whether an address has been
used on the site."""

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from comments import services as comments
from comments.errors import ApplicationError, NotFound, ValidationFailed
from mailing import services as mailing
from notifications import services as notifications
from notifications.models import Subscription
from notifications.selectors import subscriptions_of

from . import mail
from .models import Erasure, ReaderSession, SignInLink

logger = logging.getLogger("masthead.commenters")

LINK_SALT = "masthead.commenters.sign_in"
ERASE_ACTION = "commenters.erase"


class BadLink(ApplicationError):
    code = "bad_link"
    status = 400
    default_message = _(
        "This sign-in link is not valid. Ask for a new one below; it reaches you in a minute."
    )


class ExpiredLink(BadLink):
    code = "expired_link"
    status = 410
    default_message = _("This sign-in link has expired or was used already. Ask for a new one.")


def normalise(email: str) -> str:
    return (email or "").strip().lower()


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=settings.MASTHEAD_SELFSERVICE_LINK_MINUTES)


def session_lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=settings.MASTHEAD_SELFSERVICE_SESSION_MINUTES)


def request_sign_in(*, email: str, ip_address: str | None) -> None:
    """Mail a sign-in link to `email`, valid for MASTHEAD_SELFSERVICE_LINK_MINUTES and
    once, under the limits of mail nobody asked for (see `mail.send_sign_in_link`).
    Raises ValidationFailed for something that is not an address; otherwise returns
    nothing, whether a mail goes or not and whether the address has ever commented.
    A refused link is not kept."""
    email = normalise(email)
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(
            fields={"email": [_("Please enter a valid email address.")]}
        ) from None
    now = timezone.now()
    with transaction.atomic():
        _forget_stale_links(now)
        link = SignInLink.objects.create(email=email, created_at=now)
        if not mail.send_sign_in_link(link=link, ip_address=ip_address):
            link.delete()


def _forget_stale_links(now) -> None:
    SignInLink.objects.filter(created_at__lt=now - link_lifetime()).delete()


def link_token(link: SignInLink) -> str:
    return signing.dumps(link.pk, salt=LINK_SALT)


def read_link(token: str) -> SignInLink:
    """The unused link a token names; BadLink or ExpiredLink otherwise. Reading changes
    nothing (a mail scanner may fetch the link)."""
    max_age = link_lifetime().total_seconds()
    try:
        pk = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ExpiredLink() from None
    except signing.BadSignature:
        raise BadLink() from None
    if not isinstance(pk, int):
        raise BadLink()
    link = SignInLink.objects.filter(pk=pk).first()
    if link is None or link.used_at is not None:
        raise ExpiredLink()
    return link


def sign_in(*, token: str) -> ReaderSession:
    """Use a sign-in link (once) and start a session for its address, which following
    the link also proves: mailing records the address as confirmed."""
    link = read_link(token)
    now = timezone.now()
    with transaction.atomic():
        used = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now)
        if not used:  # a concurrent POST with the same link won
            raise ExpiredLink()
        ReaderSession.objects.filter(expires_at__lt=now).delete()
        session = ReaderSession.objects.create(
            email=link.email, created_at=now, expires_at=now + session_lifetime()
        )
        mail.address_proven(link.email)
    return session


def sign_out(*, session: ReaderSession) -> None:
    ReaderSession.objects.filter(pk=session.pk).delete()


def edit_comment(
    *, session: ReaderSession, comment_id: int, body: str, ip_address: str | None = None
):
    """The reader's edit: checked by the moderation pipeline as a new comment is (it may
    be held), limited and logged with the text it replaced (see
    comments.services.edit_comment_text)."""
    return comments.commenter_edit_comment(
        comment_id=comment_id, email=session.email, body=body, ip_address=ip_address
    )


def delete_comment(*, session: ReaderSession, comment_id: int) -> None:
    comments.commenter_delete_comment(comment_id=comment_id, email=session.email)


def _own_subscription(session: ReaderSession, subscription_id: int) -> Subscription:
    subscription = subscriptions_of(session.email).filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound(_("That subscription does not exist or is not yours."))
    return subscription


def stop_subscription(*, session: ReaderSession, subscription_id: int) -> None:
    """The reader stops one of their subscriptions (replies to a comment, or an article
    they follow)."""
    subscription = _own_subscription(session, subscription_id)
    notifications.remove_subscription(subscription_id=subscription.pk)


def set_follow_mode(*, session: ReaderSession, subscription_id: int, mode: str) -> None:
    """Each new comment or a daily digest, for one article the reader follows."""
    subscription = _own_subscription(session, subscription_id)
    if subscription.kind != Subscription.Kind.PAGE or mode not in Subscription.Mode.values:
        raise ValidationFailed(_("Please choose how often to hear about this article."))
    notifications.set_follow_mode(
        address=subscription.address, mode=mode, page_id=subscription.page_id
    )


def stop_all_mail(*, session: ReaderSession) -> None:
    """Stop every mail to the reader's address, as the link at the foot of each mail
    does; their subscriptions go with it."""
    address = mailing.address_for(session.email)
    if address is not None:
        mailing.unsubscribe(address=address, scope=mailing.ALL)


def erase(*, session: ReaderSession) -> Erasure:
    """Erase the signed-in reader (see `erase_address`)."""
    return erase_address(email=session.email)


def erase_address(*, email: str) -> Erasure:
    """Erase the owner of `email`: their comments (placeholders without personal data
    where replies hang below), the address out of every record (moderators' standing,
    mail sent to it, subscriptions), every session and sign-in link of the address. The
    action log (Wagtail's history) records the erasure in numbers, without the address.
    One transaction."""
    email = normalise(email)
    with transaction.atomic():
        erased = comments.erase_commenter(email=email)
        forgotten = mail.forget(email)
        SignInLink.objects.filter(email=email).delete()
        ReaderSession.objects.filter(email=email).delete()
        erasure = Erasure.objects.create(
            comments_deleted=erased.comments_deleted,
            placeholders_kept=erased.placeholders_kept,
            standings_dropped=erased.standings_dropped,
            mail_forgotten=forgotten,
        )
        log(
            erasure,
            ERASE_ACTION,
            data={
                "comments_deleted": erased.comments_deleted,
                "placeholders_kept": erased.placeholders_kept,
                "standings_dropped": erased.standings_dropped,
                "mail_forgotten": forgotten,
            },
        )
    logger.info("a reader erased themselves (erasure %s)", erasure.pk)
    return erasure
