"""An editor in Chromium builds a curated issue in the admin (the articles picked with the
page chooser, in their order, with an introduction), previews it and sends a test."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import Client

from comments.tests import factories
from news.tests import factories as news
from newsletters.models import Issue

from .helpers import newsletter, parts, subject

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def choose_article(page, index: int, title: str) -> None:
    page.locator("#id_items-ADD").click()
    page.locator(
        f"#id_items-{index}-article-chooser button.action-choose, [data-chooser-action-choose]"
    ).last.click()
    modal = page.locator(".modal-dialog, [role=dialog]").last
    modal.get_by_role("textbox").first.fill(title)
    modal.get_by_role("link", name=title).first.click()
    page.wait_for_selector(f"text={title}")


def test_an_editor_builds_previews_and_tests_a_curated_issue(
    browser, live_server, smtp_server, screenshot_dir
):
    weekend = newsletter("Weekend Reads", slug="weekend", content="curated")
    news.article("Harbour festival returns")
    news.article("The last lighthouse keeper")
    # Editors' rights are tested in test_admin.py; a test with real commits empties the
    # database around it, Wagtail's groups included, so this editor is a superuser.
    editor = factories.staff_user("editor", email="editor@example.org", is_superuser=True)
    context = signed_in_context(browser, live_server, editor)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/admin/newsletter-issues/new/")
        page.select_option("#id_newsletter", str(weekend.pk))
        page.fill("#id_date", "2026-12-05")
        page.fill("#id_intro", "Two stories for a slow Saturday.")
        choose_article(page, 0, "The last lighthouse keeper")
        choose_article(page, 1, "Harbour festival returns")
        page.screenshot(path=screenshot_dir / "issue-form.png", full_page=True)
        page.get_by_role("button", name="Create").click()
        page.wait_for_url(lambda url: "/new/" not in url)

        issue = Issue.objects.get(newsletter=weekend)
        assert issue.date == dt.date(2026, 12, 5)
        assert [i.article.title for i in issue.items.order_by("sort_order")] == [
            "The last lighthouse keeper",
            "Harbour festival returns",
        ]

        page.goto(live_server.url + f"/admin/newsletter-issues/edit/{issue.pk}/")
        with context.expect_page() as opened:
            page.get_by_role("link", name="Preview").first.click()
        preview = opened.value
        preview.wait_for_load_state()
        headlines = preview.locator("h2").all_inner_texts()
        assert headlines == ["The last lighthouse keeper", "Harbour festival returns"]
        preview.screenshot(path=screenshot_dir / "preview.png", full_page=True)

        page.get_by_role("link", name="Send a test, schedule or send").click()
        page.fill("#test-form input[name=email]", "editor@example.org")
        page.locator("#test-form button[type=submit]").click()
        page.wait_for_selector("text=A test went to editor@example.org.")
    finally:
        context.close()

    [test] = smtp_server
    assert subject(test) == "[Test] Weekend Reads — December 5, 2026"
    text, _html = parts(test)
    assert "Two stories for a slow Saturday." in text
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT
