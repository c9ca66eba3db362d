"""A reader's own page: a sign-in link by mail (through a real SMTP server on loopback),
then their comments, which they edit, delete, download or erase, without JavaScript."""

import datetime as dt
import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commenters.models import ReaderSession, SignInLink
from commenters.tests.helpers import ask_for_link, link_in, sign_in
from commenters.views import SESSION_COOKIE
from comments.models import Comment
from comments.tests import factories
from mailing import services as mailing
from mailing.models import Address, Delivery
from news.tests import factories as news

JANE = "jane@example.com"
START = "/comments/you/"
MINE = "/comments/you/mine/"


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text().split())


def test_the_page_answers_the_same_for_an_address_with_comments_and_one_without(
    db, client, smtp_server, capture
):
    factories.comment(email_address=JANE)

    known = ask_for_link(client, "Jane@Example.com", capture=capture)
    unknown = ask_for_link(client, "nobody@example.com", ip="198.51.100.8", capture=capture)

    assert (known.status_code, unknown.status_code) == (200, 200)
    assert text(known) == text(unknown)
    assert "a sign-in link is on its way" in text(known)
    assert sorted(m.envelope_to[0] for m in smtp_server) == [JANE, "nobody@example.com"]


def test_the_sign_in_mail_has_a_link_and_no_one_elses_address(db, client, smtp_server, capture):
    ask_for_link(client, JANE, capture=capture)

    (message,) = smtp_server
    assert message["To"] == JANE
    assert message["Subject"] == "Your sign-in link for The Masthead Courier"
    assert message["Auto-Submitted"] == "auto-generated"
    assert link_in(message).startswith("/comments/you/sign-in/")
    assert JANE not in link_in(message)


def test_a_second_link_the_same_day_is_not_mailed_but_the_answer_is_the_same(
    db, client, smtp_server, capture
):
    first = ask_for_link(client, JANE, capture=capture)
    second = ask_for_link(client, JANE, ip="203.0.113.5", capture=capture)

    assert text(first) == text(second)
    assert len(smtp_server) == 1


def test_one_sender_network_gets_at_most_the_hourly_number_of_links(
    db, client, smtp_server, capture, settings
):
    settings.MASTHEAD_MAIL_PER_RANGE_PER_HOUR = 3
    for n in range(5):
        ask_for_link(client, f"stranger{n}@example.com", ip=f"198.51.100.{n + 1}", capture=capture)

    assert len(smtp_server) == 3


def test_a_malformed_address_gets_a_clear_400_and_no_mail(db, client, smtp_server, capture):
    response = ask_for_link(client, "not an address", capture=capture)

    assert response.status_code == 400
    assert "Please enter a valid email address." in text(response)
    assert smtp_server == []
    assert not SignInLink.objects.exists()


def test_opening_the_link_signs_nobody_in_until_the_button_is_pressed(
    db, client, smtp_server, capture
):
    ask_for_link(client, JANE, capture=capture)
    path = link_in(smtp_server[0])

    page = client.get(path)

    assert page.status_code == 200
    assert "Sign in" in text(page)
    assert SESSION_COOKIE not in page.cookies
    assert not ReaderSession.objects.exists()
    assert client.get(MINE).status_code == 303
    assert client.post(path).status_code == 303
    assert client.get(MINE).status_code == 200


def test_a_link_works_once(db, client, smtp_server, capture):
    ask_for_link(client, JANE, capture=capture)
    path = link_in(smtp_server[0])
    assert client.post(path).status_code == 303

    again = Client().post(path)

    assert again.status_code == 410
    assert "expired or was used already" in text(again)


def test_a_link_expires_after_its_minutes(db, client, smtp_server, capture, settings):
    ask_for_link(client, JANE, capture=capture)
    path = link_in(smtp_server[0])
    settings.MASTHEAD_SELFSERVICE_LINK_MINUTES = 0

    response = client.post(path)

    assert response.status_code == 410
    assert not ReaderSession.objects.exists()


def test_an_altered_link_is_refused_with_400(db, client):
    response = client.post("/comments/you/sign-in/MTIz:forged:signature/")

    assert response.status_code == 400
    assert "This sign-in link is not valid." in text(response)


def test_the_session_cookie_is_httponly_lax_and_short(db, client, smtp_server, capture):
    response = sign_in(client, smtp_server, JANE, capture)

    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 30 * 60
    assert cookie["path"] == START


def test_a_session_ends_when_its_time_is_up(db, client, smtp_server, capture):
    sign_in(client, smtp_server, JANE, capture)
    ReaderSession.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert client.get(MINE).status_code == 303


