"""A signed-in reader sees what mail they asked for, and switches it: daily digest or each
comment, stop one subscription, stop everything. Nobody touches another's."""

import json

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from commenters.tests.helpers import sign_in
from comments.tests import factories
from mailing import services as mailing
from news.tests import factories as news
from notifications.models import Subscription

JANE = "jane@example.com"
MINE = "/comments/you/mine/"


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def subscribe(email, *, page, comment=None, mode="each"):
    address = mailing.address_for(email, create=True)
    mailing.confirm(address=address)
    return Subscription.objects.create(
        address=address,
        kind="replies" if comment else "page",
        page=page,
        comment=comment,
        mode=mode,
    )


@pytest.fixture
def janes(db):
    rates = news.article(title="Rates rise again")
    storm = news.article(title="Harbour reopens after the storm")
    comment = factories.comment(storm, email_address=JANE)
    return {
        "follow": subscribe(JANE, page=rates),
        "replies": subscribe(JANE, page=storm, comment=comment),
        "bobs": subscribe("bob@example.com", page=rates),
    }


def rows(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [" ".join(li.get_text().split()) for li in soup.select(".my-subscriptions > li")]


def test_the_reader_sees_their_subscriptions_and_only_theirs(janes, client, smtp_server, capture):
    sign_in(client, smtp_server, JANE, capture)

    assert rows(client.get(MINE)) == [
        "Replies to your comment on Harbour reopens after the storm Stop",
        "New comments on Rates rise again each one a daily digest Save Stop",
    ]


def test_the_reader_switches_a_follow_to_the_daily_digest(janes, client, smtp_server, capture):
    sign_in(client, smtp_server, JANE, capture)
    follow = janes["follow"]

    response = client.post(reverse("commenters:follow_mode", args=[follow.pk]), {"mode": "digest"})

    assert response.status_code == 303
    assert response["Location"] == MINE + "#emails"
    follow.refresh_from_db()
    assert follow.mode == "digest"
    assert Subscription.objects.get(pk=janes["bobs"].pk).mode == "each"


def test_an_unknown_mode_is_a_400_that_changes_nothing(janes, client, smtp_server, capture):
    sign_in(client, smtp_server, JANE, capture)

    response = client.post(
        reverse("commenters:follow_mode", args=[janes["follow"].pk]), {"mode": "hourly"}
    )

    assert response.status_code == 400
    assert Subscription.objects.get(pk=janes["follow"].pk).mode == "each"


def test_the_reader_stops_one_subscription(janes, client, smtp_server, capture):
    sign_in(client, smtp_server, JANE, capture)

    response = client.post(reverse("commenters:stop_subscription", args=[janes["replies"].pk]))

    assert response.status_code == 303
    assert sorted(Subscription.objects.values_list("pk", flat=True)) == sorted(
        [janes["follow"].pk, janes["bobs"].pk]
    )


def test_another_readers_subscription_is_a_404(janes, client, smtp_server, capture):
    sign_in(client, smtp_server, JANE, capture)
    bobs = janes["bobs"]

    assert client.post(reverse("commenters:stop_subscription", args=[bobs.pk])).status_code == 404
    assert (
        client.post(
            reverse("commenters:follow_mode", args=[bobs.pk]), {"mode": "digest"}
        ).status_code
        == 404
    )
    bobs.refresh_from_db()
    assert bobs.mode == "each"


def test_stopping_all_mail_drops_every_subscription(janes, client, smtp_server, capture):
    sign_in(client, smtp_server, JANE, capture)

    response = client.post(reverse("commenters:stop_all_mail"))

    assert response.status_code == 303
    assert list(Subscription.objects.values_list("pk", flat=True)) == [janes["bobs"].pk]
    assert mailing.address_for(JANE).suppressed_reason == "unsubscribed"
    page = client.get(MINE)
    assert "Every email to this address is stopped." in page.content.decode()


def test_the_download_holds_the_subscriptions(janes, client, smtp_server, capture):
    sign_in(client, smtp_server, JANE, capture)

    data = json.loads(client.get(reverse("commenters:export")).content)

    assert [(s["kind"], s["page"]["title"], s["mode"]) for s in data["subscriptions"]] == [
        ("replies", "Harbour reopens after the storm", None),
        ("page", "Rates rise again", "each"),
    ]
    assert data["address"]["confirmed_at"] is not None
    assert data["address"]["mail_stopped_at"] is None


def test_without_a_session_no_switch_changes_anything(janes):
    stranger = Client()

    response = stranger.post(reverse("commenters:stop_subscription", args=[janes["follow"].pk]))

    assert response.status_code == 303
    assert response["Location"] == "/comments/you/"
    assert Subscription.objects.count() == 3


def test_erasure_drops_the_subscriptions(janes, client, smtp_server, capture):
    sign_in(client, smtp_server, JANE, capture)

    client.post(reverse("commenters:erase"), {"confirm": "on"})

    assert list(Subscription.objects.values_list("pk", flat=True)) == [janes["bobs"].pk]
