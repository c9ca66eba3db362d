"""What a reader does in a real browser (Debian's Chromium, driven by Playwright)."""

from urllib.parse import urlsplit

import pytest

from comments.models import Comment
from news.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(page, body, name="Jane Reader", email="jane@example.com"):
    page.fill("#id_body", body)
    page.fill("#id_name", name)
    page.fill("#id_email", email)


def test_a_reader_comments_replies_and_sees_the_reply_nested(
    browser, live_server, screenshot_dir, settings
):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    article = factories.article("Harbour reopens after the storm")
    context = browser.new_context()
    page = context.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(live_server.url + article.url)
    assert page.locator("#comments-title").inner_text() == "Be the first to comment"

    _fill(page, "Good to see the *boats* back.")
    page.click("text=Post Comment")
    page.wait_for_selector(".comment-list > li.comment")
    assert page.locator("#comments-title").inner_text() == "1 Comment"
    first = Comment.objects.get()
    assert page.locator(f"#comment-{first.pk} .comment-text em").inner_text() == "boats"

    page.locator(f"#comment-{first.pk} .comment-reply-link").click()
    assert page.locator(".reply-title-text").inner_text() == "Leave a Reply to Jane Reader"
    assert page.locator("#cancel-comment-reply-link").is_visible()
    page.fill("#id_body", "Replying to myself, nested.")
    page.click("text=Post Comment")
    reply = page.locator(f"#comment-{first.pk} > ol.children > li.comment")
    reply.wait_for()
    assert "Replying to myself, nested." in reply.inner_text()
    assert page.locator("#comments-title").inner_text() == "2 Comments"

    # The same thread after a reload, as the server renders it.
    page.reload()
    assert page.locator("#comments-title").inner_text() == "2 Comments"
    assert page.locator(f"#comment-{first.pk} > ol.children > li.comment").count() == 1
    page.screenshot(path=screenshot_dir / "thread.png", full_page=True)
    assert hosts == {urlsplit(live_server.url).netloc}
    context.close()


def test_a_first_time_commenter_sees_awaiting_moderation_and_nobody_else_sees_it(
    browser, live_server, screenshot_dir
):
    article = factories.article("Council delays the budget vote")
    author = browser.new_context()
    page = author.new_page()
    page.goto(live_server.url + article.url)
    _fill(page, "First time here; hello.", email="new@example.com")
    page.click("text=Post Comment")
    page.wait_for_selector(".comment-awaiting")
    assert page.locator(".comment-awaiting").inner_text() == "Your comment is awaiting moderation."
    assert page.locator("#comments-title").inner_text() == "Be the first to comment"
    page.reload()
    assert page.locator(".comment-awaiting").count() == 1
    page.screenshot(path=screenshot_dir / "author.png", full_page=True)

    stranger = browser.new_context()
    other = stranger.new_page()
    other.goto(live_server.url + article.url)
    assert other.locator("text=First time here; hello.").count() == 0
    assert other.locator("#comments-title").inner_text() == "Be the first to comment"
    other.screenshot(path=screenshot_dir / "stranger.png", full_page=True)
    author.close()
    stranger.close()


def test_without_javascript_the_form_posts_and_lands_on_the_new_comment(
    browser, live_server, settings
):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    article = factories.article("Ferry timetable changes")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.url)
    _fill(page, "Posted without scripts.")
    page.click("text=Post Comment")
    comment = Comment.objects.get()
    assert page.url.endswith(f"{article.url}#comment-{comment.pk}")
    assert page.locator("#comments-title").inner_text() == "1 Comment"

    page.fill("#id_body", "")
    page.fill("#id_name", "Jane Reader")
    page.click("text=Post Comment")
    assert page.locator(".comment-form-comment .form-error").inner_text() == (
        "Please type your comment."
    )
    assert page.input_value("#id_name") == "Jane Reader"
    assert Comment.objects.count() == 1
    context.close()


def test_with_the_page_cache_on_personal_bits_come_from_the_readers_browser(
    browser, live_server, settings
):
    settings.MASTHEAD_PAGE_CACHE = True
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    article = factories.article("Night buses return")
    author = browser.new_context()
    page = author.new_page()
    page.goto(live_server.url + article.url)
    _fill(page, "Glad to have them back.", name="Sam Rider", email="sam@example.com")
    page.check("#id_save_commenter")
    page.click("text=Post Comment")
    page.wait_for_selector(".comment-list > li.comment")
    comment = Comment.objects.get()

    reloaded = page.reload()
    assert reloaded.headers["x-cache"] in ("HIT", "MISS")
    own = page.locator(f"#comment-{comment.pk} .comment-edit-link")
    assert own.get_attribute("href") == f"/comments/{comment.pk}/edit/"
    assert page.input_value("#id_name") == "Sam Rider"
    assert page.input_value("#id_email") == "sam@example.com"

    stranger = browser.new_context()
    other = stranger.new_page()
    response = other.goto(live_server.url + article.url)
    assert response.headers["x-cache"] == "HIT"
    assert other.locator(".comment-edit-link").count() == 0
    assert other.input_value("#id_email") == ""
    assert "sam@example.com" not in other.content()
    author.close()
    stranger.close()
