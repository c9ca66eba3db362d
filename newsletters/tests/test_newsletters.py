"""Newsletters through the whole loop, with a real SMTP server on loopback: sign-up and its
confirmation, the first issue, the schedule, one-click unsubscribe, bounces, the archive."""

import base64
import datetime as dt
from urllib.parse import urlsplit

import feedparser
import pytest
from anymail.exceptions import AnymailInsecureWebhookWarning
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from mailing import services as mailing
from mailing.models import Address, Delivery
from masthead.scheduler import tick
from news.tests import factories as news
from newsletters import services
from newsletters.models import Issue, Newsletter, Subscription

from .helpers import deliver, issue_with_articles, link, newsletter, parts, subject, subscriber

pytestmark = pytest.mark.django_db


def sign_up(client, *newsletters, email="reader@example.org", ip="192.0.2.44"):
    return client.post(
        reverse("newsletters:sign_up"),
        {"email": email, "newsletters": [n.pk for n in newsletters]},
        REMOTE_ADDR=ip,
    )


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_sign_up_confirm_and_get_the_first_issue(client, smtp_server):
    briefing = newsletter(description="The news before breakfast.")
    weekly = newsletter("Weekend Reads", slug="weekend")

    response = sign_up(client, briefing, weekly)

    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    deliver()
    assert [m.envelope_to for m in smtp_server] == [["reader@example.org"]]
    text, _html = parts(smtp_server[0])
    assert "The Morning Briefing, Weekend Reads" in text
    confirm = path_of(link(text, "/mail/confirm/"))
    # Nothing starts before the click; a mail scanner's GET changes nothing.
    page = client.get(confirm)
    assert "The newsletter “The Morning Briefing”" in page.content.decode()
    assert set(Subscription.objects.values_list("status", flat=True)) == {"pending"}

    client.post(confirm)

    assert set(Subscription.objects.values_list("status", flat=True)) == {"active"}
    smtp_server.clear()
    issue = issue_with_articles(briefing, "Council passes the budget", "Bridge reopens")
    issue.intro = "Good morning. Two stories today."
    issue.save()
    assert services.send(issue) == 1
    deliver()

    [message] = smtp_server
    assert subject(message) == f"The Morning Briefing — {timezone.localdate():%B %-d, %Y}"
    assert "<newsletter-morning." in message["List-Id"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    assert "Good morning. Two stories today." in text
    assert text.index("Council passes the budget") < text.index("Bridge reopens")
    soup = BeautifulSoup(html, "html.parser")
    assert [h.get_text() for h in soup.select("h2")] == [
        "Council passes the budget",
        "Bridge reopens",
    ]
    assert soup.find("a", string="View in your browser")["href"].endswith(issue.get_absolute_url())
    # Each reader's own unsubscribe link, the same one the List-Unsubscribe header names.
    own = soup.find("a", string="Unsubscribe from The Morning Briefing")["href"]
    assert "".join(message["List-Unsubscribe"].split()) == f"<{own}>"
    assert "%%" not in html and "%%" not in text
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


def test_a_stranger_cannot_subscribe_a_commenters_confirmed_address(client, smtp_server):
    briefing = newsletter()
    mailing.confirm(address=mailing.address_for("commenter@example.org", create=True))

    sign_up(client, briefing, email="commenter@example.org")
    deliver()

    # Subscribed only once the owner clicks: they get one mail asking, no issues.
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.PENDING
    [asking] = smtp_server
    assert "Confirm your newsletter subscription" in subject(asking)
    text, _html = parts(asking)
    client.post(path_of(link(text, "/mail/confirm/")))
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_the_sign_up_answer_is_the_same_for_known_and_unknown_addresses(client, smtp_server):
    briefing = newsletter()
    subscriber(briefing, "known@example.org")

    known = sign_up(client, briefing, email="known@example.org")
    unknown = sign_up(client, briefing, email="unknown@example.org", ip="198.51.100.9")

    assert known.status_code == unknown.status_code == 200
    assert known.content.replace(b"known", b"x") == unknown.content.replace(b"unknown", b"x")


def test_bad_sign_ups_are_refused_and_change_nothing(client, smtp_server):
    briefing = newsletter()
    closed = newsletter("Old letter", slug="old", is_active=False)

    no_choice = client.post(reverse("newsletters:sign_up"), {"email": "a@example.org"})
    bad_email = client.post(
        reverse("newsletters:sign_up"), {"email": "not-an-address", "newsletters": briefing.pk}
    )
    closed_one = sign_up(client, closed)
    foreign = client.post(
        reverse("newsletters:sign_up"),
        {"email": "a@example.org", "newsletters": briefing.pk},
        HTTP_ORIGIN="null",
    )

    assert no_choice.status_code == 400
    assert "Choose at least one newsletter." in no_choice.content.decode()
    assert bad_email.status_code == 400
    assert closed_one.status_code == 400
    assert foreign.status_code == 403
    assert not Subscription.objects.exists() and not Delivery.objects.exists()


def test_one_network_gets_only_so_many_sign_ups_an_hour(client, settings, smtp_server):
    settings.MASTHEAD_NEWSLETTER_SIGNUPS_PER_HOUR = 3
    briefing = newsletter()

    answers = [
        sign_up(client, briefing, email=f"bot{n}@example.org", ip=f"203.0.113.{n}")
        for n in range(1, 6)
    ]
    elsewhere = sign_up(client, briefing, email="human@example.org", ip="198.51.100.20")

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert "Too many sign-ups from your network" in answers[-1].content.decode()
    assert elsewhere.status_code == 200
    assert Subscription.objects.count() == 4
    assert not Address.objects.filter(email__in=["bot4@example.org", "bot5@example.org"])


def test_the_sign_up_box_is_on_the_front_page_articles_and_sections(client):
    briefing = newsletter()
    article = news.article("A story")

    for url in ("/", article.url, article.get_parent().url):
        soup = BeautifulSoup(client.get(url).content, "html.parser")
        form = soup.select_one(".newsletter-signup form")
        assert form is not None, url
        assert form["action"] == reverse("newsletters:sign_up")
        assert form.find("input", attrs={"value": str(briefing.pk)}).has_attr("checked")


def test_a_scheduled_issue_goes_out_from_the_worker_on_time(smtp_server):
    briefing = newsletter(schedule=Newsletter.Schedule.MANUAL)
    subscriber(briefing, "early@example.org")
    issue = issue_with_articles(briefing, "Scheduled story")
    services.schedule(issue, send_at=timezone.now() + dt.timedelta(hours=1))

    tick()
    assert smtp_server == []

    Issue.objects.filter(pk=issue.pk).update(send_at=timezone.now() - dt.timedelta(seconds=1))
    tick()
    deliver()

    assert [m.envelope_to for m in smtp_server] == [["early@example.org"]]
    issue.refresh_from_db()
    assert (issue.status, issue.recipients) == (Issue.Status.SENT, 1)
    tick()
    deliver()
    assert len(smtp_server) == 1  # once


def test_a_daily_newsletter_puts_its_issue_together_and_sends_it_at_its_time(smtp_server):
    now = timezone.localtime()
    briefing = newsletter(
        schedule=Newsletter.Schedule.DAILY,
        send_time=(now + dt.timedelta(minutes=5)).time(),
    )
    subscriber(briefing, "daily@example.org")
    news.article("Fresh this morning")
    if (now + dt.timedelta(minutes=5)).date() != now.date():
        pytest.skip("the test's send time would fall on tomorrow")

    services.send_due(now=now)
    assert not Issue.objects.exists()

    services.send_due(now=now + dt.timedelta(minutes=6))
    deliver()

    [message] = smtp_server
    assert "Fresh this morning" in parts(message)[0]
    services.send_due(now=now + dt.timedelta(minutes=30))
    assert Issue.objects.count() == 1


def test_one_click_unsubscribe_stops_that_newsletter_only(client, smtp_server):
    briefing = newsletter()
    weekly = newsletter("Weekend Reads", slug="weekend")
    subscriber(briefing, "leaving@example.org")
    subscriber(weekly, "leaving@example.org")
    services.send(issue_with_articles(briefing, "First story"))
    deliver()
    [message] = smtp_server
    url = "".join(message["List-Unsubscribe"].split()).strip("<>")

    # What a mail client does for RFC 8058: a POST with no cookie and no token.
    response = client.post(
        path_of(url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    statuses = dict(Subscription.objects.values_list("newsletter__slug", "status"))
    assert statuses == {"morning": "unsubscribed", "weekend": "active"}
    smtp_server.clear()
    services.send(
        issue_with_articles(
            briefing, "Second story", date=timezone.localdate() + dt.timedelta(days=1)
        )
    )
    services.send(issue_with_articles(weekly, "Weekend story"))
    deliver()
    assert [subject(m).split(" — ")[0] for m in smtp_server] == ["Weekend Reads"]


def postmark_bounce(recipient: str) -> dict:
    """A bounce event as Postmark's webhook posts it (its documented example)."""
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "Test bounce details",
        "Email": recipient,
        "From": "sender@example.com",
        "BouncedAt": "2026-12-01T10:00:00Z",
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Test subject",
        "MessageStream": "outbound",
        "Metadata": {},
    }


def post_webhook(client, payload, secret="hook:s3cret"):
    token = base64.b64encode(secret.encode()).decode()
    return client.post(
        "/mail/webhooks/postmark/tracking/",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {token}",
    )


def test_a_bounce_webhook_stops_mail_to_that_address(client, settings, smtp_server):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    briefing = newsletter()
    subscriber(briefing, "gone@example.org")
    subscriber(briefing, "here@example.org")

    wrong = post_webhook(client, postmark_bounce("here@example.org"), secret="hook:guess")
    response = post_webhook(client, postmark_bounce("gone@example.org"))

    assert wrong.status_code == 400
    assert response.status_code == 200
    gone = Address.objects.get(email="gone@example.org")
    assert gone.suppressed_reason == Address.Suppression.BOUNCED
    assert Address.objects.get(email="here@example.org").suppressed_at is None
    services.send(issue_with_articles(briefing, "After the bounce"))
    deliver()
    assert [m.envelope_to for m in smtp_server] == [["here@example.org"]]


def test_without_a_secret_a_webhook_event_stops_nothing(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    subscriber(newsletter(), "victim@example.org")

    with pytest.warns(AnymailInsecureWebhookWarning):
        post_webhook(client, postmark_bounce("victim@example.org"))

    assert Address.objects.get(email="victim@example.org").suppressed_at is None


def test_the_archive_page_and_feed_of_a_sent_issue(client, smtp_server):
    briefing = newsletter(description="The news before breakfast.")
    subscriber(briefing, "reader@example.org")
    draft = issue_with_articles(briefing, "Not sent yet", date=dt.date(2026, 11, 30))
    issue = issue_with_articles(briefing, "Sent story", date=dt.date(2026, 12, 1))
    services.send(issue)

    archive = client.get("/newsletters/morning/")
    page = client.get("/newsletters/morning/2026-12-01/")
    unsent = client.get("/newsletters/morning/2026-11-30/")
    feed = feedparser.parse(client.get("/newsletters/morning/feed/").content)

    assert archive.status_code == 200
    assert [
        a.get_text()
        for a in BeautifulSoup(archive.content, "html.parser").select(".newsletter-issues a")
    ] == ["Tuesday, December 1, 2026"]
    assert page.status_code == 200
    assert "Sent story" in page.content.decode()
    assert "reader@example.org" not in page.content.decode()
    assert "/mail/unsubscribe/" not in page.content.decode()  # nobody's own link
    assert unsent.status_code == 404 and draft.status == Issue.Status.DRAFT
    assert [e.link for e in feed.entries] == ["http://testserver/newsletters/morning/2026-12-01/"]
    assert client.get("/newsletters/morning/not-a-date/").status_code == 404


def test_an_import_needs_a_note_on_consent_and_keeps_who_left_out():
    briefing = newsletter()
    left = subscriber(briefing, "left@example.org")
    services.unsubscribe(address=left.address, newsletter=briefing)

    with pytest.raises(services.NewsletterError):
        services.add_by_staff(newsletter=briefing, emails=["a@example.org"], consent_note=" ")
    counts = services.add_by_staff(
        newsletter=briefing,
        emails=["a@example.org", "A@example.org", "left@example.org", "nonsense"],
        consent_note="Mailchimp list, double opt-in",
    )

    assert counts == {"added": 1, "already": 1, "stopped": 1, "invalid": 1}
    added = Subscription.objects.get(address__email="a@example.org")
    assert (added.status, added.source, added.consent_note) == (
        "active",
        "import",
        "Mailchimp list, double opt-in",
    )
    assert added.address.confirmed_by == Address.Confirmation.IMPORT
