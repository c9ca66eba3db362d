"""RSS, Atom and JSON feeds of articles and comments, read back with feedparser."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import PageViewRestriction

from comments import services
from comments.models import Comment
from comments.tests import factories as comment_factories
from news.models import ArticlePage, ArticleUpdate
from news.tests import factories
from news.tests.machine_readable import at, leaked, parsed_feed, struct_time_utc

ARTICLE_FEEDS = ["/feeds/rss/", "/feeds/atom/"]


def titles(parsed) -> list[str]:
    return [entry.title for entry in parsed.entries]


@pytest.fixture
def newsroom(db):
    """Two live articles, and one each of draft, scheduled, unpublished and private."""
    ada, bo = factories.author("Ada Lane"), factories.author("Bo Chen")
    local = factories.section("Local")
    older = factories.article(
        "Harbour reopens",
        in_section=local,
        authors=[ada, bo],
        topics=["Ports", "Weather"],
        published_at=at(2026, 3, 1, 9),
        dek="Ferries sail again after the storm.",
    )
    newer = factories.article(
        "Council approves budget",
        in_section=factories.section("Politics"),
        authors=[bo],
        topics=["Budget"],
        published_at=at(2026, 3, 2, 9),
    )
    factories.article("Draft story", in_section=local, live=False)
    scheduled = factories.article("Scheduled story", in_section=local, live=False)
    scheduled.go_live_at = timezone.now() + dt.timedelta(days=1)
    scheduled.save_revision().publish()
    factories.article("Withdrawn story", in_section=local).unpublish()
    members = factories.section("Members")
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    factories.article("Members-only story", in_section=members)
    assert not ArticlePage.objects.get(pk=scheduled.pk).live
    return {"older": older, "newer": newer, "ada": ada, "bo": bo}


# Article feeds -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ARTICLE_FEEDS)
def test_the_site_feeds_list_live_public_articles_newest_first(client, newsroom, url):
    parsed = parsed_feed(client, url)

    assert titles(parsed) == ["Council approves budget", "Harbour reopens"]
    assert parsed.feed.title == "The Masthead Courier"
    assert parsed.feed.link == "http://testserver/"


def test_an_rss_item_has_its_link_guid_dates_bylines_categories_and_summary(client, newsroom):
    older = newsroom["older"]

    entry = parsed_feed(client, "/feeds/rss/").entries[1]

    assert parsed_feed(client, "/feeds/rss/").version == "rss20"
    assert entry.link == "http://testserver/local/" + older.slug + "/"
    assert entry.id == f"tag:127.0.0.1,2024:article/{older.pk}"
    assert entry.guidislink is False
    assert struct_time_utc(at(2026, 3, 1, 9)) == entry.published_parsed[:6]
    assert [a["name"] for a in entry.authors] == ["Ada Lane", "Bo Chen"]
    assert [t.term for t in entry.tags] == ["Local", "Ports", "Weather"]
    assert entry.summary == "Ferries sail again after the storm."
    assert entry.comments == entry.link + "#comments"
    assert entry.wfw_commentrss == f"http://testserver/feeds/comments/{older.pk}/rss/"


def test_an_atom_entry_has_its_authors_with_their_pages_and_its_dates(client, newsroom):
    older = newsroom["older"]

    parsed = parsed_feed(client, "/feeds/atom/")
    entry = parsed.entries[1]

    assert parsed.version == "atom10"
    assert entry.id == f"tag:127.0.0.1,2024:article/{older.pk}"
    assert entry.authors == [
        {"name": "Ada Lane", "href": "http://testserver/authors/ada-lane/"},
        {"name": "Bo Chen", "href": "http://testserver/authors/bo-chen/"},
    ]
    assert entry.published_parsed[:6] == struct_time_utc(at(2026, 3, 1, 9))
    assert entry.updated_parsed[:6] == struct_time_utc(at(2026, 3, 1, 9))
    assert parsed.feed.updated_parsed[:6] == struct_time_utc(at(2026, 3, 2, 9))


def test_a_correction_moves_the_entry_updated_date_but_not_its_published_date(client, db):
    page = factories.article("Bridge closes", published_at=at(2026, 3, 1, 9))
    page.updates = [
        ArticleUpdate(kind="correction", published_at=at(2026, 3, 4, 16), text="Fixed a name.")
    ]
    page.save()

    entry = parsed_feed(client, "/feeds/atom/").entries[0]

    assert entry.published_parsed[:6] == struct_time_utc(at(2026, 3, 1, 9))
    assert entry.updated_parsed[:6] == struct_time_utc(at(2026, 3, 4, 16))


@pytest.mark.parametrize("url", ARTICLE_FEEDS)
def test_full_text_feeds_carry_the_body_with_absolute_links(client, db, settings, url):
    settings.MASTHEAD_FEED_CONTENT = "full"
    factories.article(
        "Storm update",
        body=[("paragraph", '<p>Read <a href="/local/">local news</a> for more.</p>')],
        dek="Short version.",
    )

    entry = parsed_feed(client, url).entries[0]

    assert entry.summary == "Short version."
    assert len(entry.content) == 1
    assert entry.content[0].value == (
        '<p>Read <a href="http://testserver/local/">local news</a> for more.</p>'
    )


@pytest.mark.parametrize("url", ARTICLE_FEEDS)
def test_summary_feeds_carry_only_the_summary(client, db, settings, url):
    settings.MASTHEAD_FEED_CONTENT = "summary"
    factories.article("Storm update", body=[("paragraph", "<p>The whole story.</p>")], dek="")

    entry = parsed_feed(client, url).entries[0]

    assert "content" not in entry
    assert entry.summary == "The whole story."


@pytest.mark.parametrize("url", ARTICLE_FEEDS)
def test_an_articles_id_survives_an_edit_a_new_slug_a_move_and_republishing(client, db, url):
    page = factories.article("First headline", published_at=at(2026, 3, 1, 9))
    before = parsed_feed(client, url).entries[0]

    page = ArticlePage.objects.get(pk=page.pk)
    page.title = "Revised headline"
    page.slug = "revised-headline"
    page.save_revision().publish()
    page.move(factories.section("Business"), pos="last-child")
    ArticlePage.objects.get(pk=page.pk).save_revision().publish()
    after = parsed_feed(client, url).entries[0]

    assert after.title == "Revised headline"
    assert after.link == "http://testserver/business/revised-headline/"
    assert after.id == before.id == f"tag:127.0.0.1,2024:article/{page.pk}"


@pytest.mark.parametrize("url", ARTICLE_FEEDS)
def test_the_lead_image_is_an_enclosure_of_the_width_the_page_shows(client, db, url):
    factories.article("Pictured", lead_image=factories.image(size=(1600, 900)))

    entry = parsed_feed(client, url).entries[0]
    [enclosure] = [link for link in entry.links if link.rel == "enclosure"]

    assert enclosure.type == "image/jpeg"
    assert enclosure.href.startswith("http://testserver/media/images/")
    assert enclosure.href.endswith(".width-1200.jpg")
    assert int(enclosure.length) > 0
    assert client.get(enclosure.href.removeprefix("http://testserver")).status_code == 200


def test_rss_items_carry_the_lead_image_as_media_content_with_its_size(client, db):
    factories.article(
        "Pictured", lead_image=factories.image(size=(1600, 900)), lead_image_credit="Courier"
    )

    entry = parsed_feed(client, "/feeds/rss/").entries[0]

    assert entry.media_content[0]["width"] == "1200"
    assert entry.media_content[0]["height"] == "675"
    assert entry.media_content[0]["medium"] == "image"
    assert entry.media_credit == [{"content": "Courier"}]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_section_author_and_topic_feeds_hold_only_their_articles(client, newsroom, kind):
    assert titles(parsed_feed(client, f"/feeds/sections/local/{kind}/")) == ["Harbour reopens"]
    assert titles(parsed_feed(client, f"/feeds/authors/ada-lane/{kind}/")) == ["Harbour reopens"]
    assert titles(parsed_feed(client, f"/feeds/authors/bo-chen/{kind}/")) == [
        "Council approves budget",
        "Harbour reopens",
    ]
    assert titles(parsed_feed(client, f"/feeds/topics/budget/{kind}/")) == [
        "Council approves budget"
    ]
    section_feed = parsed_feed(client, f"/feeds/sections/local/{kind}/").feed
    assert section_feed.title == "Local · The Masthead Courier"
    assert section_feed.link == "http://testserver/local/"


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/sections/nowhere/rss/",
        "/feeds/sections/members/rss/",  # private
        "/feeds/authors/nobody/atom/",
        "/feeds/topics/no-such-topic/rss/",
        "/feeds/comments/999999/rss/",
    ],
)
def test_feeds_of_what_does_not_exist_or_is_private_are_404(client, newsroom, url):
    assert client.get(url).status_code == 404


def test_a_topic_whose_articles_are_all_drafts_has_no_feed(client, db):
    factories.article("Draft", topics=["Secrets"], live=False)

    assert client.get("/feeds/topics/secrets/rss/").status_code == 404


def test_a_headline_with_markup_characters_reads_back_exactly(client, db):
    headline = 'Q&A: why "</script>" & <b>tags</b> matter'
    factories.article(headline)

    assert parsed_feed(client, "/feeds/atom/").entries[0].title == headline
    assert parsed_feed(client, "/feeds/rss/").entries[0].title == headline
    assert json.loads(client.get("/feeds/json/").content)["items"][0]["title"] == headline


# JSON Feed ---------------------------------------------------------------------------------


def assert_json_feed_1_1(document: dict) -> None:
    """The required and typed members of https://www.jsonfeed.org/version/1.1/."""
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(document["title"], str) and document["title"]
    assert document["home_page_url"].startswith("http://")
    assert document["feed_url"].startswith("http://")
    assert all(isinstance(a["name"], str) for a in document["authors"])
    ids = [item["id"] for item in document["items"]]
    assert len(set(ids)) == len(ids)
    for item in document["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_html", item.get("content_text")), str)
        for key in ("date_published", "date_modified"):
            assert dt.datetime.fromisoformat(item[key]).tzinfo is not None
        for author in item.get("authors", []):
            assert isinstance(author["name"], str)
        assert all(isinstance(tag, str) for tag in item.get("tags", []))


