"""Readers' reports: who may report what, and when reports hold a comment."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.test import Client, TestCase
from wagtail.models import PageViewRestriction

from comments import services
from comments.models import Comment, Report
from comments.tests import factories
from news.tests import factories as news

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}


def report_url(comment) -> str:
    return f"/comments/{comment.pk}/report/"


def hidden_page(how: str):
    """An article anonymous readers cannot see: behind a password, for signed-in readers
    only (a restriction on its section), or unpublished."""
    if how == "password":
        page = news.article("Behind a password")
        PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
        )
    elif how == "private":
        section = news.section("Members")
        page = news.article("Members only", in_section=section)
        PageViewRestriction.objects.create(page=section, restriction_type="login")
    else:
        page = news.article("Withdrawn")
    return page


HIDDEN = ["password", "private", "unpublished"]


@pytest.mark.parametrize("how", HIDDEN)
def test_a_comment_on_a_page_readers_cannot_see_has_no_report_page(client, how):
    page = hidden_page(how)
    comment = factories.comment(page, name="Quiet Person", body="Said behind closed doors")
    if how == "unpublished":
        page.unpublish()

    form = client.get(report_url(comment))
    sent = client.post(report_url(comment), {"reason": "spam"})
    as_json = client.post(report_url(comment), {"reason": "spam"}, headers=JSON)

    assert (form.status_code, sent.status_code, as_json.status_code) == (404, 404, 404)
    for response in (form, sent, as_json):
        text = response.content.decode()
        assert "Quiet Person" not in text
        assert "Said behind closed doors" not in text
    assert as_json.json()["error"]["code"] == "not_found"
    assert Report.objects.count() == 0
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == (Comment.Status.APPROVED, 0)


@pytest.mark.parametrize("how", HIDDEN)
def test_the_permalink_of_a_comment_on_a_hidden_page_is_not_found(client, how):
    page = hidden_page(how)
    comment = factories.comment(page, name="Quiet Person")
    if how == "unpublished":
        page.unpublish()

    response = client.get(f"/comments/{comment.pk}/")

    assert response.status_code == 404
    assert "Quiet Person" not in response.content.decode()


def test_a_comment_on_a_public_page_can_still_be_reported(client):
    comment = factories.comment(news.article(), name="Loud Person")

    form = client.get(report_url(comment))
    sent = Client().post(report_url(comment), {"reason": "spam"}, headers=JSON)

    assert form.status_code == 200
    assert "Loud Person" in form.content.decode()
    assert (sent.status_code, sent.json()) == (201, {"reported": comment.pk})


# Who counts as a reader ------------------------------------------------------------------


@pytest.fixture
def desk(settings, smtp_server):
    """Comments published at once, and held ones announced to one address by mail (to a
    real SMTP server on loopback). Yields the mail received."""
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.MASTHEAD_COMMENTS_NOTIFY = "each"
    settings.MASTHEAD_COMMENTS_NOTIFY_EMAILS = ["desk@newsroom.example"]
    return smtp_server


def reader(address: str, cookie: str | None = None) -> Client:
    """A browser at `address`, with a made-up reader cookie of its own."""
    client = Client(REMOTE_ADDR=address)
    client.cookies["masthead_reader"] = cookie or f"{abs(hash(address)):032d}"[-32:]
    return client


def report(client, comment, reason="abuse"):
    """Send a report as the page's script does, and run what waits for the commit (the
    moderators' mail)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(report_url(comment), {"reason": reason}, headers=JSON)


def test_made_up_cookies_from_one_network_count_as_one_reader(desk):
    comment = factories.comment(news.article(), body="An unpopular opinion")
    senders = [reader("203.0.113.7"), reader("203.0.113.8"), reader("203.0.113.200")]
    senders += [reader("2001:db8:5:6::1"), reader("2001:db8:5:6:ffff::2")]

    statuses = [report(client, comment).status_code for client in senders]

    assert statuses == [201] * 5
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert "An unpopular opinion" in Client().get(comment.page.url).content.decode()
    assert desk == []


