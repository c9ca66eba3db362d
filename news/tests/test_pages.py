"""What readers see on the front page, section, author and topic pages and an article."""

import datetime as dt
import time
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comments.services import submit_comment
from news.models import ArticleUpdate, HomePage
from news.tests import factories


def at(year, month, day, hour=12, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def html_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def headlines(soup) -> list[str]:
    return [a.get_text() for a in soup.select(".card-headline a")]


def full_article(title="Storm closes the harbour", **kwargs):
    """An article with every part a reader can see, in the Local section."""
    kwargs.setdefault("dek", "Ferries stay in port as gusts reach 90 km/h.")
    kwargs.setdefault("dateline", "RIVERTON")
    kwargs.setdefault("body", [("paragraph", "<p>The harbour master closed the port.</p>")])
    return factories.article(title, in_section=factories.section("Local"), **kwargs)


def with_updates(page, *updates):
    page.updates = [
        ArticleUpdate(kind=kind, published_at=when, text=text, sort_order=i)
        for i, (kind, when, text) in enumerate(updates)
    ]
    page.save()
    return page


# Front page ------------------------------------------------------------------------------


def test_the_front_page_leads_with_the_chosen_lead_story(client, db):
    chosen = factories.article("Council approves the budget", published_at=at(2026, 1, 1))
    factories.article("Newer story", published_at=at(2026, 1, 2))
    home = HomePage.objects.get()
    home.lead_story = chosen
    home.save_revision().publish()

    soup = html_of(client.get("/"))

    assert headlines(soup.select_one("section.lead-story")) == ["Council approves the budget"]


def test_the_front_page_leads_with_the_newest_article_when_no_lead_story_is_chosen(client, db):
    factories.article("Older story", published_at=at(2026, 1, 1))
    factories.article("Newest story", published_at=at(2026, 1, 3))
    factories.article("Middle story", published_at=at(2026, 1, 2))

    soup = html_of(client.get("/"))

    assert headlines(soup.select_one("section.lead-story")) == ["Newest story"]


def test_the_front_page_falls_back_to_the_newest_article_when_the_lead_story_is_unpublished(
    client, db
):
    chosen = factories.article("Withdrawn story", published_at=at(2026, 1, 5))
    factories.article("Newest live story", published_at=at(2026, 1, 3))
    home = HomePage.objects.get()
    home.lead_story = chosen
    home.save_revision().publish()
    chosen.unpublish()

    soup = html_of(client.get("/"))

    assert headlines(soup.select_one("section.lead-story")) == ["Newest live story"]


def test_the_front_page_shows_the_latest_articles_of_each_section_newest_first(client, db):
    world, business = factories.section("World"), factories.section("Business")
    factories.article("Lead", in_section=world, published_at=at(2026, 2, 1))
    for day in range(1, 7):
        factories.article(f"World {day}", in_section=world, published_at=at(2026, 1, day))
    factories.article("Business 1", in_section=business, published_at=at(2026, 1, 1))
    factories.article("Business draft", in_section=business, live=False)

    soup = html_of(client.get("/"))

    blocks = {
        block.find("h2").get_text(): headlines(block)
        for block in soup.select("section.section-block")
    }
    assert blocks == {
        "World": ["World 6", "World 5", "World 4", "World 3"],
        "Business": ["Business 1"],
    }
    assert headlines(soup.select_one("section.lead-story")) == ["Lead"]


def test_the_front_page_says_so_when_nothing_is_published_yet(client, db):
    factories.article("Only a draft", live=False)

    soup = html_of(client.get("/"))

    assert soup.select("section.lead-story") == []
    assert soup.find("main").find("p").get_text() == "No articles have been published yet."


# Section, author and topic listings --------------------------------------------------------


def test_a_section_lists_its_live_articles_newest_first_without_drafts(client, db):
    world = factories.section("World")
    factories.article("Tuesday", in_section=world, published_at=at(2026, 1, 6))
    factories.article("Monday", in_section=world, published_at=at(2026, 1, 5))
    factories.article("Wednesday", in_section=world, published_at=at(2026, 1, 7))
    factories.article("Unfinished draft", in_section=world, live=False)
    factories.article("Elsewhere", in_section=factories.section("Business"))

    soup = html_of(client.get(world.url))

    assert soup.find("h1").get_text() == "World"
    assert headlines(soup) == ["Wednesday", "Tuesday", "Monday"]


def test_a_section_is_paginated_by_masthead_page_size(client, db, settings):
    settings.MASTHEAD_PAGE_SIZE = 2
    world = factories.section("World")
    for day in range(1, 6):
        factories.article(f"Day {day}", in_section=world, published_at=at(2026, 1, day))

    first = html_of(client.get(world.url))
    second = html_of(client.get(world.url, {"page": 2}))
    last = html_of(client.get(world.url, {"page": 3}))

    assert headlines(first) == ["Day 5", "Day 4"]
    assert headlines(second) == ["Day 3", "Day 2"]
    assert headlines(last) == ["Day 1"]
    assert first.select_one("nav.pagination span").get_text() == "Page 1 of 3"
    assert first.select_one("nav.pagination a[rel=next]")["href"] == "?page=2"
    assert first.select("nav.pagination a[rel=prev]") == []
    assert second.select_one("nav.pagination a[rel=prev]")["href"] == "?page=1"
    assert last.select("nav.pagination a[rel=next]") == []


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("abc", "Day 3"),
        ("0", "Day 1"),
        ("-1", "Day 1"),
        ("99", "Day 1"),
        ("1.5", "Day 3"),
        ("99999999999999999999999", "Day 1"),
        ("", "Day 3"),
    ],
)
def test_a_bad_page_number_shows_the_first_or_last_page(client, db, settings, page, shown):
    settings.MASTHEAD_PAGE_SIZE = 1
    world = factories.section("World")
    for day in range(1, 4):
        factories.article(f"Day {day}", in_section=world, published_at=at(2026, 1, day))

    assert headlines(html_of(client.get(world.url, {"page": page}))) == [shown]


