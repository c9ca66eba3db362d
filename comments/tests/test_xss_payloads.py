"""Public XSS payload lists (comments/tests/xss/SOURCES.md: OWASP's filter-evasion cheat
sheet, markdown-it's XSS fixtures, DOMPurify's test fixtures) sent as comments through the
form and the API, then read by a real browser, on the article and in the moderation list:
no answer is a 5xx, and in Chromium no payload runs script or makes a request."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client

from comments import services
from comments.models import Comment
from comments.tests import factories
from news.tests import factories as news

XSS = Path(__file__).resolve().parent / "xss"
SOURCES = ("owasp-filter-evasion", "markdown-it", "dompurify")
PAYLOADS = {name: json.loads((XSS / f"{name}.json").read_text()) for name in SOURCES}
JSON = "application/json"

pytestmark = pytest.mark.django_db(transaction=True)

# The payloads prove they ran by calling these (alert(1), prompt(document.cookie)...): each
# call is recorded. (eval is left alone: Playwright itself evaluates through it.)
TRAP = """
window.__xss = [];
const note = (what) => (...args) => {
  window.__xss.push(what + ":" + String(args[0]).slice(0, 80));
};
for (const name of ["alert", "confirm", "prompt", "print"]) window[name] = note(name);
"""


def test_the_payload_lists_are_the_shipped_ones():
    assert {name: len(items) for name, items in PAYLOADS.items()} == {
        "owasp-filter-evasion": 110,
        "markdown-it": 13,
        "dompurify": 223,
    }


@pytest.fixture
def article(settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.MASTHEAD_COMMENTS_RATE_LIMITS = "100000/60"
    settings.MASTHEAD_COMMENTS_PER_PAGE = 1000
    return news.article("Storm closes the harbour")


def post_all(article) -> dict:
    """Every payload as a body through the form and the API, and the short ones as a name
    and a website too. Returns the answers by status."""
    statuses = {}
    form = factories.form_fields(Client(), article)
    for source, payloads in PAYLOADS.items():
        for i, payload in enumerate(payloads):
            client = Client(raise_request_exception=False)
            base = {**form, "body": payload, "name": f"{source} {i}", "email": f"x{i}@example.com"}
            attempts = [
                client.post("/comments/post/", base),
                client.post(
                    "/comments/post/",
                    json.dumps({**base, "body": payload + " (api)"}),
                    content_type=JSON,
                    headers={"Accept": JSON},
                ),
            ]
            if len(payload) <= 100:
                attempts.append(
                    client.post(
                        "/comments/post/",
                        {**base, "body": f"Named by {source} {i}.", "name": payload},
                    )
                )
            if len(payload) <= 200:
                attempts.append(
                    client.post(
                        "/comments/post/",
                        {**base, "body": f"Website from {source} {i}.", "website": payload},
                    )
                )
            for response in attempts:
                assert response.status_code < 500, (source, i, payload)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return statuses


def test_no_payload_runs_script_or_makes_a_request_in_chromium(
    article, browser, live_server, screenshot_dir
):
    statuses = post_all(article)
    # Every post was answered: stored (303, 201) or refused with a reason (400, 403).
    assert set(statuses) <= {201, 303, 400, 403}, statuses
    # What a moderator let through is what readers see: approve everything held.
    held = list(
        Comment.objects.exclude(status=Comment.Status.APPROVED).values_list("pk", flat=True)
    )
    services.moderate_comments(comment_ids=held, action="approve")
    shown = Comment.objects.filter(status=Comment.Status.APPROVED).count()
    assert shown > 400

    own_host = urlsplit(live_server.url).netloc
    elsewhere, dialogs = [], []
    context = browser.new_context()
    context.add_init_script(TRAP)

    def route(route):
        if urlsplit(route.request.url).netloc == own_host:
            return route.continue_()
        elsewhere.append(route.request.url)
        return route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url + article.url, wait_until="load")
    address = page.url
    # Let anything a payload scheduled run, and move over every comment as a reader would.
    for comment in page.locator(".comment-text").all()[:200]:
        comment.hover(timeout=2000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(screenshot_dir / "xss-thread.png"))

    assert page.url == address  # no payload took the reader elsewhere
    rendered = page.locator("#comments li.comment").count()
    found = page.evaluate(
        """() => {
          const bad = [];
          for (const el of document.querySelectorAll("#comments li.comment *")) {
            for (const a of el.attributes) {
              const v = a.value.trim().toLowerCase();
              if (a.name.startsWith("on")) bad.push(el.tagName + " " + a.name);
              if (["href", "src", "action", "formaction", "xlink:href"].includes(a.name)
                  && /^(javascript|data|vbscript):/.test(v.replace(/[\\s\\u0000-\\u001f]/g, "")))
                bad.push(el.tagName + " " + a.name + "=" + v.slice(0, 40));
            }
            if (["SCRIPT", "IFRAME", "OBJECT", "EMBED", "STYLE", "BASE", "META", "LINK", "SVG"]
                .includes(el.tagName.toUpperCase())) bad.push(el.tagName);
          }
          for (const text of document.querySelectorAll("#comments .comment-text")) {
            if (text.querySelector("form, input, button, textarea, img, video, audio"))
              bad.push("form or media in a comment");
          }
          return {bad, calls: window.__xss};
        }"""
    )
    context.close()
    moderator_saw = moderation_queue(browser, live_server, route, shown)

    assert rendered >= shown
    assert found == {"bad": [], "calls": []}
    assert dialogs == []
    assert moderator_saw == {"dialogs": [], "calls": []}
    assert elsewhere == []


def moderation_queue(browser, live_server, route, shown) -> dict:
    """Every page of the moderation list, as a moderator reads it."""
    moderator = get_user_model().objects.create_superuser("moderator", "m@example.com", "pw")
    client = Client()
    client.force_login(moderator)
    context = browser.new_context()
    context.add_init_script(TRAP)
    context.route("**/*", route)
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
    dialogs, calls = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for number in range(1, shown // 50 + 2):
        response = page.goto(f"{live_server.url}/admin/comments/?status=all&p={number}")
        assert response.status == 200
        page.wait_for_timeout(100)
        calls += page.evaluate("() => window.__xss")
    context.close()
    return {"dialogs": dialogs, "calls": calls}
