"""The thread's controls (likes, orders, folded branches, the new-comments bar, the
branch's page) pass axe-core in Chromium: WCAG 2.2 A and AA and axe's best practices,
with the vendored axe-core the site's other accessibility tests use."""

import datetime as dt

import pytest
from django.utils import timezone

from comments.models import Comment
from comments.tests import factories
from news.tests import factories as news
from news.tests.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_threads_new_controls_pass_axe_in_each_state(
    browser, live_server, settings, screenshot_dir
):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.MASTHEAD_COMMENTS_LIVE_POLL = 1
    settings.MASTHEAD_COMMENTS_REPLIES_SHOWN = 1
    settings.MASTHEAD_COMMENTS_DISLIKES = True
    now = timezone.now()
    article = news.article("Harbour wall rebuilt")
    root = factories.comment(article, name="Ada Lane", created_at=now - dt.timedelta(hours=3))
    factories.reply(root, name="Ben Cole")
    factories.reply(root, name="Cy Moss")
    factories.comment(article, name="Di Park", created_at=now - dt.timedelta(hours=1))
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}{article.url}?sort=best")
    found = {"sorted, folded": axe_violations(page, "#comments")}

    page.locator(f"#comment-{root.pk} > article .like-button").click()
    page.wait_for_function(
        f"document.querySelector('#comment-{root.pk} .like-count').textContent === '1 like'"
    )
    page.locator("a.more-replies-link").click()
    page.locator(".comment-list .children > li.comment").nth(1).wait_for()
    factories.comment(article, name="Eve Hart")
    page.locator(".new-comments-button").wait_for(timeout=8000)
    found["liked, unfolded, new-comments bar"] = axe_violations(page, "#comments")
    page.screenshot(path=screenshot_dir / "thread.png", full_page=True)

    page.goto(f"{live_server.url}/comments/{root.pk}/replies/")
    found["branch page"] = axe_violations(page)
    assert found == {key: [] for key in found}
    assert Comment.objects.get(pk=root.pk).likes == 1
    context.close()