def test_an_author_page_lists_their_live_articles_newest_first_and_paginated(client, db, settings):
    settings.MASTHEAD_PAGE_SIZE = 2
    maya = factories.author("Maya Okafor", role="City Hall reporter")
    other = factories.author("Sam Other")
    factories.article("First", authors=[maya], published_at=at(2026, 1, 1))
    factories.article("Shared", authors=[other, maya], published_at=at(2026, 1, 2))
    factories.article("Third", authors=[maya], published_at=at(2026, 1, 3))
    factories.article("Not hers", authors=[other], published_at=at(2026, 1, 4))
    factories.article("Her draft", authors=[maya], live=False)

    first = html_of(client.get(maya.url))
    second = html_of(client.get(maya.url, {"page": 2}))

    assert first.find("h1").get_text() == "Maya Okafor"
    assert first.select_one(".author-role").get_text() == "City Hall reporter"
    assert headlines(first) == ["Third", "Shared"]
    assert headlines(second) == ["First"]


def test_a_topic_page_lists_its_live_articles_newest_first_and_paginated(client, db, settings):
    settings.MASTHEAD_PAGE_SIZE = 2
    topics = factories.topic_index()
    factories.article("Flood 1", topics=["Flooding"], published_at=at(2026, 1, 1))
    factories.article("Flood 2", topics=["Flooding", "Weather"], published_at=at(2026, 1, 2))
    factories.article("Flood 3", topics=["Flooding"], published_at=at(2026, 1, 3))
    factories.article("Dry spell", topics=["Weather"], published_at=at(2026, 1, 4))
    factories.article("Flood draft", topics=["Flooding"], live=False)

    first = html_of(client.get(topics.url + "flooding/"))
    second = html_of(client.get(topics.url + "flooding/", {"page": 2}))

    assert first.find("h1").get_text() == "Flooding"
    assert headlines(first) == ["Flood 3", "Flood 2"]
    assert headlines(second) == ["Flood 1"]


