"""Every public page type, and the comment moderation queue, pass axe-core (WCAG 2.2 A and
AA, and axe's best practices) in Chromium, on a phone and on a desktop screen.

axe-core is vendored under news/tests/vendor (see the README there): nothing is downloaded
when the tests run."""

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client

from comments.models import Comment
from comments.tests import factories as comment_factories
from news.tests.test_browser import ensure_site_tree, newsroom

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


def axe_violations(page, context: str | dict = "document") -> list[str]:
    """Run axe-core on what `page` shows; one line per violation and element."""
    page.add_script_tag(path=str(AXE))
    assert page.evaluate("axe.version") == AXE_VERSION
    results = page.evaluate(
        """([context, tags]) => axe.run(context === "document" ? document : context, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        [context, AXE_TAGS],
    )
    return [
        f"{violation['impact']} {violation['id']}: {' '.join(node['target'])}: "
        f"{node['failureSummary']}"
        for violation in results["violations"]
        for node in violation["nodes"]
    ]


def report(found: dict) -> str:
    return "\n".join(f"{where}: {line}" for where, lines in found.items() for line in lines)


def commented_article():
    """The newsroom's lead story with a thread: a reader, a reply and a newsroom comment."""
    ensure_site_tree()
    lead = newsroom()
    staff = get_user_model().objects.create_user(
        "editor", "editor@example.com", "pw", first_name="Rosa", last_name="Editor"
    )
    first = comment_factories.comment(
        lead,
        name="Jane Reader",
        body="Good to see the *homes* approved. [The report](https://example.org/report).",
        created_at=dt.datetime(2026, 11, 20, 16, tzinfo=dt.UTC),
    )
    comment_factories.comment(
        lead,
        name="Sam Neighbour",
        body="Agreed, though the traffic plan needs work.",
        parent=first,
        created_at=dt.datetime(2026, 11, 20, 17, tzinfo=dt.UTC),
    )
    comment_factories.comment(
        lead,
        name="Rosa Editor",
        body="We will follow the traffic plan at the next meeting.",
        user=staff,
        created_at=dt.datetime(2026, 11, 20, 18, tzinfo=dt.UTC),
    )
    comment_factories.comment(lead, name="Spammer", body="Buy now", status=Comment.Status.PENDING)
    # With newsletters open for sign-up, the sign-up box is on the front page, sections
    # and articles; one sent issue has its archive page.
    from newsletters import services as newsletters
    from newsletters.models import IssueItem, Newsletter

    briefing = Newsletter.objects.create(
        name="The Morning Briefing", slug="morning", description="The news before breakfast."
    )
    Newsletter.objects.create(name="Weekend Reads", slug="weekend")
    issue = newsletters.build_issue(briefing, date=dt.date(2026, 12, 1))
    IssueItem.objects.create(issue=issue, article=lead, sort_order=0)
    newsletters.send(issue)
    return lead, first


def public_pages(lead, first) -> dict[str, str]:
    return {
        "front page": "/",
        "section": "/local/",
        "article with comments": lead.url,
        "article replying to a comment": f"{lead.url}?replytocom={first.pk}",
        "author": "/authors/maya-okafor/",
        "topic": "/topics/housing/",
        "search": "/search/?q=council",
        "comment report": f"/comments/{first.pk}/report/",
        "newsletters": "/newsletters/",
        "newsletter archive": "/newsletters/morning/",
        "newsletter issue": "/newsletters/morning/2026-12-01/",
    }


@pytest.mark.parametrize("screen", SCREENS)
def test_every_public_page_type_has_no_axe_violations(browser, live_server, screen):
    lead, first = commented_article()
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    found = {}
    for name, url in public_pages(lead, first).items():
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        found[name] = axe_violations(page)

    assert found == {name: [] for name in found}, report(found)
    assert hosts == {urlsplit(live_server.url).netloc}
    context.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_the_comment_moderation_queue_has_no_axe_violations(browser, live_server, screen):
    commented_article()
    moderator = get_user_model().objects.create_superuser(
        "moderator", "moderator@example.com", "pw"
    )
    client = Client()
    client.force_login(moderator)
    context = browser.new_context(**SCREENS[screen])
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()

    pending = Comment.objects.get(status=Comment.Status.PENDING)
    found = {}
    for url in [
        "/admin/comments/",
        "/admin/comments/?status=all",
        "/admin/comments/?status=reported",
        f"/admin/comments/{pending.pk}/edit/",
    ]:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        if url == "/admin/comments/":
            # The queue is checked with a comment in it, not empty.
            assert "Buy now" in page.locator("main").inner_text()
        found[url] = axe_violations(page)

    assert found == {url: [] for url in found}, report(found)
    context.close()
