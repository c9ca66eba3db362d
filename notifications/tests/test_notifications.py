"""Reader notifications through the whole loop: the form, the confirmation mail, reply
and follow mail, the digest, with a real SMTP server on loopback."""

import datetime as dt
import email.header
import re
import socket

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from comments import services as comments
from comments.models import Comment
from comments.tests import factories
from mailing import services as mailing
from mailing.models import Address, Delivery
from mailing.sending import send_due
from news.tests import factories as news
from notifications import services
from notifications.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_door(settings):
    # Most tests here are about mail, not moderation: comments go up at once and the
    # site's posting limits do not get in the way.
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.MASTHEAD_COMMENTS_RATE_LIMITS = "1000/60"


def post(client, article, *, capture, ip="192.0.2.10", json=False, **values):
    data = {
        "body": f"A comment {timezone.now().timestamp()}",
        "name": "Jane Reader",
        "email": "jane@example.com",
        **values,
    }
    data = factories.form_fields(client, article, **data)
    for box in ("notify_replies", "follow_page"):
        if values.get(box):
            data[box] = "on"
        else:
            data.pop(box, None)
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    with capture(execute=True):
        return client.post("/comments/post/", data, REMOTE_ADDR=ip, **headers)


def text_of(message) -> str:
    part = message.get_payload()[0] if message.is_multipart() else message
    return part.get_payload(decode=True).decode().replace("\r\n", "\n")


