"""schema.org JSON-LD on articles, author pages, listings and the front page."""

import io
import json

import pytest
from bs4 import BeautifulSoup
from PIL import Image as PILImage

from comments.models import Comment
from comments.tests import factories as comment_factories
from news.models import ArticleUpdate
from news.tests import factories
from news.tests.machine_readable import at, json_ld, leaked, node_of_type


@pytest.fixture
def story(db):
    ada, bo = factories.author("Ada Lane", role="Harbour reporter"), factories.author("Bo Chen")
    page = factories.article(
        "Harbour reopens",
        in_section=factories.section("Local"),
        authors=[ada, bo],
        topics=["Ports", "Weather"],
        published_at=at(2026, 3, 1, 9),
        dek="Ferries sail again after the storm.",
        dateline="RIVERTON",
        lead_image=factories.image("Ferry at dawn", size=(2400, 1800)),
    )
    return page


def article_node(client, page) -> dict:
    return node_of_type(json_ld(client.get(page.url)), "NewsArticle")


def test_an_article_has_a_news_article_with_what_google_asks_for(client, story):
    node = article_node(client, story)
    url = f"http://testserver{story.url}"

    assert node["@type"] == "NewsArticle"
    assert node["headline"] == "Harbour reopens"
    assert node["url"] == url
    assert node["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert node["description"] == "Ferries sail again after the storm."
    assert node["datePublished"] == "2026-03-01T09:00:00+00:00"
    assert node["dateModified"] == "2026-03-01T09:00:00+00:00"
    assert node["articleSection"] == "Local"
    assert node["keywords"] == ["Ports", "Weather"]
    assert node["dateline"] == "RIVERTON"
    assert node["isAccessibleForFree"] is True
    assert node["inLanguage"] == "en-US"
    assert "correction" not in node


def test_every_byline_author_is_a_person_with_their_name_and_page(client, story):
    node = article_node(client, story)

    assert node["author"] == [
        {"@type": "Person", "name": "Ada Lane", "url": "http://testserver/authors/ada-lane/"},
        {"@type": "Person", "name": "Bo Chen", "url": "http://testserver/authors/bo-chen/"},
    ]


def test_an_article_without_a_byline_names_the_news_organization_as_its_author(client, db):
    page = factories.article("Harbour reopens", in_section=factories.section("Local"))

    node = article_node(client, page)

    assert node["author"] == [
        {
            "@type": "NewsMediaOrganization",
            "@id": "http://testserver/#publisher",
            "name": "The Masthead Courier",
            "url": "http://testserver/",
        }
    ]
    assert node["publisher"]["@id"] == "http://testserver/#publisher"


def test_the_publisher_is_a_news_media_organization_with_a_logo_served_by_the_site(client, story):
    publisher = article_node(client, story)["publisher"]

    assert publisher["@type"] == "NewsMediaOrganization"
    assert publisher["name"] == "The Masthead Courier"
    logo = publisher["logo"]
    assert logo["@type"] == "ImageObject"
    assert logo["url"].startswith("http://testserver/static/")
    response = client.get(logo["url"].removeprefix("http://testserver"))
    assert response.status_code == 200
    served = PILImage.open(io.BytesIO(b"".join(response.streaming_content)))
    assert (served.format, served.size) == ("PNG", (logo["width"], logo["height"]))
    assert served.size == (600, 60)


def test_the_image_comes_in_16x9_4x3_and_1x1_each_1200_wide(client, story):
    images = article_node(client, story)["image"]

    assert [(i["width"], i["height"]) for i in images] == [(1200, 675), (1200, 900), (1200, 1200)]
    for image in images:
        assert image["@type"] == "ImageObject"
        response = client.get(image["url"].removeprefix("http://testserver"))
        assert response.status_code == 200


def test_a_small_lead_image_gives_smaller_renditions_never_upscaled_ones(client, db):
    page = factories.article("Small picture", lead_image=factories.image(size=(800, 600)))

    images = article_node(client, page)["image"]

    assert [(i["width"], i["height"]) for i in images] == [(800, 450), (800, 600), (600, 600)]


def test_an_article_without_a_lead_image_has_no_image_property(client, db):
    page = factories.article("No picture")

    assert "image" not in article_node(client, page)


def test_the_comment_count_is_the_approved_comments(client, story, settings):
    comment_factories.comment(story)
    comment_factories.comment(story)
    comment_factories.comment(story, status=Comment.Status.PENDING)
    comment_factories.comment(story, status=Comment.Status.SPAM)

    assert article_node(client, story)["commentCount"] == 2


def test_each_correction_is_listed_and_moves_date_modified(client, story):
    story.updates = [
        ArticleUpdate(kind="update", published_at=at(2026, 3, 1, 12), text="More detail."),
        ArticleUpdate(kind="correction", published_at=at(2026, 3, 2, 10), text="Fixed a name."),
        ArticleUpdate(kind="correction", published_at=at(2026, 3, 3, 8), text="Fixed a date."),
    ]
    story.save()

    node = article_node(client, story)

    assert node["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Fixed a name.",
            "datePublished": "2026-03-02T10:00:00+00:00",
        },
        {
            "@type": "CorrectionComment",
            "text": "Fixed a date.",
            "datePublished": "2026-03-03T08:00:00+00:00",
        },
    ]
    assert node["dateModified"] == "2026-03-03T08:00:00+00:00"
    assert node["datePublished"] == "2026-03-01T09:00:00+00:00"


