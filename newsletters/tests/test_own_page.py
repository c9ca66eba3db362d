"""A reader's own page (signed in through a link mailed to them) lists the newsletters: one
click subscribes, since the link proved the address, and one click stops."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from commenters.tests.helpers import sign_in
from mailing.models import Delivery
from newsletters.models import Subscription

from .helpers import newsletter

pytestmark = pytest.mark.django_db


def test_a_signed_in_reader_subscribes_without_a_second_confirmation_and_stops(
    client, smtp_server, django_capture_on_commit_callbacks
):
    briefing = newsletter()
    sign_in(client, smtp_server, "own@example.org", django_capture_on_commit_callbacks)
    mails_before = Delivery.objects.count()
    url = reverse("commenters:newsletter", args=[briefing.pk])

    subscribed = client.post(url, {"subscribe": "yes"})

    assert subscribed.status_code == 303
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE
    assert Delivery.objects.count() == mails_before  # no confirmation mail
    page = BeautifulSoup(client.get(reverse("commenters:mine")).content, "html.parser")
    assert "You get it." in page.select_one("#newsletter-morning").get_text()

    client.post(url, {"subscribe": "no"})

    assert Subscription.objects.get().status == Subscription.Status.UNSUBSCRIBED


def test_without_a_session_the_page_subscribes_nobody(client):
    briefing = newsletter()

    response = client.post(
        reverse("commenters:newsletter", args=[briefing.pk]), {"subscribe": "yes"}
    )

    assert response.status_code == 303 and not Subscription.objects.exists()