def test_the_json_feed_follows_json_feed_1_1(client, newsroom):
    older = newsroom["older"]

    response = client.get("/feeds/json/")
    document = json.loads(response.content)

    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    assert_json_feed_1_1(document)
    assert [item["title"] for item in document["items"]] == [
        "Council approves budget",
        "Harbour reopens",
    ]
    item = document["items"][1]
    assert item["id"] == f"tag:127.0.0.1,2024:article/{older.pk}"
    assert item["url"] == f"http://testserver/local/{older.slug}/"
    assert dt.datetime.fromisoformat(item["date_published"]) == at(2026, 3, 1, 9)
    assert item["authors"] == [
        {"name": "Ada Lane", "url": "http://testserver/authors/ada-lane/"},
        {"name": "Bo Chen", "url": "http://testserver/authors/bo-chen/"},
    ]
    assert item["tags"] == ["Local", "Ports", "Weather"]
    assert item["summary"] == "Ferries sail again after the storm."


def test_the_json_feed_has_full_text_or_the_summary_as_the_site_chooses(client, db, settings):
    factories.article("Storm", body=[("paragraph", "<p>All of it.</p>")], dek="Some of it.")

    settings.MASTHEAD_FEED_CONTENT = "full"
    full = json.loads(client.get("/feeds/json/").content)["items"][0]
    settings.MASTHEAD_FEED_CONTENT = "summary"
    summary = json.loads(client.get("/feeds/json/").content)["items"][0]

    assert full["content_html"] == "<p>All of it.</p>"
    assert "content_html" not in summary
    assert summary["content_text"] == "Some of it."


