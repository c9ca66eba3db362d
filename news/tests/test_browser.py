"""What a reader sees in a real browser (Debian's Chromium, driven by Playwright)."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from wagtail.models import Collection

from news.models import ArticleUpdate
from news.tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def ensure_site_tree():
    """The front page and image collection the migrations make.

    serialized_rollback cannot put them back here: once Playwright's event loop runs in the
    test thread, Django hands the test a new database connection object, which lacks the
    serialized copy of the database, so what a flushing test removed stays removed."""
    factories.home()
    if not Collection.objects.exists():
        Collection.add_root(name="Root")


def newsroom():
    """A small front page: a lead story with everything on it and a few others."""
    ensure_site_tree()
    local, business = factories.section("Local"), factories.section("Business")
    maya = factories.author("Maya Okafor", role="City Hall reporter")
    dev = factories.author("Dev Patel", role="Business reporter")
    factories.topic_index()
    lead = factories.article(
        "Council approves riverfront housing plan after eight-hour meeting",
        in_section=local,
        authors=[maya, dev],
        topics=["City Council", "Housing"],
        dek="The vote, 6-3, allows 412 apartments on the former Calder Paper Co. site.",
        dateline="RIVERTON",
        lead_image=factories.image("Riverfront"),
        lead_image_caption="The former paper mill site on the Riverton River.",
        lead_image_credit="Courier staff",
        published_at=dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC),
        body=[
            (
                "paragraph",
                "<p>The Riverton City Council voted 6-3 early Friday to approve "
                "a 412-unit housing development on the former paper mill site, "
                "ending more than two years of debate.</p>",
            ),
            ("heading", "A swing vote from Ward 2"),
            (
                "quote",
                {
                    "quote": "I wasn’t going to vote no on 412 homes.",
                    "attribution": "Rosalind Abernathy, Ward 2",
                },
            ),
            (
                "paragraph",
                "<p>Twenty percent of the units will be reserved for households "
                "earning no more than 60 percent of the area median income.</p>",
            ),
            (
                "image",
                {
                    "image": factories.image("Chamber"),
                    "alt_text": "A full council chamber",
                    "caption": "Residents filled the chamber.",
                    "credit": "Courier staff",
                },
            ),
            (
                "embed",
                {
                    "url": "https://www.youtube.com/watch?v=abc123",
                    "title": "Watch the meeting",
                    "provider": "YouTube",
                },
            ),
        ],
    )
    lead.updates = [
        ArticleUpdate(
            kind="correction",
            published_at=dt.datetime(2026, 11, 21, 13, tzinfo=dt.UTC),
            text="An earlier version misstated the number of units. It is 412.",
        )
    ]
    lead.save_revision().publish()
    type(lead).objects.filter(pk=lead.pk).update(
        first_published_at=dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC),
        last_published_at=dt.datetime(2026, 11, 21, 13, tzinfo=dt.UTC),
    )
    for n, title in enumerate(
        ["School board weighs later start times", "Bridge closed after inspection"], start=1
    ):
        factories.article(
            title,
            in_section=local,
            authors=[maya],
            lead_image=factories.image(title),
            published_at=dt.datetime(2026, 11, 20 - n, tzinfo=dt.UTC),
        )
    factories.article(
        "Storefront vacancies fall downtown",
        in_section=business,
        authors=[dev],
        lead_image=factories.image("Storefronts"),
        published_at=dt.datetime(2026, 11, 18, tzinfo=dt.UTC),
    )
    return lead


def test_a_reader_opens_the_front_page_and_reads_the_lead_story(
    browser, live_server, screenshot_dir
):
    lead = newsroom()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    page.goto(live_server.url + "/")
    page.screenshot(path=screenshot_dir / "front.png", full_page=True)
    page.locator("section.lead-story .card-headline a").click()
    page.wait_for_url(live_server.url + lead.url)

    headline = page.locator("article h1")
    assert page.locator("h1").count() == 1
    assert headline.inner_text() == (
        "Council approves riverfront housing plan after eight-hour meeting"
    )
    assert page.locator("article .byline").inner_text().strip() == "By Maya Okafor and Dev Patel"
    assert page.locator("article .dateline").inner_text() == "RIVERTON"
    assert page.locator("article time.published").inner_text() == "Friday, November 20, 2026"
    assert page.locator("article .updated time").get_attribute("datetime") == (
        "2026-11-21T13:00:00+00:00"
    )
    for part in (
        headline,
        page.locator("article .byline"),
        page.locator("article .dateline"),
        page.locator("article time.published"),
    ):
        assert part.is_visible()
    assert page.locator("article .byline a").first.get_attribute("href") == "/authors/maya-okafor/"
    assert page.locator("article img").evaluate_all(
        "images => images.map(i => i.complete && i.naturalWidth > 0)"
    ) == [True, True]
    page.screenshot(path=screenshot_dir / "article.png", full_page=True)
    assert hosts == {urlsplit(live_server.url).netloc}
    context.close()


def test_the_article_reads_on_a_phone(browser, live_server, screenshot_dir):
    lead = newsroom()
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    page.goto(live_server.url + "/")
    page.screenshot(path=screenshot_dir / "front-phone.png", full_page=True)
    page.goto(live_server.url + lead.url)

    assert page.locator("article h1").is_visible()
    # Nothing is wider than the screen: the reader never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=screenshot_dir / "article-phone.png", full_page=True)
    assert hosts == {urlsplit(live_server.url).netloc}
    context.close()
