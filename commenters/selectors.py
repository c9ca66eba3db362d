"""What a signed-in reader sees of their own data: their comments and everything stored
about them, for the page and for the download."""

from django.utils import timezone
from django.utils.translation import gettext as _

from comments.models import Comment
from comments.selectors import comments_by_email
from mailing import services as mailing
from notifications.models import Subscription
from notifications.selectors import subscriptions_of

from .models import ReaderSession


def current_session(pk) -> ReaderSession | None:
    """The session `pk` names if it has not ended."""
    if not isinstance(pk, int):
        return None
    return ReaderSession.objects.filter(pk=pk, expires_at__gt=timezone.now()).first()


def status_label(comment: Comment) -> str:
    """What the author is told of a comment's status. A spam verdict is shown as
    waiting, as under the article: the poster learns nothing of the filters."""
    if comment.status == Comment.Status.APPROVED:
        return _("Published")
    if comment.status == Comment.Status.TRASH:
        return _("Removed by a moderator")
    return _("Awaiting moderation")


def my_comments(email: str, request=None) -> list[dict]:
    """The reader's comments, newest first, each with its page's title and address and
    what they may do with it."""
    rows = []
    for comment in comments_by_email(email):
        page = comment.page
        rows.append(
            {
                "comment": comment,
                "status": status_label(comment),
                "page_title": page.title,
                "page_url": page.get_url(request) or "",
                "link": comment.get_absolute_url() if comment.is_public else "",
                "editable": comment.status in (Comment.Status.APPROVED, Comment.Status.PENDING),
            }
        )
    return rows


def export(email: str, request=None) -> dict:
    """Everything the site stores about the reader, as JSON-ready data (data
    portability): each comment with the text as written and as shown, where and when,
    and what it was sent from."""
    comments = []
    for comment in comments_by_email(email):
        page = comment.page
        comments.append(
            {
                "id": comment.pk,
                "page": {"title": page.title, "url": page.get_full_url(request) or ""},
                "in_reply_to": comment.parent_id,
                "status": status_label(comment),
                "name": comment.name,
                "email": comment.email,
                "website": comment.website,
                "text": comment.body,
                "html": comment.body_html,
                "created_at": comment.created_at.isoformat(),
                "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
                "ip_address": comment.ip_address,
                "user_agent": comment.user_agent,
            }
        )
    subscriptions = [
        {
            "kind": row["subscription"].kind,
            "page": {
                "title": row["page_title"],
                "url": row["subscription"].page.get_full_url(request) or "",
            },
            "comment": row["subscription"].comment_id,
            "mode": row["mode"] if row["follows_page"] else None,
            "since": row["subscription"].created_at.isoformat(),
        }
        for row in my_subscriptions(email, request)
    ]
    address = mailing.address_for(email)
    return {
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "address": {
            "confirmed_at": _iso(address.confirmed_at) if address else None,
            "mail_stopped_at": _iso(address.suppressed_at) if address else None,
        },
        "comments": comments,
        "subscriptions": subscriptions,
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def my_subscriptions(email: str, request=None) -> list[dict]:
    """The reader's subscriptions, newest first, each with its article."""
    rows = []
    for subscription in subscriptions_of(email):
        page = subscription.page
        rows.append(
            {
                "subscription": subscription,
                "follows_page": subscription.kind == Subscription.Kind.PAGE,
                "page_title": page.title,
                "page_url": page.get_url(request) or "",
                "mode": subscription.mode,
            }
        )
    return rows


def mail_stopped(email: str) -> bool:
    """Whether every mail to the address is stopped (by its owner or a bounce)."""
    address = mailing.address_for(email)
    return address is not None and address.suppressed_at is not None
