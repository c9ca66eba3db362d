"""Newsletters in the Wagtail admin, as an editor uses them: preview, test, schedule and
send an issue; subscribers' counts, export, import and bounce lists."""

import csv
import datetime as dt
import io

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from comments.tests import factories
from mailing.models import Address
from newsletters import services
from newsletters.models import Issue, Subscription

from .helpers import deliver, issue_with_articles, newsletter, parts, subject, subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = factories.staff_user("editor", email="editor@example.org")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


def csv_file(*rows) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("list.csv", buffer.getvalue().encode(), content_type="text/csv")


def test_an_editor_previews_tests_and_sends_an_issue(client, editor, smtp_server):
    briefing = newsletter()
    subscriber(briefing, "reader@example.org")
    issue = issue_with_articles(briefing, "The budget passes")
    send_page = reverse("newsletters_admin:send", args=[issue.pk])

    preview = client.get(reverse("newsletters_admin:preview", args=[issue.pk]))
    page = client.get(send_page)
    client.post(send_page, {"action": "test", "email": "editor@example.org"})

    assert preview.status_code == 200 and "The budget passes" in preview.content.decode()
    assert "Would go to" in page.content.decode()
    [test] = smtp_server
    assert subject(test).startswith("[Test] The Morning Briefing")
    assert test["To"] == "editor@example.org"
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT

    client.post(send_page, {"action": "send"})
    deliver()

    assert [m.envelope_to for m in smtp_server[1:]] == [["reader@example.org"]]
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT
    client.post(send_page, {"action": "send"})
    deliver()
    assert len(smtp_server) == 2  # an issue goes once


def test_an_editor_schedules_an_issue_and_takes_it_back(client, editor):
    issue = issue_with_articles(newsletter(), "Later")
    send_page = reverse("newsletters_admin:send", args=[issue.pk])
    when = timezone.localtime() + dt.timedelta(days=1)

    client.post(send_page, {"action": "schedule", "send_at": when.strftime("%Y-%m-%dT%H:%M")})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SCHEDULED
    assert abs((issue.send_at - when).total_seconds()) < 60

    client.post(send_page, {"action": "unschedule"})
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_an_issue_without_articles_is_not_sent(client, editor):
    empty = services.build_issue(newsletter(content="curated"))

    response = client.post(
        reverse("newsletters_admin:send", args=[empty.pk]), {"action": "send"}, follow=True
    )

    assert "An issue needs at least one article." in response.content.decode()
    assert Issue.objects.get(pk=empty.pk).status == Issue.Status.DRAFT


def test_the_subscribers_page_counts_and_exports(client, editor):
    briefing = newsletter()
    subscriber(briefing, "one@example.org")
    bounced = subscriber(briefing, "two@example.org")
    services.unsubscribed(address=subscriber(briefing, "three@example.org").address, scope="all")
    Subscription.objects.create(
        newsletter=briefing, address=Address.objects.create(email="p@example.org")
    )
    from mailing import services as mailing

    mailing.suppress(address=bounced.address, reason=Address.Suppression.BOUNCED)

    page = BeautifulSoup(
        client.get(reverse("newsletters_admin:subscribers")).content, "html.parser"
    )
    export = client.get(reverse("newsletters_admin:export", args=[briefing.pk]))

    cells = [td.get_text() for td in page.select("#newsletter-counts tbody td")][:5]
    assert cells == ["The Morning Briefing", "1", "1", "1", "1"]
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][:3] == ["email", "status", "source"]
    assert sorted((r[0], r[1]) for r in rows[1:]) == [
        ("one@example.org", "active"),
        ("p@example.org", "pending"),
        ("three@example.org", "unsubscribed"),
        ("two@example.org", "active"),
    ]
    assert len(page.select("#newsletter-growth tbody tr")) == 30


def test_an_import_without_a_consent_note_changes_nothing(client, editor):
    briefing = newsletter()
    url = reverse("newsletters_admin:import", args=[briefing.pk])

    refused = client.post(url, {"file": csv_file(["email"], ["a@example.org"])}, follow=True)
    taken = client.post(
        url,
        {
            "file": csv_file(["name", "email"], ["A", "a@example.org"], ["B", "b@example.org"]),
            "consent_note": "Signed up at our stand, paper forms kept",
        },
        follow=True,
    )

    assert "Where consent came from" in refused.content.decode()
    assert "2 added" in taken.content.decode()
    assert set(Subscription.objects.values_list("address__email", "consent_note")) == {
        ("a@example.org", "Signed up at our stand, paper forms kept"),
        ("b@example.org", "Signed up at our stand, paper forms kept"),
    }


def test_a_bounce_list_stops_mail_to_those_addresses(client, editor, smtp_server):
    briefing = newsletter()
    subscriber(briefing, "bounced@example.org")
    subscriber(briefing, "fine@example.org")

    client.post(
        reverse("newsletters_admin:bounces"),
        {
            "file": csv_file(["bounced@example.org"], ["never-seen@example.org"]),
            "reason": "bounced",
        },
    )
    services.send(issue_with_articles(briefing, "After the bounce list"))
    deliver()

    assert [m.envelope_to for m in smtp_server] == [["fine@example.org"]]
    assert Address.objects.get(email="never-seen@example.org").suppressed_reason == "bounced"
    assert "After the bounce list" in parts(smtp_server[0])[0]


def test_a_moderator_without_newsletter_rights_is_kept_out(client):
    user = factories.staff_user("moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    issue = issue_with_articles(newsletter(), "Private draft")

    # Wagtail's admin answers a refusal by sending them back to the dashboard.
    for url in (
        reverse("newsletters_admin:subscribers"),
        reverse("newsletters_admin:preview", args=[issue.pk]),
        reverse("newsletters_admin:send", args=[issue.pk]),
    ):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, "/admin/")