# Comment feeds -----------------------------------------------------------------------------


@pytest.fixture
def discussion(db):
    """An article's comments in every state, and a comment on a page later unpublished."""
    page = factories.article("Harbour reopens")
    secret = "jane.secret@example.org"
    comment_factories.comment(page, body="Approved words.", email_address=secret)
    comment_factories.comment(page, body="Pending words.", status=Comment.Status.PENDING)
    comment_factories.comment(page, body="Spam words.", status=Comment.Status.SPAM)
    comment_factories.comment(page, body="Trashed words.", status=Comment.Status.TRASH)
    removed = comment_factories.comment(page, body="Removed words.")
    Comment.objects.filter(pk=removed.pk).update(is_removed=True)
    services.import_comment(
        page=page,
        name="Another blog",
        body_html="<p>Pingback words.</p>",
        created_at=timezone.now(),
        kind=Comment.Kind.PINGBACK,
    )
    withdrawn = factories.article("Withdrawn story")
    comment_factories.comment(withdrawn, body="Words under a withdrawn story.")
    withdrawn.unpublish()
    other = factories.article("Bridge closes")
    comment_factories.comment(other, body="Other words.", name="Sam Reader")
    return {"page": page, "withdrawn": withdrawn, "email": secret}


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_an_articles_comment_feed_has_its_approved_reader_comments_only(client, discussion, kind):
    page = discussion["page"]

    parsed = parsed_feed(client, f"/feeds/comments/{page.pk}/{kind}/")

    assert [entry.summary for entry in parsed.entries] == ["Approved words."]
    entry = parsed.entries[0]
    assert entry.title == "Comment on Harbour reopens by Jane Reader"
    assert entry.author == "Jane Reader"
    assert entry.link.startswith(f"http://testserver{page.url}#comment-")
    assert entry.id.startswith("tag:127.0.0.1,2024:comment/")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_site_comment_feed_has_approved_comments_on_live_pages_newest_first(
    client, discussion, kind
):
    parsed = parsed_feed(client, f"/feeds/comments/{kind}/")

    assert [entry.summary for entry in parsed.entries] == ["Other words.", "Approved words."]


