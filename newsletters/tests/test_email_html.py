"""The issue's HTML as mail clients get it: checked with a parser for what they choke on,
and rendered in Chromium at a phone's and a desktop client's width."""

import pytest
from bs4 import BeautifulSoup

from news.tests import factories as news
from newsletters import rendering
from newsletters.models import IssueItem

from .helpers import issue_with_articles, newsletter

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue():
    briefing = newsletter()
    issue = issue_with_articles(briefing, "Council passes the budget after a long night")
    pictured = news.article("Bridge reopens", lead_image=news.image("The bridge at dawn"))
    IssueItem.objects.create(issue=issue, article=pictured, sort_order=1)
    issue.intro = "Good morning. Here is what happened overnight."
    issue.save()
    return issue


def test_the_mail_holds_nothing_a_mail_client_drops_or_blocks(issue):
    _subject, html, text = rendering.render_issue(issue)
    soup = BeautifulSoup(html, "html.parser")

    assert soup.find("script") is None
    assert soup.find("link") is None  # no external CSS
    # What is left of <style> is only the @media rules; the rest is inlined.
    assert all("@media" in style.get_text() for style in soup.find_all("style"))
    assert "font-family" in soup.select_one("h2").get("style", "")
    addresses = [a["href"] for a in soup.find_all("a")] + [i["src"] for i in soup.find_all("img")]
    assert addresses and all(
        url.startswith(("http://", "https://", "%%unsubscribe")) for url in addresses
    )
    [image] = soup.find_all("img")
    assert image["alt"] == "The bridge at dawn" and image["width"] == "560"
    assert soup.find("table", attrs={"role": "presentation"}) is not None
    assert "Council passes the budget after a long night" in text
    assert "<" not in text.replace("<https", "")


@pytest.mark.parametrize("width", [390, 600])
def test_the_mail_fits_a_phone_and_a_desktop_client(issue, browser, screenshot_dir, width):
    _subject, html, _text = rendering.render_issue(issue)
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.set_content(html, wait_until="load")
        page.screenshot(path=screenshot_dir / f"issue-{width}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        headline = page.locator("h2").first.bounding_box()
    finally:
        page.close()

    assert overflow <= width  # nothing sideways to scroll
    assert headline["x"] >= 8 and headline["x"] + headline["width"] <= width - 8
    assert all(not url.startswith("http") or "127.0.0.1" in url for url in requests)
