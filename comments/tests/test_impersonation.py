"""An email address is a claim anyone can type. Posting under someone else's address must
tell the poster nothing about that person, must not lock them out, and must not pass as
them."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.test import Client

from comments import services
from comments.models import Comment, Commenter, ModerationRule
from comments.moderation.checks import form_timestamp
from comments.tests import factories
from mailing import services as mailing
from news.tests import factories as news

pytestmark = pytest.mark.django_db

POST = "/comments/post/"
JSON = {"HTTP_ACCEPT": "application/json"}
JANE = "jane@example.com"


def post(client, article, body, *, email=JANE, address="192.0.2.1"):
    data = {
        "page": article.pk,
        "body": body,
        "name": "Jane Reader",
        "email": email,
        "ts": form_timestamp(),
    }
    return client.post(POST, data, REMOTE_ADDR=address, **JSON)


def test_the_duplicate_check_does_not_tell_a_stranger_who_wrote_a_comment(settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    article = news.article()
    jane, stranger = Client(), Client()
    written = post(jane, article, "The bridge should have been repaired years ago.")
    assert written.status_code == 201

    guessed = post(
        stranger,
        article,
        "the bridge should have been repaired  YEARS ago.",
        address="198.51.100.9",
    )
    wrong = post(stranger, article, "The tunnel is fine.", address="198.51.100.9")

    # The right guess and a wrong one get the same answer.
    assert (guessed.status_code, wrong.status_code) == (201, 201)
    assert guessed.json()["comment"]["status"] == wrong.json()["comment"]["status"] == "approved"
    stored = Comment.objects.get(pk=guessed.json()["comment"]["id"])
    assert stored.moderation_reasons == [
        f"accept: same text as comment {written.json()['comment']['id']} under this email"
    ]


def test_the_same_browser_saying_the_same_thing_again_is_told(settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    article = news.article()
    jane = Client()
    post(jane, article, "Well said.")

    again = post(jane, article, "  well   SAID. ", address="203.0.113.5")

    assert again.status_code == 409
    assert again.json()["error"]["message"] == "It looks as though you have already said that."
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("action", ["ban", "spam", "trash"])
def test_the_poster_is_never_told_a_comment_went_to_spam_or_trash(settings, action):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    article = news.article()
    if action == "ban":
        Commenter.objects.create(email=JANE, standing="banned")
    else:
        ModerationRule.objects.create(kind="word", value="lottery", action=action)

    response = post(Client(), article, "Win the lottery today")

    assert response.status_code == 201
    assert response.json()["comment"]["status"] == "pending"
    assert "awaiting moderation" in response.json()["comment"]["html"]
    assert Comment.objects.get().status == ("spam" if action == "ban" else action)


def test_posts_under_someone_elses_address_do_not_lock_them_out(settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.MASTHEAD_COMMENTS_RATE_LIMITS = "2/3600"
    article = news.article()
    flood = [
        post(Client(), article, f"Flood {n}", address=f"198.51.100.{n}").status_code
        for n in range(1, 6)
    ]

    jane = post(Client(), article, "My own words, at last.", email="JANE@example.com")

    assert flood == [201] * 5
    assert jane.status_code == 201


def test_a_known_commenters_address_typed_in_another_browser_is_held():
    article = news.article()
    jane = Client()
    first = post(jane, article, "A first remark.")
    services.moderate_comments(comment_ids=[first.json()["comment"]["id"]], action="approve")

    impostor = post(Client(), article, "Buy my pills.", address="198.51.100.9")
    herself = post(jane, article, "A second remark.")

    assert impostor.json()["comment"]["status"] == "pending"
    assert Comment.objects.get(pk=impostor.json()["comment"]["id"]).moderation_reasons == [
        "hold: known commenter's address, from another browser"
    ]
    assert herself.json()["comment"]["status"] == "approved"
    assert Comment.objects.get(pk=herself.json()["comment"]["id"]).moderation_reasons == [
        "accept: known commenter"
    ]


def test_a_trusted_address_typed_in_another_browser_is_held():
    article = news.article()
    Commenter.objects.create(email=JANE, standing="trusted")

    impostor = post(Client(), article, "Buy my pills.", address="198.51.100.9")

    assert impostor.json()["comment"]["status"] == "pending"
    assert Comment.objects.get().moderation_reasons == [
        "hold: trusted commenter's address, from another browser"
    ]


# Confirmed addresses --------------------------------------------------------------------------


def jane_known_from(client, article) -> int:
    first = post(client, article, "A first remark.")
    services.moderate_comments(comment_ids=[first.json()["comment"]["id"]], action="approve")
    return first.json()["comment"]["id"]


def test_with_confirmed_only_a_known_commenter_needs_a_confirmed_address(settings):
    settings.MASTHEAD_COMMENTS_KNOWN_CONFIRMED_ONLY = True
    article = news.article()
    jane = Client()
    jane_known_from(jane, article)

    unconfirmed = post(jane, article, "A second remark.")
    mailing.confirm(address=mailing.address_for(JANE, create=True))
    confirmed = post(jane, article, "A third remark.")

    assert unconfirmed.json()["comment"]["status"] == "pending"
    assert Comment.objects.get(pk=unconfirmed.json()["comment"]["id"]).moderation_reasons == [
        "hold: known commenter, address not confirmed"
    ]
    assert confirmed.json()["comment"]["status"] == "approved"


def test_by_default_an_unconfirmed_known_commenter_goes_through_from_their_browser():
    article = news.article()
    jane = Client()
    jane_known_from(jane, article)

    again = post(jane, article, "A second remark.")

    assert again.json()["comment"]["status"] == "approved"


def test_a_commenter_imported_from_another_system_is_held_once_then_known():
    article = news.article()
    services.import_comment(
        page=article,
        name="Jane Reader",
        email=JANE,
        body_html="<p>Written on the old site.</p>",
        created_at=dt.datetime(2020, 5, 1, tzinfo=dt.UTC),
    )
    jane = Client()

    first_here = post(jane, article, "Hello from the new site.")
    services.moderate_comments(comment_ids=[first_here.json()["comment"]["id"]], action="approve")
    next_here = post(jane, article, "And again.")

    assert first_here.json()["comment"]["status"] == "pending"
    assert Comment.objects.get(pk=first_here.json()["comment"]["id"]).moderation_reasons == [
        "hold: known commenter's address, from another browser"
    ]
    assert next_here.json()["comment"]["status"] == "approved"


def test_moderators_see_in_the_queue_whether_an_address_is_confirmed():
    article = news.article()
    held = [
        post(Client(), article, f"Remark {n}", email=email, address=f"192.0.2.{n}")
        for n, email in enumerate(["sure@example.com", "maybe@example.com"], start=1)
    ]
    mailing.confirm(address=mailing.address_for("Sure@example.com", create=True))
    moderator = factories.staff_user("moderator")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(moderator)

    page = BeautifulSoup(client.get("/admin/comments/").content, "html.parser")

    cells = {
        row["id"]: row.select("td")[1].get_text(" ", strip=True)
        for row in page.select(".comments-listing tbody tr")
    }
    sure, maybe = (f"row-{r.json()['comment']['id']}" for r in held)
    assert "sure@example.com Confirmed" in cells[sure]
    assert "maybe@example.com Not confirmed" in cells[maybe]