def test_a_withdrawn_articles_comment_feed_is_gone(client, discussion):
    assert client.get(f"/feeds/comments/{discussion['withdrawn'].pk}/rss/").status_code == 404


def test_no_feed_shows_a_commenters_email_address_even_hashed(client, discussion):
    page = discussion["page"]
    urls = [
        "/feeds/rss/",
        "/feeds/atom/",
        "/feeds/json/",
        "/feeds/comments/rss/",
        "/feeds/comments/atom/",
        f"/feeds/comments/{page.pk}/rss/",
        f"/feeds/comments/{page.pk}/atom/",
    ]

    responses = {url: client.get(url) for url in urls}

    assert {url: r.status_code for url, r in responses.items()} == {url: 200 for url in urls}
    assert {url: leaked(r, discussion["email"]) for url, r in responses.items()} == {
        url: [] for url in urls
    }


def test_an_article_items_comment_count_is_its_approved_comment_count(client, discussion):
    entries = {entry.title: entry for entry in parsed_feed(client, "/feeds/rss/").entries}

    assert entries["Harbour reopens"].slash_comments == "1"
    assert entries["Bridge closes"].slash_comments == "1"


# Conditional GET and WebSub ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/feeds/rss/", "/feeds/atom/", "/feeds/json/", "/feeds/comments/rss/"]
)
def test_a_reader_with_the_current_version_gets_304_by_etag_or_date(client, db, url):
    page = factories.article("Harbour reopens", published_at=at(2026, 3, 1, 9))
    comment_factories.comment(page)
    first = client.get(url)

    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert "max-age=" in first["Cache-Control"]
    assert (by_etag.status_code, by_etag.content) == (304, b"")
    assert by_etag["ETag"] == first["ETag"]
    assert (by_date.status_code, by_date.content) == (304, b"")