def test_readers_on_three_networks_hold_the_comment_and_the_desk_gets_one_mail(desk):
    comment = factories.comment(news.article(), body="Questionable claim")

    for address in ("203.0.113.7", "198.51.100.7", "2001:db8:5:6::1"):
        assert report(reader(address), comment).status_code == 201

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reasons[-1] == "hold: reported by 3 readers"
    assert "Questionable claim" not in Client().get(comment.page.url).content.decode()
    assert [m.envelope_to for m in desk] == [["desk@newsroom.example"]]
    assert list(Report.objects.order_by("pk").values_list("network", flat=True)) == [
        "203.0.113.0/24",
        "198.51.100.0/24",
        "2001:db8:5:6::/64",
    ]


def test_reports_are_rate_limited_per_network(desk, settings):
    settings.MASTHEAD_COMMENTS_REPORT_RATE_LIMITS = "2/3600"
    article = news.article()
    first, second, third = (factories.comment(article) for _ in range(3))

    sent = [
        report(reader("203.0.113.7"), first),
        report(reader("203.0.113.8"), second),
        report(reader("203.0.113.9"), third),
        report(reader("198.51.100.7"), third),
    ]

    assert [r.status_code for r in sent] == [201, 201, 429, 201]
    assert sent[2].json()["error"]["code"] == "rate_limited"
    assert 3590 <= int(sent[2]["Retry-After"]) <= 3600
    assert list(Report.objects.filter(comment=third).values_list("network", flat=True)) == [
        "198.51.100.0/24"
    ]


# What reports may take down -----------------------------------------------------------


def admin_row_text(client, comment) -> str:
    page = BeautifulSoup(client.get("/admin/comments/?status=reported").content, "html.parser")
    row = page.find(id=f"row-{comment.pk}")
    return row.get_text(" ", strip=True) if row else ""


@pytest.fixture
def moderator():
    user = factories.staff_user("moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(user)
    return client


THREE_NETWORKS = ("203.0.113.7", "198.51.100.7", "2001:db8:5:6::1")


@pytest.mark.parametrize("kind", ["newsroom", "pick"])
def test_reports_on_a_newsroom_comment_or_a_pick_flag_it_and_it_stays_up(desk, moderator, kind):
    article = news.article()
    if kind == "newsroom":
        comment = factories.comment(
            article, body="Our reporter answers", user=factories.staff_user()
        )
        because = "newsroom comment"
    else:
        comment = factories.comment(article, body="Our reporter answers")
        services.moderate_comments(comment_ids=[comment.pk], action="feature")
        because = "editors' pick"

    for address in THREE_NETWORKS:
        assert report(reader(address), comment).status_code == 201

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert "Our reporter answers" in Client().get(article.url).content.decode()
    assert comment.moderation_reasons[-1] == f"flag: reported by 3 readers, kept up ({because})"
    assert "Reported (1)" in moderator.get("/admin/comments/").content.decode()
    row = admin_row_text(moderator, comment)
    assert "Reported: Abusive or harassing" in row
    assert desk == []


def test_after_a_moderator_approves_it_again_reports_cannot_hold_it(desk, moderator):
    article = news.article()
    comment = factories.comment(article, body="Blunt but fair")
    for address in THREE_NETWORKS:
        report(reader(address), comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING

    moderator.post("/admin/comments/act/", {"ids": [comment.pk], "action": "approve"})
    for address in ("192.0.2.50", "100.64.1.1", "2001:db8:9:9::1"):
        assert report(reader(address), comment).status_code == 201

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderation_reasons[-1] == (
        "flag: reported by 3 readers, kept up (approved by a moderator)"
    )
    assert "Blunt but fair" in Client().get(article.url).content.decode()


def test_approving_a_flagged_comment_deals_with_its_reports(desk, moderator):
    comment = factories.comment(news.article(), user=factories.staff_user())
    for address in THREE_NETWORKS:
        report(reader(address), comment)
    assert "Reported (1)" in moderator.get("/admin/comments/").content.decode()

    moderator.post("/admin/comments/act/", {"ids": [comment.pk], "action": "approve"})

    assert "Reported (0)" in moderator.get("/admin/comments/").content.decode()
    assert Report.objects.filter(comment=comment, resolved=False).count() == 0
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == (Comment.Status.APPROVED, 0)