def test_an_article_has_breadcrumbs_from_the_front_page_through_its_section(client, story):
    crumbs = node_of_type(json_ld(client.get(story.url)), "BreadcrumbList")

    assert crumbs["itemListElement"] == [
        {
            "@type": "ListItem",
            "position": 1,
            "name": "The Masthead Courier",
            "item": "http://testserver/",
        },
        {"@type": "ListItem", "position": 2, "name": "Local", "item": "http://testserver/local/"},
        {
            "@type": "ListItem",
            "position": 3,
            "name": "Harbour reopens",
            "item": f"http://testserver{story.url}",
        },
    ]


@pytest.mark.parametrize(
    "headline",
    [
        'Officials say "</script><script>alert(1)</script>" is not a threat',
        "Tags <!-- and --> & alert(1) </SCRIPT > in a headline",
    ],
)
def test_a_headline_cannot_break_out_of_the_json_ld_block(client, db, headline):
    page = factories.article(
        headline, dek="A dek with </script> too.", body=[("paragraph", "<p>Body.</p>")]
    )

    response = client.get(page.url)
    soup = BeautifulSoup(response.content, "html.parser")
    [block] = soup.find_all("script", type="application/ld+json")

    assert "<" not in block.string and ">" not in block.string and "&" not in block.string
    data = json.loads(block.string)
    [article] = [node for node in data["@graph"] if node["@type"] == "NewsArticle"]
    assert article["headline"] == headline
    assert article["description"] == "A dek with </script> too."
    assert [s for s in soup.find_all("script") if "alert" in (s.string or "")] == [block]


def test_an_author_page_is_a_profile_page_of_a_person(client, story):
    ada = factories.author("Cy Ruiz", role="Data editor", photo=factories.image(size=(800, 800)))

    nodes = json_ld(client.get(ada.url))
    profile = node_of_type(nodes, "ProfilePage")

    assert profile["url"] == "http://testserver/authors/cy-ruiz/"
    person = profile["mainEntity"]
    assert person["@type"] == "Person"
    assert person["name"] == "Cy Ruiz"
    assert person["url"] == "http://testserver/authors/cy-ruiz/"
    assert person["jobTitle"] == "Data editor"
    assert person["image"].startswith("http://testserver/media/images/")
    assert [c["name"] for c in node_of_type(nodes, "BreadcrumbList")["itemListElement"]] == [
        "The Masthead Courier",
        "Authors",
        "Cy Ruiz",
    ]


def test_the_front_page_has_the_website_and_the_news_organization(client, story):
    nodes = json_ld(client.get("/"))

    website = node_of_type(nodes, "WebSite")
    organization = node_of_type(nodes, "NewsMediaOrganization")
    assert website["name"] == organization["name"] == "The Masthead Courier"
    assert website["url"] == organization["url"] == "http://testserver/"
    assert website["publisher"] == {"@id": organization["@id"]}
    assert website["potentialAction"]["target"]["urlTemplate"] == (
        "http://testserver/search/?q={search_term_string}"
    )
    assert organization["logo"]["url"].endswith(".png")


def test_section_and_topic_pages_have_breadcrumbs(client, story):
    factories.topic_index()

    section = node_of_type(json_ld(client.get("/local/")), "BreadcrumbList")
    topic = node_of_type(json_ld(client.get("/topics/ports/")), "BreadcrumbList")

    assert [c["item"] for c in section["itemListElement"]] == [
        "http://testserver/",
        "http://testserver/local/",
    ]
    assert [(c["name"], c["item"]) for c in topic["itemListElement"]] == [
        ("The Masthead Courier", "http://testserver/"),
        ("Topics", "http://testserver/topics/"),
        ("Ports", "http://testserver/topics/ports/"),
    ]


def test_no_structured_data_or_page_head_shows_a_commenters_email(client, story):
    email = "Private.Reader@Example.org"
    comment_factories.comment(story, email_address=email)

    for url in [story.url, "/", "/local/", "/authors/ada-lane/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert leaked(response, email) == [], url
