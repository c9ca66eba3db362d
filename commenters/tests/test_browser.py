"""A reader comes back for their comments in a real browser (Debian's Chromium), with
JavaScript off: sign-in link by mail, their list, a delete."""

from urllib.parse import urlsplit

import pytest

from commenters.tests.helpers import link_in
from comments.models import Comment
from comments.tests import factories
from news.tests import factories as news

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_signs_in_from_the_mailed_link_and_deletes_a_comment(
    browser, live_server, smtp_server, screenshot_dir
):
    article = news.article(title="Harbour reopens after the storm")
    kept = factories.comment(
        article, body="Good to see the boats back.", email_address="jane@example.com"
    )
    regret = factories.comment(article, body="Posted in haste.", email_address="jane@example.com")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    page.goto(live_server.url + "/comments/you/")
    page.fill("#id_email", "Jane@Example.com")
    page.click("#send-link")
    assert page.locator("h1").inner_text() == "Check your email"
    (message,) = smtp_server
    assert message["To"] == "jane@example.com"

    page.goto(live_server.url + link_in(message))
    assert page.locator("h1").inner_text() == "Sign in to your comments"
    page.click("#sign-in")
    assert page.locator("h1").inner_text() == "Your comments"
    assert page.locator("li.comment").count() == 2
    page.screenshot(path=screenshot_dir / "mine.png", full_page=True)

    page.locator(f"#mine-{regret.pk} >> text=Delete").click()
    assert "Posted in haste." in page.locator("blockquote").inner_text()
    page.click("#delete")
    assert page.locator("li.comment").count() == 1
    assert page.locator(f"#mine-{kept.pk} .comment-status").inner_text() == "Published"
    assert list(Comment.objects.values_list("pk", flat=True)) == [kept.pk]
    assert hosts == {urlsplit(live_server.url).netloc}
    context.close()
