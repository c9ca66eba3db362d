"""Sitemaps, the Google News sitemap and robots.txt, read as XML against the protocols."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from comments.tests import factories as comment_factories
from news.models import ArticlePage, ArticleUpdate
from news.seo import sitemaps
from news.tests import factories
from news.tests.machine_readable import NS, SITEMAP_NS, at, leaked, xml_root

SITEMAP_URL_LIMIT = 50_000


def locations(root) -> list[str]:
    return [loc.text for loc in root.iterfind("sm:url/sm:loc", NS)]


def lastmods(root) -> dict[str, str]:
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.iterfind("sm:url", NS)
    }


def w3c(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_urlset(root) -> None:
    """What https://www.sitemaps.org/protocol.html requires of a <urlset>."""
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    urls = root.findall("sm:url", NS)
    assert len(urls) <= SITEMAP_URL_LIMIT
    for url in urls:
        assert url.findtext("sm:loc", namespaces=NS).startswith("http://testserver/")
        lastmod = url.findtext("sm:lastmod", namespaces=NS)
        if lastmod is not None:
            dt.datetime.strptime(lastmod, "%Y-%m-%dT%H:%M:%SZ")


def sitemap(client, section: str, **params):
    root = xml_root(client.get(f"/sitemap-{section}.xml", params))
    assert_urlset(root)
    return root


@pytest.fixture
def newsroom(db):
    local = factories.section("Local")
    ada = factories.author("Ada Lane")
    live = factories.article(
        "Harbour reopens",
        in_section=local,
        authors=[ada],
        topics=["Ports"],
        published_at=at(2026, 3, 1, 9),
    )
    factories.article("Draft story", in_section=local, topics=["Drafts"], live=False)
    scheduled = factories.article("Scheduled story", in_section=local, live=False)
    scheduled.go_live_at = timezone.now() + dt.timedelta(days=1)
    scheduled.save_revision().publish()
    factories.article("Withdrawn story", in_section=local).unpublish()
    factories.article(
        "Syndicated story", in_section=local, canonical_url="https://wire.example/story"
    )
    members = factories.section("Members")
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    factories.article("Members-only story", in_section=members)
    factories.topic_index()
    return {"live": live, "local": local, "ada": ada}


# The index ---------------------------------------------------------------------------------


def test_the_index_names_each_sitemap_and_each_serves_a_valid_urlset(client, newsroom):
    root = xml_root(client.get("/sitemap.xml"))

    assert root.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    locs = [loc.text for loc in root.iterfind("sm:sitemap/sm:loc", NS)]
    assert locs == [
        f"http://testserver/sitemap-{name}.xml"
        for name in ("articles", "news", "sections", "authors", "topics")
    ]
    for loc in locs:
        assert_urlset(xml_root(client.get(loc.removeprefix("http://testserver"))))


def test_a_sitemap_past_its_limit_is_split_into_pages_named_by_the_index(
    client, newsroom, monkeypatch
):
    for n in range(3):
        factories.article(f"Extra {n}")
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)

    index = xml_root(client.get("/sitemap.xml"))
    pages = [sitemap(client, "articles", p=p) for p in (1, 2)]

    locs = [loc.text for loc in index.iterfind("sm:sitemap/sm:loc", NS)]
    assert "http://testserver/sitemap-articles.xml?p=2" in locs
    assert [len(locations(page)) for page in pages] == [2, 2]
    assert client.get("/sitemap-articles.xml", {"p": 3}).status_code == 404


def test_an_unknown_sitemap_is_404(client, newsroom):
    assert client.get("/sitemap-nothing.xml").status_code == 404


# Articles ----------------------------------------------------------------------------------


def test_the_article_sitemap_lists_only_live_public_original_articles(client, newsroom):
    root = sitemap(client, "articles")

    assert locations(root) == ["http://testserver/local/" + newsroom["live"].slug + "/"]


def test_an_articles_lastmod_is_its_last_publication_or_newest_correction(client, db):
    plain = factories.article("Plain", published_at=at(2026, 3, 1, 9))
    corrected = factories.article("Corrected", published_at=at(2026, 3, 1, 9))
    corrected.updates = [
        ArticleUpdate(kind="correction", published_at=at(2026, 3, 3, 15, 30), text="Fixed.")
    ]
    corrected.save()

    found = lastmods(sitemap(client, "articles"))

    assert found == {
        f"http://testserver{plain.url}": "2026-03-01T09:00:00Z",
        f"http://testserver{corrected.url}": "2026-03-03T15:30:00Z",
    }


def test_republishing_an_article_moves_its_lastmod(client, db):
    page = factories.article("Story", published_at=at(2026, 3, 1, 9))
    before = timezone.now().replace(microsecond=0)

    ArticlePage.objects.get(pk=page.pk).save_revision().publish()
    [lastmod] = lastmods(sitemap(client, "articles")).values()

    assert dt.datetime.strptime(lastmod, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC) >= before