def subject(message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def html_of(message) -> str:
    return message.get_payload()[1].get_payload(decode=True).decode()


def confirmed(email: str) -> Address:
    return mailing.confirm(address=mailing.address_for(email, create=True))


def subscribe_replies(comment: Comment) -> None:
    confirmed(comment.email)
    services.subscribe_author(comment=comment, subscribe=("replies",))


def test_the_form_has_both_boxes_off_by_default(client):
    article = news.article()

    form = BeautifulSoup(client.get(article.url).content, "html.parser").find(id="commentform")

    boxes = {
        box["name"]: (box.get("checked"), form.find("label", attrs={"for": box["id"]}).get_text())
        for box in form.select(".comment-form-subscriptions input[type=checkbox]")
    }
    assert boxes == {
        "notify_replies": (None, "Email me when someone replies to my comment"),
        "follow_page": (None, "Email me about new comments on this article"),
    }


def test_the_boxes_are_gone_when_notifications_are_switched_off(client, settings):
    settings.MASTHEAD_NOTIFICATIONS = False
    article = news.article()

    form = BeautifulSoup(client.get(article.url).content, "html.parser").find(id="commentform")

    assert form.select(".comment-form-subscriptions") == []


def test_twenty_posts_from_twenty_networks_naming_a_stranger_send_one_confirmation(
    client, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.MASTHEAD_COMMENTS_MODERATION = "first"
    articles = [news.article(f"Story {i}") for i in range(4)]
    for i in range(20):
        response = post(
            client,
            articles[i % 4],
            capture=django_capture_on_commit_callbacks,
            ip=f"198.51.{i}.{i + 1}",
            email="stranger@example.org",
            body=f"Comment number {i} by someone else",
            notify_replies=True,
            follow_page=True,
        )
        assert response.status_code == 303

    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message.envelope_to == ["stranger@example.org"]
    assert subject(message) == "Confirm your email address for The Masthead Courier"
    assert "emails about comments on “Story 0”" in text_of(message)
    assert "Comment number" not in message.as_string()
    assert Subscription.objects.count() == 20 + 4  # asked for, waiting for confirmation
    assert Delivery.objects.count() == 1


def test_confirming_turns_on_what_was_asked_and_offers_a_digest(
    client, smtp_server, django_capture_on_commit_callbacks
):
    article = news.article("Harbour dredging")
    post(
        client,
        article,
        capture=django_capture_on_commit_callbacks,
        follow_page=True,
        notify_replies=True,
    )
    url = re.search(r"http://\S+(/mail/confirm/\S+/)", text_of(smtp_server[0])).group(1)

    page = BeautifulSoup(client.get(url).content, "html.parser")
    assert [li.get_text() for li in page.select("main li, .mailing li")] == [
        "New comments on “Harbour dredging”",
        "Replies to your comment on “Harbour dredging”",
    ]
    assert page.find("input", attrs={"name": "mode", "checked": True})["value"] == "each"
    assert mailing.is_confirmed("jane@example.com") is False

    response = client.post(url, {"mode": "digest"})

    assert response.status_code == 200
    assert mailing.is_confirmed("jane@example.com") is True
    follow = Subscription.objects.get(kind=Subscription.Kind.PAGE)
    assert follow.mode == Subscription.Mode.DIGEST


def test_a_reply_mails_the_author_once_with_the_repliers_name_text_and_a_link(
    client, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.MASTHEAD_COMMENTS_PER_PAGE = 2
    article = news.article("Harbour dredging")
    for i in range(2):
        factories.comment(article, body=f"Earlier {i}")
    post(client, article, capture=django_capture_on_commit_callbacks, notify_replies=True)
    parent = Comment.objects.get(email="jane@example.com")
    confirmed("jane@example.com")
    smtp_server.clear()

    post(
        client,
        article,
        capture=django_capture_on_commit_callbacks,
        parent=str(parent.pk),
        name="Bob <b>Bold</b>",
        email="bob@example.net",
        body="I was there <script>alert(1)</script> too.",
    )

    reply = Comment.objects.get(email="bob@example.net")
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message.envelope_to == ["jane@example.com"]
    assert subject(message) == "Bob <b>Bold</b> replied to your comment on “Harbour dredging”"
    text = text_of(message)
    assert "Bob <b>Bold</b> replied to your comment on “Harbour dredging”:" in text
    assert "I was there <script>alert(1)</script> too." in text
    link = f"{article.url}?cpage=2#comment-{reply.pk}"
    assert f"Read it and reply: http://127.0.0.1:8000{link}" in text
    html = html_of(message)
    assert "<strong>Bob &lt;b&gt;Bold&lt;/b&gt;</strong>" in html
    assert "I was there &lt;script&gt;alert(1)&lt;/script&gt; too." in html
    assert "<script>" not in html
    assert "bob@example.net" not in message.as_string()
    assert client.get(link.split("#")[0]).content.decode().count(f'id="comment-{reply.pk}"') == 1


def test_held_and_spam_replies_send_nothing_and_approving_sends_one_mail_once(
    smtp_server, django_capture_on_commit_callbacks, settings
):
    article = news.article()
    parent = factories.comment(article, email_address="jane@example.com")
    subscribe_replies(parent)

    with django_capture_on_commit_callbacks(execute=True):
        held = factories.reply(parent, status=Comment.Status.PENDING, body="Held reply")
        spam = factories.reply(parent, status=Comment.Status.SPAM, body="Spam reply")
    send_due()
    assert smtp_server == []

    with django_capture_on_commit_callbacks(execute=True):
        comments.moderate_comments(comment_ids=[held.pk], action="approve")
    assert [m.envelope_to for m in smtp_server] == [["jane@example.com"]]

    for action in ("unapprove", "approve", "trash", "restore", "approve"):
        with django_capture_on_commit_callbacks(execute=True):
            comments.moderate_comments(comment_ids=[held.pk], action=action)
    send_due()
    assert len(smtp_server) == 1
    assert "Held reply" in text_of(smtp_server[0])
    assert Delivery.objects.filter(event_key=f"comment:{spam.pk}").count() == 0


def test_unapproving_before_the_mail_went_withdraws_it_and_approving_again_sends_one(
    smtp_server, django_capture_on_commit_callbacks, settings
):
    article = news.article()
    parent = factories.comment(article, email_address="jane@example.com")
    subscribe_replies(parent)
    held = factories.reply(parent, status=Comment.Status.PENDING, body="Held reply")
    port = settings.EMAIL_PORT
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]  # nothing listens: mail waits

    for action in ("approve", "unapprove"):
        with django_capture_on_commit_callbacks(execute=True):
            comments.moderate_comments(comment_ids=[held.pk], action=action)
    settings.EMAIL_PORT = port
    send_due(now=timezone.now() + dt.timedelta(hours=1))
    assert smtp_server == []  # hidden again before it went: not sent

    with django_capture_on_commit_callbacks(execute=True):
        comments.moderate_comments(comment_ids=[held.pk], action="approve")
    send_due(now=timezone.now() + dt.timedelta(hours=2))
    assert len(smtp_server) == 1


def test_no_mail_for_a_reply_to_yourself_or_to_an_unconfirmed_address(
    smtp_server, django_capture_on_commit_callbacks
):
    article = news.article()
    mine = factories.comment(article, email_address="jane@example.com")
    subscribe_replies(mine)
    theirs = factories.comment(article, email_address="unconfirmed@example.com")
    services.subscribe_author(comment=theirs, subscribe=("replies",))
    smtp_server.clear()
    Delivery.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        factories.reply(mine, email_address="JANE@example.com", body="Adding to my own")
        factories.reply(theirs, email_address="bob@example.net", body="To the unconfirmed")
    send_due()

    assert smtp_server == []


def test_followers_get_each_new_public_comment_but_not_their_own(
    smtp_server, django_capture_on_commit_callbacks
):
    article = news.article("Budget vote")
    other = news.article("Other story")
    for address in ("f1@example.org", "f2@example.org"):
        first = factories.comment(article, email_address=address)
        services.subscribe_author(comment=first, subscribe=("page",))
        confirmed(address)
    unconfirmed = factories.comment(article, email_address="waiting@example.org")
    services.subscribe_author(comment=unconfirmed, subscribe=("page",))
    Delivery.objects.all().delete()  # the confirmation mails

    with django_capture_on_commit_callbacks(execute=True):
        factories.comment(article, email_address="f1@example.org", body="From a follower")
        factories.comment(other, email_address="x@example.org", body="Elsewhere")
    send_due()

    assert [m.envelope_to for m in smtp_server] == [["f2@example.org"]]
    message = smtp_server[0]
    assert subject(message) == "New comment by Jane Reader on “Budget vote”"
    assert "From a follower" in text_of(message)
    assert "Stop emails about this article: http://127.0.0.1:8000/mail/unsubscribe/" in (
        text_of(message)
    )


def test_a_reader_who_follows_and_is_replied_to_gets_one_mail(
    smtp_server, django_capture_on_commit_callbacks
):
    article = news.article()
    parent = factories.comment(article, email_address="jane@example.com")
    confirmed("jane@example.com")
    services.subscribe_author(comment=parent, subscribe=("replies", "page"))

    with django_capture_on_commit_callbacks(execute=True):
        factories.reply(parent, email_address="bob@example.net")
    send_due()

    assert len(smtp_server) == 1
    assert subject(smtp_server[0]).startswith("Jane Reader replied to your comment")


def test_stop_emails_about_this_article_stops_that_article_only(
    client, smtp_server, django_capture_on_commit_callbacks
):
    article = news.article("One")
    other = news.article("Two")
    confirmed("jane@example.com")
    for page in (article, other):
        first = factories.comment(page, email_address="jane@example.com")
        services.subscribe_author(comment=first, subscribe=("replies", "page"))
    confirmed("jane@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        factories.comment(article, email_address="bob@example.net")
    send_due()
    url = re.search(
        r"Stop emails about this article: http://127.0.0.1:8000(\S+)", text_of(smtp_server[0])
    ).group(1)

    response = client.post(url)

    assert response.status_code == 200
    assert list(Subscription.objects.values_list("page_id", flat=True).distinct()) == [other.pk]
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        factories.comment(article, email_address="carol@example.net")
        factories.comment(other, email_address="carol@example.net")
    send_due()
    assert [subject(m) for m in smtp_server] == ["New comment by Jane Reader on “Two”"]


def test_with_the_mail_server_down_posts_answer_and_mail_goes_out_when_it_is_back(
    client, smtp_server, django_capture_on_commit_callbacks, settings
):
    article = news.article()
    parent = factories.comment(article, email_address="jane@example.com")
    confirmed("jane@example.com")
    services.subscribe_author(comment=parent, subscribe=("replies", "page"))
    port = settings.EMAIL_PORT
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]

    form = post(
        client,
        article,
        capture=django_capture_on_commit_callbacks,
        parent=str(parent.pk),
        email="bob@example.net",
        body="Posted while mail is down",
    )
    api = post(
        client,
        article,
        capture=django_capture_on_commit_callbacks,
        json=True,
        email="carol@example.net",
        body="Posted through the API while mail is down",
    )

    assert (form.status_code, api.status_code) == (303, 201)
    assert Comment.objects.filter(status=Comment.Status.APPROVED).count() == 3
    assert smtp_server == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.QUEUED}

    settings.EMAIL_PORT = port
    send_due(now=timezone.now() + dt.timedelta(minutes=5))
    assert sorted(subject(m) for m in smtp_server) == [
        f"Jane Reader replied to your comment on “{article.title}”",
        f"New comment by Jane Reader on “{article.title}”",
    ]


def test_the_daily_digest_is_one_mail_per_reader_at_the_set_hour(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.TIME_ZONE = "Europe/Berlin"
    settings.MASTHEAD_NOTIFICATIONS_DIGEST_HOUR = 7
    one, two, quiet = news.article("Alpha"), news.article("Beta"), news.article("Gamma")
    confirmed("jane@example.com")
    for page in (one, two, quiet):
        first = factories.comment(page, email_address="jane@example.com")
        services.subscribe_author(comment=first, subscribe=("page",))
    confirmed("jane@example.com")
    services.set_follow_mode(address=mailing.address_for("jane@example.com"), mode="digest")
    day = timezone.localdate() + dt.timedelta(days=1)
    start, _end = services.digest_window(day)
    Comment.objects.update(created_at=start - dt.timedelta(hours=1))  # before the window
    for page, body in ((one, "Alpha news"), (two, "Beta one"), (two, "Beta two")):
        factories.comment(page, body=body, created_at=start + dt.timedelta(hours=3))
    Delivery.objects.all().delete()
    smtp_server.clear()

    before = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 59)))
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0, 30)))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digest_if_due(before) == 0
        assert services.send_digest_if_due(at) == 1
        assert services.send_digest_if_due(at + dt.timedelta(hours=1)) == 0
    send_due()

    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert subject(message) == "3 new comments on articles you follow"
    text = text_of(message)
    assert text.index("== Alpha ==") < text.index("Alpha news") < text.index("== Beta ==")
    assert text.index("Beta one") < text.index("Beta two")
    assert "Gamma" not in text
    assert "Stop the daily digest: http://127.0.0.1:8000/mail/unsubscribe/" in text
