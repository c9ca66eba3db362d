"""Likes, orders, folded branches and live updates as a reader uses them in Chromium, with
the mouse, with the keyboard alone, and without JavaScript."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from comments.models import Comment
from comments.tests import factories
from news.tests import factories as news

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_comments(settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.MASTHEAD_COMMENTS_LIVE_POLL = 1
    return settings


def test_a_new_comment_from_another_reader_is_announced_and_shown_on_request(
    browser, live_server, open_comments, screenshot_dir
):
    article = news.article("Tram line opens")
    factories.comment(article, name="Early Bird", body="First tram at six.")
    reader = browser.new_context()
    writer = browser.new_context()
    page = reader.new_page()
    page.set_viewport_size({"width": 900, "height": 500})
    page.goto(live_server.url + article.url)
    page.locator("#comments .comment-list").scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert page.locator(".comment-live").get_attribute("role") == "status"
    assert page.locator(".comment-live").get_attribute("aria-live") == "polite"

    other = writer.new_page()
    other.goto(live_server.url + article.url)
    other.fill("#id_body", "Second tram was full.")
    other.fill("#id_name", "Late Rider")
    other.fill("#id_email", "late@example.com")
    other.click("text=Post Comment")
    other.wait_for_selector("text=Second tram was full.")

    bar = page.locator(".comment-live .new-comments-button")
    bar.wait_for(timeout=8000)
    assert bar.inner_text() == "1 new comment"
    assert page.locator("text=Second tram was full.").count() == 0
    assert page.evaluate("window.scrollY") == scrolled  # nothing moved under the reader
    page.screenshot(path=screenshot_dir / "bar.png")

    bar.click()
    new = Comment.objects.get(name="Late Rider")
    page.locator(f"#comment-{new.pk}").wait_for()
    assert page.locator("#comments-title").inner_text() == "2 Comments"
    assert page.evaluate("document.activeElement.id") == f"comment-{new.pk}"
    assert page.locator(".new-comments-button").count() == 0
    reader.close()
    writer.close()


def test_a_like_happens_in_place_once_and_is_remembered(browser, live_server, open_comments):
    article = news.article("Market hall restored")
    comment = factories.comment(article, name="Sam Rider")
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + article.url)
    button = page.locator(f"#comment-{comment.pk} .like-button")
    count = page.locator(f"#comment-{comment.pk} .like-count")

    button.click()
    page.wait_for_function(
        f"document.querySelector('#comment-{comment.pk} .like-count').textContent === '1 like'"
    )
    assert button.get_attribute("aria-pressed") == "true"
    assert page.locator(".like-status").inner_text() == "Liked."
    button.click()
    page.wait_for_timeout(300)
    assert count.inner_text() == "1 like"
    assert Comment.objects.get(pk=comment.pk).likes == 1
    assert page.url == live_server.url + article.url

    page.reload()
    assert page.locator(f"#comment-{comment.pk} .like-button").get_attribute("aria-pressed") == (
        "true"
    )
    context.close()


def test_without_javascript_a_like_is_a_form_that_comes_back_to_the_comment(
    browser, live_server, open_comments
):
    article = news.article("Lido reopens")
    comment = factories.comment(article)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.url)
    page.locator(f"#comment-{comment.pk} .like-button").click()
    assert page.url == f"{live_server.url}{article.url}#comment-{comment.pk}"
    assert page.locator(f"#comment-{comment.pk} .like-count").inner_text() == "1 like"
    page.locator(f"#comment-{comment.pk} .like-button").click()
    assert page.locator(".like-message").inner_text() == "You have already liked this comment."
    context.close()


def test_keyboard_alone_likes_sorts_unfolds_and_the_sort_is_remembered(
    browser, live_server, open_comments, settings
):
    settings.MASTHEAD_COMMENTS_REPLIES_SHOWN = 1
    now = timezone.now()
    article = news.article("Ferry fares frozen")
    old = factories.comment(article, name="Old Hand", created_at=now - dt.timedelta(hours=9))
    factories.comment(article, name="Newcomer", created_at=now - dt.timedelta(hours=1))
    first = factories.reply(old, name="First Reply")
    second = factories.reply(old, name="Second Reply")
    Comment.objects.filter(pk=old.pk).update(likes=0)
    other_article = news.article("Ferry timetable")
    factories.comment(other_article, name="Morning", created_at=now - dt.timedelta(hours=3))
    factories.comment(other_article, name="Evening", created_at=now - dt.timedelta(hours=2))
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + article.url)

    def tab_to(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to(f"#comment-{old.pk} > article .like-button")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"document.querySelector('#comment-{old.pk} .like-count').textContent === '1 like'"
    )

    tab_to("a.more-replies-link")
    assert page.evaluate("document.activeElement.textContent") == "Show 1 more reply"
    page.keyboard.press("Enter")
    page.locator(f"#comment-{second.pk}").wait_for()
    assert page.evaluate("document.activeElement.id") == f"comment-{second.pk}"
    assert page.locator(f"#comment-{first.pk}").count() == 1

    page.keyboard.press("Shift+Tab")
    page.goto(live_server.url + article.url)
    tab_to(".comment-sort a[data-sort=newest]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?sort=newest#comments$"))
    names = page.locator(".comment-list > li.comment > article .comment-author").all_inner_texts()
    assert names == ["Newcomer", "Old Hand"]

    # The next thread opens in the reader's order, at an address that says so.
    page.goto(live_server.url + other_article.url)
    page.wait_for_url(re.compile(r"\?sort=newest$"))
    names = page.locator(".comment-list > li.comment > article .comment-author").all_inner_texts()
    assert names == ["Evening", "Morning"]
    assert page.locator(".comment-sort a[aria-current]").inner_text() == "Newest"
    context.close()


def test_a_link_to_a_folded_comment_on_the_article_page_finds_it(
    browser, live_server, open_comments, settings
):
    settings.MASTHEAD_COMMENTS_REPLIES_SHOWN = 1
    article = news.article("Pier repairs")
    root = factories.comment(article)
    factories.reply(root)
    folded = factories.reply(root, body="Deep in the branch.")
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}{article.url}#comment-{folded.pk}")
    page.wait_for_url(re.compile(rf"/comments/{root.pk}/replies/#comment-{folded.pk}$"))
    assert page.locator(f"#comment-{folded.pk} .comment-text").inner_text() == (
        "Deep in the branch."
    )
    context.close()