def test_signed_in_the_reader_sees_every_comment_they_wrote_with_its_status(
    db, client, smtp_server, capture
):
    article = news.article(title="Rates rise again")
    published = factories.comment(
        article, body="Published words.", email_address="JANE@example.com"
    )
    held = factories.comment(article, body="Held words.", email_address=JANE, status="pending")
    spam = factories.comment(article, body="Caught words.", email_address=JANE, status="spam")
    factories.comment(article, body="Bob's words.", email_address="bob@example.com")
    sign_in(client, smtp_server, JANE, capture)

    page = client.get(MINE)

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    soup = BeautifulSoup(page.content, "html.parser")
    rows = soup.select("li.comment")
    assert [r["id"] for r in rows] == [f"mine-{c.pk}" for c in (spam, held, published)]
    assert [r.select_one(".comment-status").get_text() for r in rows] == [
        "Awaiting moderation",
        "Awaiting moderation",
        "Published",
    ]
    assert "Bob's words." not in text(page)
    assert rows[2].select_one(".comment-meta a").get_text() == "Rates rise again"


def test_the_reader_edits_a_comment_long_after_posting_it(
    db, client, smtp_server, capture, settings
):
    comment = factories.comment(body="Frist!", email_address=JANE)
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    sign_in(client, smtp_server, JANE, capture)

    response = client.post(reverse("commenters:edit", args=[comment.pk]), {"body": "First!"})

    assert response.status_code == 303
    assert response["Location"] == f"{MINE}#mine-{comment.pk}"
    assert Comment.objects.get(pk=comment.pk).body == "First!"


def test_an_empty_edit_is_a_400_that_changes_nothing(db, client, smtp_server, capture):
    comment = factories.comment(body="Kept.", email_address=JANE)
    sign_in(client, smtp_server, JANE, capture)

    response = client.post(reverse("commenters:edit", args=[comment.pk]), {"body": " "})

    assert response.status_code == 400
    assert "Please type your comment." in text(response)
    assert Comment.objects.get(pk=comment.pk).body == "Kept."


def test_another_readers_comment_is_a_404_to_edit_or_delete(db, client, smtp_server, capture):
    bobs = factories.comment(email_address="bob@example.com")
    sign_in(client, smtp_server, JANE, capture)

    assert client.get(reverse("commenters:edit", args=[bobs.pk])).status_code == 404
    assert client.post(reverse("commenters:delete", args=[bobs.pk])).status_code == 404
    assert Comment.objects.filter(pk=bobs.pk).exists()


def test_the_reader_deletes_a_comment_and_one_with_replies_stays_as_a_nameless_placeholder(
    db, client, smtp_server, capture
):
    alone = factories.comment(email_address=JANE)
    answered = factories.comment(email_address=JANE, name="Jane Reader")
    factories.reply(answered, email_address="bob@example.com")
    sign_in(client, smtp_server, JANE, capture)

    for comment in (alone, answered):
        response = client.post(reverse("commenters:delete", args=[comment.pk]))
        assert response.status_code == 303

    assert not Comment.objects.filter(pk=alone.pk).exists()
    placeholder = Comment.objects.get(pk=answered.pk)
    assert (placeholder.is_removed, placeholder.name, placeholder.email) == (True, "Deleted", "")
    assert "You have no comments here." in text(client.get(MINE))


