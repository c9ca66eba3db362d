"""The pages the links in a mail open, as a mail scanner, a mail client and a reader use
them: GET changes nothing, POST acts, without cookies, CSRF token or JavaScript."""

import datetime as dt
import re
import time

import pytest
from bs4 import BeautifulSoup
from django.core import signing
from django.test import Client

from mailing import services, tokens
from mailing.models import Address
from mailing.sending import send_due

pytestmark = pytest.mark.django_db


def link(message, label: str) -> str:
    """The address of the link `label` in the mail's text part."""
    text = message.get_payload()[0].get_payload(decode=True).decode()
    found = re.search(rf"{re.escape(label)}:?\s*(https?://\S+)", text)
    assert found, text
    return found.group(1).removeprefix("http://127.0.0.1:8000")


def confirmation_link(message) -> str:
    text = message.get_payload()[0].get_payload(decode=True).decode()
    return (
        re.search(r"(http://\S+/mail/confirm/\S+/)", text)
        .group(1)
        .removeprefix("http://127.0.0.1:8000")
    )


def scanner() -> Client:
    return Client(enforce_csrf_checks=True, HTTP_USER_AGENT="LinkScanner/1.0")


def test_a_scanner_fetching_the_confirmation_link_confirms_nothing(smtp_server):
    services.request_confirmation(email="reader@example.org", ip_address="192.0.2.1", purpose="p")
    send_due()
    url = confirmation_link(smtp_server[0])

    for method in ("get", "head"):
        response = getattr(scanner(), method)(url)
        assert response.status_code == 200

    assert services.is_confirmed("reader@example.org") is False
    page = BeautifulSoup(scanner().get(url).content, "html.parser")
    assert page.find("button", id="confirm").get_text() == "Confirm my email address"
    assert "reader@example.org" not in page.get_text()


def test_pressing_the_button_confirms(client, smtp_server):
    services.request_confirmation(email="reader@example.org", ip_address="192.0.2.1", purpose="p")
    send_due()
    url = confirmation_link(smtp_server[0])
    client.get(url)

    response = client.post(url)

    assert response.status_code == 200
    assert "Your email address is confirmed." in response.content.decode()
    address = Address.objects.get()
    assert address.confirmed_at is not None
    assert address.confirmed_by == Address.Confirmation.LINK


def issued_ago(address, age: dt.timedelta) -> str:
    """A confirmation link as it was made `age` ago."""

    class Then(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time() - age.total_seconds()))

    payload = {"a": address.pk, "h": tokens._fingerprint(address.email), "p": "p"}
    return f"/mail/confirm/{Then(salt=tokens.CONFIRM_SALT).sign_object(payload)}/"


def test_a_confirmation_link_works_for_seven_days(client):
    address = services.address_for("reader@example.org", create=True)

    response = client.post(issued_ago(address, dt.timedelta(days=7, minutes=1)))

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert services.is_confirmed("reader@example.org") is False
    assert client.post(issued_ago(address, dt.timedelta(days=6, hours=23))).status_code == 200
    assert services.is_confirmed("reader@example.org") is True


def test_an_altered_link_is_refused_and_changes_nothing(client):
    address = services.address_for("reader@example.org", create=True)
    token = tokens.make(address, tokens.CONFIRM_SALT, p="p")
    other = services.address_for("other@example.org", create=True)
    forged = signing.dumps({"a": other.pk, "h": "0" * 16, "p": "p"}, salt=tokens.CONFIRM_SALT)

    for bad in (token[:-2] + "xx", "nonsense", forged):
        response = client.post(f"/mail/confirm/{bad}/")
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    # An unsubscribe token does not confirm, nor the other way round.
    unsubscribe = services.unsubscribe_url(address).rsplit("/", 2)[-2]
    assert client.post(f"/mail/confirm/{unsubscribe}/").status_code == 400
    assert client.post(f"/mail/unsubscribe/{token}/").status_code == 400
    assert Address.objects.filter(confirmed_at__isnull=False).count() == 0
    assert Address.objects.filter(suppressed_at__isnull=False).count() == 0


def test_a_forgotten_address_link_no_longer_works(client):
    address = services.address_for("reader@example.org", create=True)
    url = services.unsubscribe_url(address).removeprefix("http://127.0.0.1:8000")
    services.forget_address("reader@example.org")

    assert client.post(url).status_code == 400


def confirmed_mail(smtp_server):
    address = services.confirm(address=services.address_for("reader@example.org", create=True))
    services.queue_mail(
        event_key="e:1",
        address=address,
        category="test",
        subject="Hello",
        text="Hello.",
        html="<p>Hello.</p>",
        unsubscribe_scope="page:3",
        unsubscribe_label="Stop emails about this article",
    )
    send_due()
    return smtp_server[-1]


def test_a_scanner_fetching_the_unsubscribe_links_stops_nothing(smtp_server):
    message = confirmed_mail(smtp_server)
    header = " ".join(message["List-Unsubscribe"].split()).strip("<>")

    for url in (
        header.removeprefix("http://127.0.0.1:8000"),
        link(message, "Stop emails about this article"),
        link(message, "Stop all emails from The Masthead Courier"),
    ):
        response = scanner().get(url)
        assert response.status_code == 200
        assert BeautifulSoup(response.content, "html.parser").find("button", id="unsubscribe")

    assert services.can_receive("reader@example.org") is True


def test_the_one_click_post_works_without_cookies_or_csrf_token(smtp_server):
    message = confirmed_mail(smtp_server)
    url = " ".join(message["List-Unsubscribe"].split()).strip("<>")
    url = url.removeprefix("http://127.0.0.1:8000")
    heard = []
    services.unsubscribed.connect(lambda **kw: heard.append(kw["scope"]), weak=False)

    response = Client(enforce_csrf_checks=True).post(
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "You will get no more of these emails." in response.content.decode()
    assert heard[-1] == "page:3"
    # The article's scope stops that article's mail (its app listens); other mail goes on.
    assert services.can_receive("reader@example.org") is True


def test_stop_all_emails_stops_every_mail(smtp_server):
    message = confirmed_mail(smtp_server)
    url = link(message, "Stop all emails from The Masthead Courier")

    response = Client(enforce_csrf_checks=True).post(url)

    assert response.status_code == 200
    assert "You will get no more emails from The Masthead Courier." in response.content.decode()
    address = Address.objects.get()
    assert address.suppressed_reason == Address.Suppression.UNSUBSCRIBED
    assert services.can_receive("reader@example.org") is False
