"""The whole loop in Chromium: tick the box, confirm from the mail, get the reply's mail,
stop it with one click."""

import re
from urllib.parse import urlsplit

import pytest

from comments.models import Comment
from news.tests import factories
from notifications.models import Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def text_of(message) -> str:
    return message.get_payload()[0].get_payload(decode=True).decode().replace("\r\n", "\n")


def wait_for_mail(page, inbox, count: int) -> None:
    for _ in range(100):
        if len(inbox) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{len(inbox)} mails, expected {count}")


def test_a_reader_asks_confirms_gets_the_reply_and_stops_it_in_one_click(
    browser, live_server, smtp_server, settings, screenshot_dir
):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    article = factories.article("Harbour reopens after the storm")
    jane = browser.new_context()
    page = jane.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(live_server.url + article.url)
    assert not page.locator("#id_notify_replies").is_checked()
    page.fill("#id_body", "Good to see the boats back.")
    page.fill("#id_name", "Jane Reader")
    page.fill("#id_email", "jane@example.com")
    page.check("#id_notify_replies")
    page.click("text=Post Comment")
    page.wait_for_selector(".comment-list > li.comment")

    wait_for_mail(page, smtp_server, 1)
    confirm = re.search(r"(http://\S+/mail/confirm/\S+/)", text_of(smtp_server[0])).group(1)
    page.goto(confirm)
    assert page.locator(".mailing li").all_inner_texts() == [
        "Replies to your comment on “Harbour reopens after the storm”"
    ]
    page.click("#confirm")
    page.wait_for_selector("text=Your email address is confirmed.")
    page.screenshot(path=screenshot_dir / "confirmed.png", full_page=True)

    bob = browser.new_context()
    other = bob.new_page()
    other.goto(live_server.url + article.url)
    first = Comment.objects.get()
    other.locator(f"#comment-{first.pk} .comment-reply-link").click()
    other.fill("#id_body", "They came back on Tuesday.")
    other.fill("#id_name", "Bob")
    other.fill("#id_email", "bob@example.net")
    other.click("text=Post Comment")
    other.wait_for_selector(f"#comment-{first.pk} > ol.children > li.comment")

    wait_for_mail(page, smtp_server, 2)
    reply_mail = text_of(smtp_server[1])
    assert smtp_server[1].envelope_to == ["jane@example.com"]
    assert "They came back on Tuesday." in reply_mail
    link = re.search(r"Read it and reply: (\S+)", reply_mail).group(1)
    reply = Comment.objects.get(email="bob@example.net")
    assert link.endswith(f"#comment-{reply.pk}")
    page.goto(link)
    assert "They came back on Tuesday." in page.locator(f"#comment-{reply.pk}").inner_text()

    stop = re.search(r"Stop emails about this article: (\S+)", reply_mail).group(1)
    page.goto(stop)
    page.click("#unsubscribe")
    page.wait_for_selector("text=You will get no more of these emails.")
    page.screenshot(path=screenshot_dir / "stopped.png", full_page=True)
    assert Subscription.objects.count() == 0
    assert hosts == {urlsplit(live_server.url).netloc}
    jane.close()
    bob.close()