def test_every_post_needs_the_csrf_token(db, smtp_server, capture):
    comment = factories.comment(email_address=JANE)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(START, {"email": JANE}).status_code == 403
    session = ReaderSession.objects.create(
        email=JANE, created_at=timezone.now(), expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    from django.core import signing

    from commenters.views import SESSION_SALT

    browser.cookies[SESSION_COOKIE] = signing.get_cookie_signer(
        salt=SESSION_COOKIE + SESSION_SALT
    ).sign(str(session.pk))

    assert browser.get(MINE).status_code == 200
    assert browser.post(reverse("commenters:delete", args=[comment.pk])).status_code == 403
    assert browser.post(reverse("commenters:erase"), {"confirm": "on"}).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_the_reader_downloads_everything_as_json(db, client, smtp_server, capture):
    article = news.article(title="Rates rise again")
    comment = factories.comment(
        article, body="My *view*.", email_address=JANE, website="https://jane.example"
    )
    sign_in(client, smtp_server, JANE, capture)

    response = client.get(reverse("commenters:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="my-comments.json"'
    data = json.loads(response.content)
    assert data["email"] == JANE
    (exported,) = data["comments"]
    assert {k: exported[k] for k in ("id", "status", "email", "website", "text", "ip_address")} == {
        "id": comment.pk,
        "status": "Published",
        "email": JANE,
        "website": "https://jane.example",
        "text": "My *view*.",
        "ip_address": "192.0.2.10",
    }
    assert exported["html"].strip() == "<p>My <em>view</em>.</p>"
    assert exported["page"] == {"title": "Rates rise again", "url": article.get_full_url()}


def test_erasing_needs_the_box_ticked(db, client, smtp_server, capture):
    comment = factories.comment(email_address=JANE)
    sign_in(client, smtp_server, JANE, capture)

    response = client.post(reverse("commenters:erase"), {})

    assert response.status_code == 400
    assert "Tick the box to confirm." in text(response)
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_erasure_signs_out_everywhere_and_logs_it_without_the_address(
    db, client, smtp_server, capture
):
    from wagtail.models import ModelLogEntry

    factories.comment(email_address=JANE)
    sign_in(client, smtp_server, JANE, capture)
    other_browser = Client()
    other_browser.cookies[SESSION_COOKIE] = client.cookies[SESSION_COOKIE].value

    response = client.post(reverse("commenters:erase"), {"confirm": "on"})

    assert response.status_code == 200
    assert "Your comments and your email address are gone" in text(response)
    assert response.cookies[SESSION_COOKIE].value == ""
    assert other_browser.get(MINE).status_code == 303
    assert not Comment.objects.exists()
    (entry,) = ModelLogEntry.objects.filter(action="commenters.erase")
    assert entry.data == {
        "comments_deleted": 1,
        "placeholders_kept": 0,
        "standings_dropped": 0,
        "mail_forgotten": True,
    }
    assert not Address.objects.exists()
    assert JANE not in entry.label


def test_signing_out_ends_the_session(db, client, smtp_server, capture):
    sign_in(client, smtp_server, JANE, capture)

    response = client.post(reverse("commenters:sign_out"))

    assert response.status_code == 303
    assert not ReaderSession.objects.exists()
    assert client.get(MINE).status_code == 303


def test_the_list_costs_the_same_queries_for_three_comments_as_for_twelve(
    db, client, smtp_server, capture
):
    def queries_for_list() -> int:
        client.get(MINE)  # the site's details, read again after pages were added
        with CaptureQueriesContext(connection) as captured:
            assert client.get(MINE).status_code == 200
        return len(captured)

    for n in range(3):
        factories.comment(news.article(title=f"Story {n}"), email_address=JANE)
    sign_in(client, smtp_server, JANE, capture)
    few = queries_for_list()
    for n in range(9):
        factories.comment(news.article(title=f"More {n}"), email_address=JANE)

    assert queries_for_list() == few


def test_signing_in_confirms_the_address_without_lifting_a_stop_on_all_mail(
    db, client, smtp_server, capture
):
    sign_in(client, smtp_server, JANE, capture)
    ask_for_link(Client(), "bob@example.com", ip="203.0.113.9", capture=capture)
    bob = Address.objects.get(email="bob@example.com")
    # Bob follows "Stop all emails" in the sign-in mail's footer, then signs in anyway.
    mailing.unsubscribe(address=bob, scope=mailing.ALL)
    assert Client().post(link_in(smtp_server[-1])).status_code == 303

    jane = Address.objects.get(email=JANE)
    bob.refresh_from_db()
    assert (jane.confirmed_by, jane.suppressed_at) == ("sign_in", None)
    assert (bob.confirmed_by, bob.suppressed_reason) == ("sign_in", "unsubscribed")


def test_an_address_that_stopped_all_mail_gets_no_sign_in_link(db, client, smtp_server, capture):
    mailing.unsubscribe(address=mailing.address_for(JANE, create=True), scope=mailing.ALL)

    response = ask_for_link(client, JANE, capture=capture)

    assert "a sign-in link is on its way" in text(response)
    assert smtp_server == []


def test_the_sign_in_mail_goes_through_the_outbox_once(db, client, smtp_server, capture):
    ask_for_link(client, JANE, capture=capture)

    (delivery,) = Delivery.objects.all()
    assert (delivery.category, delivery.status, delivery.unsolicited) == ("sign_in", "sent", True)
    assert smtp_server[0]["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/mail/")


def test_moderators_see_the_erasure_in_the_sites_history_without_the_address(
    db, client, smtp_server, capture
):
    from django.contrib.auth import get_user_model

    factories.comment(email_address=JANE)
    sign_in(client, smtp_server, JANE, capture)
    client.post(reverse("commenters:erase"), {"confirm": "on"})
    admin = get_user_model().objects.create_superuser("admin", "admin@newsroom.example", "pw")
    newsroom = Client()
    newsroom.force_login(admin)

    history = newsroom.get("/admin/reports/site-history/")

    assert history.status_code == 200
    assert "A reader erased their comments and address" in text(history)
    assert JANE not in history.content.decode()


def test_an_edit_goes_through_moderation_and_may_be_held(db, client, smtp_server, capture):
    from comments.models import ModerationEvent, ModerationRule

    comment = factories.comment(body="Fair point.", email_address=JANE)
    ModerationRule.objects.create(kind="word", value="casino", action="hold")
    sign_in(client, smtp_server, JANE, capture)

    response = client.post(
        reverse("commenters:edit", args=[comment.pk]), {"body": "Fair point. Visit my casino."}
    )

    assert response.status_code == 303
    comment.refresh_from_db()
    assert (comment.status, comment.body) == ("pending", "Fair point. Visit my casino.")
    edited = ModerationEvent.objects.get(comment=comment, action="edited")
    assert (edited.from_status, edited.to_status, edited.previous_body) == (
        "approved",
        "pending",
        "Fair point.",
    )
    page = BeautifulSoup(client.get(MINE).content, "html.parser")
    assert page.select_one(f"#mine-{comment.pk} .comment-status").get_text() == (
        "Awaiting moderation"
    )
