"""What the newsletter tests share: a newsletter, its subscribers, the mail they got."""

import datetime as dt
import email.header
import re

from django.utils import timezone

from mailing import services as mailing
from mailing.sending import send_due
from news.tests import factories as news
from newsletters import services
from newsletters.models import IssueItem, Newsletter, Subscription


def newsletter(name="The Morning Briefing", slug="morning", **kwargs) -> Newsletter:
    return Newsletter.objects.create(name=name, slug=slug, **kwargs)


def subscriber(newsletter: Newsletter, email: str) -> Subscription:
    """An active subscriber whose address is confirmed (as after their click)."""
    address = mailing.confirm(address=mailing.address_for(email, create=True))
    return Subscription.objects.create(
        newsletter=newsletter,
        address=address,
        status=Subscription.Status.ACTIVE,
        activated_at=timezone.now(),
    )


def issue_with_articles(newsletter: Newsletter, *titles: str, date=None):
    issue = services.build_issue(newsletter, date=date or timezone.localdate())
    for order, title in enumerate(titles):
        IssueItem.objects.create(issue=issue, article=news.article(title), sort_order=order)
    return issue


def deliver() -> None:
    """What the worker does with the outbox."""
    send_due(now=timezone.now() + dt.timedelta(seconds=1))


def subject(message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def parts(message) -> tuple[str, str]:
    """(text, html) of a received mail."""
    text = html = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode()
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()
    return text.replace("\r\n", "\n"), html


def link(text: str, pattern: str) -> str:
    found = re.search(r"https?://\S*" + pattern + r"\S*", text)
    assert found, f"no link with {pattern!r} in {text!r}"
    return found.group(0).rstrip(".,)")
