"""The "Email" report in the Wagtail admin."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.utils import timezone

from mailing import services
from mailing.models import Delivery
from mailing.sending import send_due

pytestmark = pytest.mark.django_db


def test_the_email_report_counts_sent_queued_failed_and_unsubscribed_per_day(client, smtp_server):
    admin = get_user_model().objects.create_superuser("boss", "boss@newsroom.example", "pw")
    client.force_login(admin)
    for i in range(3):
        address = services.confirm(address=services.address_for(f"r{i}@example.org", create=True))
        services.queue_mail(
            event_key="e:1", address=address, category="test", subject="S", text="T", html=""
        )
    send_due()
    Delivery.objects.filter(address__email="r2@example.org").update(
        status=Delivery.Status.FAILED, failed_at=timezone.now(), last_error="refused: 550 gone"
    )
    services.unsubscribe(address=services.address_for("r1@example.org"), scope=services.ALL)
    services.request_confirmation(email="new@example.org", ip_address="192.0.2.1", purpose="p")
    Delivery.objects.filter(address__email="new@example.org").update(
        next_attempt_at=timezone.now() + dt.timedelta(hours=1)
    )

    response = client.get("/admin/email/")

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find(id="email-totals").get_text() == "Waiting to be sent: 1. Sent: 2. Failed: 1."
    today = [td.get_text() for td in page.select("#email-per-day tbody tr")[0].find_all("td")]
    assert today == [timezone.localdate().isoformat(), "4", "2", "1", "1"]
    assert "refused: 550 gone" in page.find(id="email-failures").get_text()
    assert "r0@example.org" not in response.content.decode()


def test_the_email_report_needs_its_permission(client):
    user = get_user_model().objects.create_user("ed", "ed@newsroom.example", "pw", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)

    assert client.get("/admin/email/").status_code == 302