def test_a_new_article_changes_the_feeds_etag(client, db):
    factories.article("First", published_at=at(2026, 3, 1, 9))
    first = client.get("/feeds/rss/")

    factories.article("Second", published_at=at(2026, 3, 2, 9))
    second = client.get("/feeds/rss/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert titles(parsed_feed(client, "/feeds/rss/")) == ["Second", "First"]


def test_feeds_name_no_websub_hub_by_default(client, db, settings):
    settings.MASTHEAD_WEBSUB_HUB = ""
    factories.article()

    response = client.get("/feeds/atom/")

    assert "Link" not in response
    assert "hub" not in [link.rel for link in parsed_feed(client, "/feeds/atom/").feed.links]


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/sections/world/rss/"])
def test_feeds_name_the_configured_websub_hub_in_a_header_and_in_the_feed(
    client, db, settings, url
):
    settings.MASTHEAD_WEBSUB_HUB = "https://hub.courier.example/"
    factories.article(in_section=factories.section("World"))

    response = client.get(url)
    feed_links = parsed_feed(client, url).feed.links

    assert response["Link"] == (
        f'<https://hub.courier.example/>; rel="hub", <http://testserver{url}>; rel="self"'
    )
    assert {"rel": "hub", "href": "https://hub.courier.example/"}.items() <= next(
        link for link in feed_links if link.rel == "hub"
    ).items()


def test_the_json_feed_names_the_configured_websub_hub(client, db, settings):
    settings.MASTHEAD_WEBSUB_HUB = "https://hub.courier.example/"
    factories.article()

    document = json.loads(client.get("/feeds/json/").content)

    assert document["hubs"] == [{"type": "WebSub", "url": "https://hub.courier.example/"}]


# Discovery ---------------------------------------------------------------------------------


def alternates(client, url: str) -> dict[str, str]:
    """{title: href} of the feeds a page advertises, each of which must serve its type."""
    response = client.get(url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    found = {}
    for link in soup.select('link[rel="alternate"]'):
        if "oembed" in link["type"]:
            continue
        feed = client.get(link["href"].removeprefix("http://testserver"))
        assert feed.status_code == 200, link["href"]
        assert feed["Content-Type"].startswith(link["type"]), link["href"]
        found[link["title"]] = link["href"]
    return found


def test_pages_advertise_the_site_feeds_and_their_own(client, newsroom):
    older, ada = newsroom["older"], newsroom["ada"]
    site = {
        "The Masthead Courier (RSS)": "http://testserver/feeds/rss/",
        "The Masthead Courier (Atom)": "http://testserver/feeds/atom/",
        "The Masthead Courier (JSON Feed)": "http://testserver/feeds/json/",
    }
    factories.topic_index()

    assert alternates(client, "/") == {
        **site,
        "Comments on The Masthead Courier (RSS)": "http://testserver/feeds/comments/rss/",
        "Comments on The Masthead Courier (Atom)": "http://testserver/feeds/comments/atom/",
    }
    assert alternates(client, older.url) == {
        **site,
        "Local · The Masthead Courier (RSS)": "http://testserver/feeds/sections/local/rss/",
        "Local · The Masthead Courier (Atom)": "http://testserver/feeds/sections/local/atom/",
        "Comments on Harbour reopens (RSS)": f"http://testserver/feeds/comments/{older.pk}/rss/",
        "Comments on Harbour reopens (Atom)": (
            f"http://testserver/feeds/comments/{older.pk}/atom/"
        ),
    }
    assert alternates(client, ada.url) == {
        **site,
        "Ada Lane · The Masthead Courier (RSS)": "http://testserver/feeds/authors/ada-lane/rss/",
        "Ada Lane · The Masthead Courier (Atom)": (
            "http://testserver/feeds/authors/ada-lane/atom/"
        ),
    }
    assert alternates(client, "/topics/ports/") == {
        **site,
        "Ports · The Masthead Courier (RSS)": "http://testserver/feeds/topics/ports/rss/",
        "Ports · The Masthead Courier (Atom)": "http://testserver/feeds/topics/ports/atom/",
    }
    assert alternates(client, "/search/?q=harbour") == site


# WebSub publishing -------------------------------------------------------------------------


@pytest.fixture
def hub():
    """A WebSub hub on loopback that records the form of each request it gets."""
    received = []

    class Hub(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(parse_qs(self.rfile.read(length).decode()))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", received
    server.shutdown()
    server.server_close()


def test_publishing_an_article_tells_the_hub_about_every_feed_it_is_in(
    db, settings, hub, django_capture_on_commit_callbacks
):
    hub_url, received = hub
    settings.MASTHEAD_WEBSUB_HUB = hub_url
    local, ada = factories.section("Local"), factories.author("Ada Lane")

    with django_capture_on_commit_callbacks(execute=True):
        factories.article("Hub news", in_section=local, authors=[ada], topics=["Ports"])

    assert [form["hub.mode"] for form in received] == [["publish"]] * 9
    assert sorted(form["hub.url"][0] for form in received) == sorted(
        f"http://localhost/feeds/{path}"
        for path in [
            "rss/", "atom/", "json/",
            "sections/local/rss/", "sections/local/atom/",
            "authors/ada-lane/rss/", "authors/ada-lane/atom/",
            "topics/ports/rss/", "topics/ports/atom/",
        ]
    )  # fmt: skip


def test_nothing_is_sent_without_a_hub_and_a_hub_that_is_down_is_only_logged(
    db, settings, hub, django_capture_on_commit_callbacks, caplog
):
    hub_url, received = hub
    settings.MASTHEAD_WEBSUB_HUB = ""
    with django_capture_on_commit_callbacks(execute=True):
        factories.article("Quiet news")
    settings.MASTHEAD_WEBSUB_HUB = "http://127.0.0.1:9/"  # discard port: nothing listens
    with django_capture_on_commit_callbacks(execute=True):
        page = factories.article("Unheard news")

    assert received == []
    assert ArticlePage.objects.get(pk=page.pk).live
    assert "WebSub hub http://127.0.0.1:9/ did not take http://localhost/feeds/rss/" in caplog.text


def test_feeds_of_sections_and_topics_with_non_latin_slugs_work(client, db):
    economy = factories.section("Économie", slug="économie")
    factories.article("Marché", in_section=economy, topics=["Café"])

    links = alternates(client, "/%C3%A9conomie/")

    assert links["Économie · The Masthead Courier (RSS)"] == (
        "http://testserver/feeds/sections/%C3%A9conomie/rss/"
    )
    assert titles(parsed_feed(client, "/feeds/sections/économie/atom/")) == ["Marché"]
    assert titles(parsed_feed(client, "/feeds/topics/café/rss/")) == ["Marché"]


@pytest.mark.parametrize(
    "url", ["/feeds/topics/%00/rss/", "/feeds/sections/a%00b/atom/", "/feeds/authors/%00/rss/"]
)
def test_a_nul_in_a_feed_address_is_a_404_not_a_database_error(client, db, url):
    assert client.get(url).status_code == 404