def test_the_article_sitemap_costs_the_same_queries_for_two_articles_or_eight(client, db):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sitemap-articles.xml").status_code == 200
        return len(captured)

    factories.article()
    factories.article()
    queries()  # Fill the per-process caches (content types, site root paths).
    two = queries()
    for _ in range(6):
        factories.article()
    queries()  # The first view after a publication reads the site again.

    assert queries() == two


# Google News -------------------------------------------------------------------------------


def test_the_news_sitemap_has_only_articles_of_the_last_two_days(client, db):
    now = timezone.now()
    for title, age in [
        ("An hour old", dt.timedelta(hours=1)),
        ("A day old", dt.timedelta(days=1)),
        ("Nearly two days old", dt.timedelta(hours=47)),
        ("Just over two days old", dt.timedelta(hours=49)),
        ("A week old", dt.timedelta(days=7)),
    ]:
        factories.article(title, published_at=now - age)
    factories.article("Fresh draft", live=False)
    factories.article("Fresh copy", canonical_url="https://wire.example/copy")

    root = sitemap(client, "news")

    titles = [t.text for t in root.iterfind("sm:url/news:news/news:title", NS)]
    assert titles == ["An hour old", "A day old", "Nearly two days old"]


def test_each_news_url_names_the_publication_its_language_date_and_title(client, db):
    published = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    page = factories.article("Q&A: the <bridge> closure", published_at=published)

    root = sitemap(client, "news")
    [url] = root.findall("sm:url", NS)

    assert url.findtext("sm:loc", namespaces=NS) == f"http://testserver{page.url}"
    news = url.find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "The Masthead Courier"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:publication_date", namespaces=NS) == w3c(published)
    assert news.findtext("news:title", namespaces=NS) == "Q&A: the <bridge> closure"


def test_the_news_sitemap_holds_at_most_its_limit_newest_first(client, db, monkeypatch):
    now = timezone.now()
    for hours in (5, 1, 3):
        factories.article(f"{hours} hours old", published_at=now - dt.timedelta(hours=hours))
    monkeypatch.setattr(sitemaps, "NEWS_LIMIT", 2)

    root = sitemap(client, "news")

    titles = [t.text for t in root.iterfind("sm:url/news:news/news:title", NS)]
    assert titles == ["1 hours old", "3 hours old"]
    assert sitemaps.NewsSitemap.limit == 1000


# Sections, authors, topics -----------------------------------------------------------------


def test_the_section_sitemap_has_the_front_page_and_public_sections(client, newsroom):
    root = sitemap(client, "sections")

    assert locations(root) == ["http://testserver/", "http://testserver/local/"]


def test_a_sections_lastmod_follows_its_newest_article(client, db):
    local = factories.section("Local")
    factories.article(in_section=local, published_at=at(2030, 1, 2, 8))
    factories.article(in_section=local, published_at=at(2030, 1, 1, 8))

    found = lastmods(sitemap(client, "sections"))

    assert found["http://testserver/local/"] == "2030-01-02T08:00:00Z"
    assert found["http://testserver/"] == "2030-01-02T08:00:00Z"


def test_the_author_sitemap_has_the_authors_and_their_index(client, newsroom):
    factories.article(authors=[newsroom["ada"]], published_at=at(2030, 1, 5, 8))

    found = lastmods(sitemap(client, "authors"))

    assert list(found) == ["http://testserver/authors/", "http://testserver/authors/ada-lane/"]
    assert found["http://testserver/authors/ada-lane/"] == "2030-01-05T08:00:00Z"


def test_the_topic_sitemap_has_topics_with_live_articles_dated_by_the_newest(client, newsroom):
    factories.article(topics=["Ports"], published_at=at(2030, 2, 1, 8))
    factories.article(topics=["Ports"], live=False)

    found = lastmods(sitemap(client, "topics"))

    assert list(found) == ["http://testserver/topics/", "http://testserver/topics/ports/"]
    assert found["http://testserver/topics/ports/"] == "2030-02-01T08:00:00Z"
    assert client.get("/topics/ports/").status_code == 200


# robots.txt and privacy --------------------------------------------------------------------


def test_robots_txt_names_the_sitemap_index_and_the_news_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert [line for line in lines if line.startswith("Sitemap:")] == [
        "Sitemap: http://testserver/sitemap.xml",
        "Sitemap: http://testserver/sitemap-news.xml",
    ]


def test_sitemaps_answer_conditional_requests_with_304(client, newsroom):
    first = client.get("/sitemap-articles.xml")

    again = client.get("/sitemap-articles.xml", HTTP_IF_NONE_MATCH=first["ETag"])

    assert (again.status_code, again.content) == (304, b"")


def test_no_sitemap_shows_a_commenters_email_address(client, newsroom):
    email = "hidden.reader@example.org"
    comment_factories.comment(newsroom["live"], email_address=email)

    for url in ["/sitemap.xml", "/robots.txt"] + [
        f"/sitemap-{name}.xml" for name in sitemaps.SITEMAPS
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaked(response, email) == [], url