def test_the_topic_index_lists_topics_in_use_with_their_counts(client, db):
    topics = factories.topic_index()
    factories.article("Flood 1", topics=["Flooding"])
    factories.article("Flood 2", topics=["Flooding", "Weather"])

    soup = html_of(client.get(topics.url))

    assert [li.get_text(" ", strip=True) for li in soup.select(".topic-list li")] == [
        "Flooding (2)",
        "Weather (1)",
    ]
    assert soup.select_one(".topic-list a")["href"] == "/topics/flooding/"


def test_a_topic_without_live_articles_is_not_found(client, db):
    topics = factories.topic_index()
    factories.article("Flood draft", topics=["Flooding"], live=False)

    assert client.get(topics.url + "flooding/").status_code == 404
    assert client.get(topics.url + "no-such-topic/").status_code == 404


def test_a_card_without_comments_invites_one_linked_to_the_form(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    quiet = full_article("Harbour story nobody commented on")
    busy = full_article("Harbour story somebody commented on")
    submit_comment(page=busy, name="Jane Reader", email="jane@example.com", body="First!")
    factories.article(
        "Harbour story closed to comments",
        in_section=factories.section("Local"),
        comments_enabled=False,
    )

    expected = {
        "Harbour story nobody commented on": [(f"{quiet.url}#respond", "Leave a comment")],
        "Harbour story somebody commented on": [(f"{busy.url}#comments", "1 Comment")],
        "Harbour story closed to comments": [],
    }
    for url in ["/", "/local/", "/search/?q=harbour"]:
        cards = html_of(client.get(url)).select("article.card")
        links = {
            card.select_one(".card-headline").get_text(): [
                (a["href"], a.get_text()) for a in card.select("a.comment-count")
            ]
            for card in cards
        }
        assert links == expected, url
    # The link leads to the form.
    assert html_of(client.get(quiet.url)).select_one("#respond form#commentform") is not None


def test_listing_headings_go_down_one_level_at_a_time(client, db):
    factories.topic_index()
    maya = factories.author("Maya Okafor")
    full_article("Harbour reopens", authors=[maya], topics=["Ports"])

    def levels(url):
        soup = html_of(client.get(url))
        return [h.name for h in soup.select("main h1, main h2, main h3, main h4")]

    assert levels("/local/") == ["h1", "h2"]
    assert levels("/topics/ports/") == ["h1", "h2"]
    assert levels("/search/?q=harbour") == ["h1", "h2"]
    assert levels("/authors/maya-okafor/") == ["h1", "h2", "h3"]
    assert levels("/") == ["h1", "h2"]


# The article page --------------------------------------------------------------------------


def test_an_article_has_one_h1_holding_its_headline(client, db):
    page = full_article("Storm closes the harbour")

    soup = html_of(client.get(page.url))

    assert [h1.get_text() for h1 in soup.find_all("h1")] == ["Storm closes the harbour"]
    assert soup.find("article").find("h1") is not None


def test_an_article_shows_its_dek_dateline_and_section(client, db):
    page = full_article(dek="Ferries stay in port.", dateline="RIVERTON")

    soup = html_of(client.get(page.url))

    assert soup.select_one("article .dek").get_text() == "Ferries stay in port."
    assert soup.select_one("article .dateline").get_text() == "RIVERTON"
    assert soup.select_one("article .kicker a")["href"] == "/local/"


def test_an_article_links_each_byline_to_the_author_page(client, db):
    ada, bo, cy = (
        factories.author("Ada Lane"),
        factories.author("Bo Chen"),
        factories.author("Cy Ruiz"),
    )
    page = full_article(authors=[ada, bo, cy])

    byline = html_of(client.get(page.url)).select_one("article .byline")

    assert byline.get_text(" ", strip=True) == "By Ada Lane , Bo Chen and Cy Ruiz"
    assert [(a.get_text(), a["href"]) for a in byline.find_all("a")] == [
        ("Ada Lane", ada.url),
        ("Bo Chen", bo.url),
        ("Cy Ruiz", cy.url),
    ]
    assert [a["rel"] for a in byline.find_all("a")] == [["author"]] * 3


def test_an_article_shows_first_published_and_updated_times(client, db):
    page = full_article(published_at=at(2024, 1, 4, 9, 30))
    type(page).objects.filter(pk=page.pk).update(last_published_at=at(2024, 1, 4, 15, 5))

    soup = html_of(client.get(page.url))

    published = soup.select_one("article time.published")
    updated = soup.select_one("article .updated time")
    assert (published["datetime"], published.get_text()) == (
        "2024-01-04T09:30:00+00:00",
        "Thursday, January 4, 2024",
    )
    assert (updated["datetime"], updated.get_text()) == (
        "2024-01-04T15:05:00+00:00",
        "January 4, 2024, 3:05 p.m.",
    )


def test_an_article_never_republished_shows_no_updated_time(client, db):
    page = full_article(published_at=at(2024, 1, 4, 9, 30))

    soup = html_of(client.get(page.url))

    assert soup.select("article .updated") == []


def test_an_article_lists_its_updates_and_corrections_oldest_first(client, db):
    page = with_updates(
        full_article(),
        ("correction", at(2024, 1, 5, 8, 0), "An earlier version misspelt the harbour master."),
        ("update", at(2024, 1, 4, 14, 0), "Ferries resumed at 2 p.m."),
    )

    items = html_of(client.get(page.url)).select("aside.article-updates li")

    assert [(li["class"], li.find("time")["datetime"], li.get_text()) for li in items] == [
        (
            ["update", "update--update"],
            "2024-01-04T14:00:00+00:00",
            "Update, January 4, 2024, 2:00 p.m.: Ferries resumed at 2 p.m.",
        ),
        (
            ["update", "update--correction"],
            "2024-01-05T08:00:00+00:00",
            "Correction, January 5, 2024, 8:00 a.m.: "
            "An earlier version misspelt the harbour master.",
        ),
    ]


def test_an_update_or_correction_dated_ahead_is_not_shown_before_its_time(client, db):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    page = with_updates(
        full_article(),
        ("update", now - dt.timedelta(hours=1), "Ferries resumed at 2 p.m."),
        ("correction", now + dt.timedelta(hours=1), "The harbour master is Ana Ruiz."),
        ("update", now + dt.timedelta(days=1), "The port reopens tomorrow."),
    )

    response = client.get(page.url)
    items = html_of(response).select("aside.article-updates li")

    assert [li.find("time")["datetime"] for li in items] == [
        (now - dt.timedelta(hours=1)).isoformat()
    ]
    assert b"Ana Ruiz" not in response.content
    assert b"reopens tomorrow" not in response.content


def test_a_cached_article_shows_an_update_dated_ahead_once_its_time_comes(db, settings):
    settings.MASTHEAD_PAGE_CACHE = True
    page = full_article()
    due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=3)
    with_updates(page, ("correction", due, "The harbour master is Ana Ruiz."))

    before = Client().get(page.url)
    cached = Client().get(page.url)
    time.sleep((due - dt.datetime.now(dt.UTC)).total_seconds() + 0.1)
    after = Client().get(page.url)

    assert (before["X-Cache"], cached["X-Cache"], after["X-Cache"]) == ("MISS", "HIT", "MISS")
    assert b"Ana Ruiz" not in cached.content
    # A CDN in front is told to keep it no longer either: at most the seconds left.
    s_maxage = int(before["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert s_maxage in (1, 2)
    items = html_of(after).select("aside.article-updates li")
    assert [(li.find("time")["datetime"], li.get_text().split(": ", 1)[1]) for li in items] == [
        (due.isoformat(), "The harbour master is Ana Ruiz.")
    ]


def test_an_article_whose_only_update_is_dated_ahead_has_no_updates_box(client, db):
    page = with_updates(
        full_article(),
        ("correction", dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5), "Not yet."),
    )

    soup = html_of(client.get(page.url))

    assert soup.select("aside.article-updates") == []
    assert "Not yet." not in soup.get_text()


def test_an_article_without_updates_has_no_updates_box(client, db):
    soup = html_of(client.get(full_article().url))

    assert soup.select("aside.article-updates") == []


def test_an_article_links_its_topics_to_their_pages(client, db):
    factories.topic_index()
    page = full_article(topics=["Weather", "Ferries"])

    links = html_of(client.get(page.url)).select("article .article-topics a")

    assert [(a.get_text(), a["href"], a["rel"]) for a in links] == [
        ("Ferries", "/topics/ferries/", ["tag"]),
        ("Weather", "/topics/weather/", ["tag"]),
    ]


def test_a_quote_block_shows_the_quote_and_its_attribution(client, db):
    page = full_article(
        body=[("quote", {"quote": "We’ll reopen when it’s safe.", "attribution": "Harbour master"})]
    )

    quote = html_of(client.get(page.url)).select_one("article .article-body figure.pullquote")

    assert quote.find("blockquote").get_text() == "We’ll reopen when it’s safe."
    assert quote.find("figcaption").get_text() == "— Harbour master"


def test_an_image_block_has_its_alt_text_caption_and_credit(client, db):
    picture = factories.image("Boats in the harbour")
    page = full_article(
        body=[
            (
                "image",
                {
                    "image": picture,
                    "alt_text": "Fishing boats moored three deep",
                    "caption": "Boats wait out the storm.",
                    "credit": "Jo Snap",
                },
            )
        ]
    )

    figure = html_of(client.get(page.url)).select_one("article .article-body figure.body-image")

    assert figure.find("img")["alt"] == "Fishing boats moored three deep"
    assert figure.find("img")["src"].startswith("/media/images/")
    assert (
        figure.find("figcaption").get_text(" ", strip=True) == "Boats wait out the storm. Jo Snap"
    )


def test_the_lead_image_has_alt_text_caption_and_credit(client, db):
    page = full_article(
        lead_image=factories.image("Harbour"),
        lead_image_caption="The empty ferry terminal on Thursday.",
        lead_image_credit="Jo Snap",
    )

    figure = html_of(client.get(page.url)).select_one("article figure.lead-image")

    assert figure.find("img")["alt"] == "The empty ferry terminal on Thursday."
    assert figure.find("figcaption").get_text(" ", strip=True) == (
        "The empty ferry terminal on Thursday. Jo Snap"
    )


def test_an_embed_block_is_a_link_and_loads_nothing_from_the_other_site(client, db):
    page = full_article(
        body=[
            (
                "embed",
                {
                    "url": "https://www.youtube.com/watch?v=abc123",
                    "title": "Waves over the pier",
                    "provider": "YouTube",
                },
            )
        ]
    )

    soup = html_of(client.get(page.url))
    embed = soup.select_one("article .article-body figure.embed")

    assert [(a.get_text(), a["href"]) for a in embed.find_all("a")] == [
        ("Waves over the pier", "https://www.youtube.com/watch?v=abc123")
    ]
    assert soup.find_all(["iframe", "embed", "object", "video", "audio"]) == []
    assert "youtube" not in " ".join(str(tag.get("src", "")) for tag in soup.find_all(src=True))


def test_a_draft_article_is_not_found(client, db):
    page = full_article(live=False)

    assert client.get(page.url).status_code == 404


# No third-party requests -------------------------------------------------------------------


def third_party_references(soup) -> list[str]:
    """Every URL the browser would fetch by itself (src, srcset, <link href>) that points at
    another host."""
    urls = [tag["src"] for tag in soup.find_all(src=True)]
    for tag in soup.find_all(srcset=True):
        urls += [
            candidate.split()[0] for candidate in tag["srcset"].split(",") if candidate.strip()
        ]
    urls += [tag["href"] for tag in soup.find_all("link", href=True)]
    urls += [tag["data"] for tag in soup.find_all("object", data=True)]
    return [url for url in urls if urlsplit(url).netloc not in ("", "testserver")]


def test_no_page_loads_anything_from_a_third_party_host(client, db):
    maya = factories.author("Maya Okafor", photo=factories.image("Portrait"))
    topics = factories.topic_index()
    page = full_article(
        "Storm closes the harbour",
        authors=[maya],
        topics=["Weather"],
        lead_image=factories.image("Harbour"),
        body=[
            ("paragraph", '<p>See <a href="https://example.org/report">the report</a>.</p>'),
            ("image", {"image": factories.image("Boats"), "alt_text": "Boats"}),
            ("embed", {"url": "https://www.youtube.com/watch?v=abc123", "title": "Waves"}),
        ],
    )
    urls = [
        "/",
        page.get_parent().url,
        page.url,
        maya.url,
        maya.get_parent().url,
        topics.url,
        topics.url + "weather/",
        "/search/?q=harbour",
        "/no-such-page/",
    ]

    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == (404 if url == "/no-such-page/" else 200), url
        found[url] = third_party_references(BeautifulSoup(response.content, "html.parser"))

    assert found == {url: [] for url in urls}


# Queries -----------------------------------------------------------------------------------


@pytest.fixture
def no_cache(settings):
    """Every request renders, as on a page-cache miss: that is the cost being compared."""
    settings.MASTHEAD_PAGE_CACHE = False


def queries_to_render(client, page) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url)
    assert response.status_code == 200
    return len(queries)


def test_an_article_costs_the_same_queries_whatever_its_bylines_topics_and_updates(
    client, db, no_cache
):
    factories.topic_index()
    small = with_updates(
        full_article("One of each", authors=[factories.author("Ada Lane")], topics=["Ports"]),
        ("update", at(2026, 1, 1), "Added detail."),
    )
    big = with_updates(
        full_article(
            "Several of each",
            authors=[factories.author(name) for name in ("Bo Chen", "Cy Ruiz", "Di Park")],
            topics=["Ports", "Weather", "Ferries", "Storms"],
        ),
        *[("correction", at(2026, 1, day), f"Fix {day}.") for day in range(1, 6)],
    )
    client.get(small.url)  # Fill the per-process caches (content types).

    assert queries_to_render(client, big) == queries_to_render(client, small)


def test_an_article_costs_the_same_queries_with_no_comments_or_several(
    client, db, settings, no_cache
):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    quiet = full_article("Nobody commented")
    busy = full_article("Everybody commented")
    for n in range(4):
        comment = submit_comment(
            page=busy, name=f"Reader {n}", email=f"r{n}@example.com", body=f"Comment {n}"
        )
        submit_comment(
            page=busy,
            name=f"Replier {n}",
            email=f"re{n}@example.com",
            body=f"Agreed with reader {n}.",
            parent=comment,
        )
    client.get(quiet.url)

    assert html_of(client.get(busy.url)).select_one("#comments-title").get_text() == "8 Comments"
    assert queries_to_render(client, busy) == queries_to_render(client, quiet)


def test_an_article_url_is_found_only_where_the_article_lives(client, db):
    world = factories.section("World")
    business = factories.section("Business")
    article = factories.article("Port expands", in_section=world, slug="port-expands")
    factories.article("Draft on the port", in_section=world, slug="draft-port", live=False)
    author = factories.author("Ada Lane")

    assert client.get("/world/port-expands/").status_code == 200
    assert client.get("/business/port-expands/").status_code == 404
    assert client.get("/world/draft-port/").status_code == 404
    assert client.get("/world/no-such-story/").status_code == 404
    assert client.get(author.url).status_code == 200  # two segments, not an article
    assert client.get(business.url).status_code == 200
    assert client.get(article.url).status_code == 200
