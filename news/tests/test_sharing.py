"""What a shared link and a search engine see of a page: canonical URL, description, robots,
Open Graph and Twitter tags, editors' overrides, and the oEmbed endpoint."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model

from news.models import ArticlePage
from news.tests import factories
from news.tests.machine_readable import at, json_ld, node_of_type


def head_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").head


def properties(head) -> dict[str, list[str]]:
    """Every Open Graph / Twitter / named meta tag: {name or property: [content, ...]}."""
    found: dict[str, list[str]] = {}
    for meta in head.find_all("meta"):
        key = meta.get("property") or meta.get("name")
        if key and meta.has_attr("content"):
            found.setdefault(key, []).append(meta["content"])
    return found


@pytest.fixture
def story(db):
    page = factories.article(
        "Harbour reopens",
        in_section=factories.section("Local"),
        authors=[factories.author("Ada Lane"), factories.author("Bo Chen")],
        topics=["Ports", "Weather"],
        published_at=at(2026, 3, 1, 9),
        dek="Ferries sail again after the storm.",
        lead_image=factories.image("Ferry at dawn", size=(1600, 900)),
        lead_image_caption="The first ferry leaves at dawn.",
    )
    return page


def test_an_article_names_its_canonical_url_description_and_robots_directives(client, story):
    head = head_of(client, story.url)
    found = properties(head)

    assert [link["href"] for link in head.find_all("link", rel="canonical")] == [
        f"http://testserver{story.url}"
    ]
    assert found["description"] == ["Ferries sail again after the storm."]
    assert found["robots"] == ["max-image-preview:large"]


def test_an_article_has_open_graph_article_tags(client, story):
    found = properties(head_of(client, story.url))

    assert found["og:type"] == ["article"]
    assert found["og:title"] == ["Harbour reopens"]
    assert found["og:description"] == ["Ferries sail again after the storm."]
    assert found["og:url"] == [f"http://testserver{story.url}"]
    assert found["og:site_name"] == ["The Masthead Courier"]
    assert found["og:image:width"] == ["1200"] and found["og:image:height"] == ["630"]
    assert found["og:image:alt"] == ["The first ferry leaves at dawn."]
    assert found["og:image"][0].startswith("http://testserver/media/images/")
    assert client.get(urlsplit(found["og:image"][0]).path).status_code == 200
    assert found["article:published_time"] == ["2026-03-01T09:00:00+00:00"]
    assert found["article:modified_time"] == ["2026-03-01T09:00:00+00:00"]
    assert found["article:section"] == ["Local"]
    assert found["article:tag"] == ["Ports", "Weather"]
    assert found["article:author"] == [
        "http://testserver/authors/ada-lane/",
        "http://testserver/authors/bo-chen/",
    ]


def test_an_article_with_an_image_has_a_large_twitter_card(client, story):
    found = properties(head_of(client, story.url))

    assert found["twitter:card"] == ["summary_large_image"]
    assert found["twitter:title"] == ["Harbour reopens"]
    assert found["twitter:image"] == found["og:image"]
    assert found["twitter:image:alt"] == ["The first ferry leaves at dawn."]


def test_an_article_without_an_image_has_a_summary_card_and_no_og_image(client, db):
    page = factories.article("No picture", dek="Words only.")

    found = properties(head_of(client, page.url))

    assert found["twitter:card"] == ["summary"]
    assert "og:image" not in found


def test_editors_override_the_seo_title_description_and_social_image(client, story):
    page = ArticlePage.objects.get(pk=story.pk)
    page.seo_title = "Ferries are back"
    page.search_description = "All routes run from Monday."
    page.social_image = factories.image("Harbour map", size=(2000, 1000))
    page.save_revision().publish()

    head = head_of(client, page.url)
    found = properties(head)

    assert head.title.get_text() == "Ferries are back · The Masthead Courier"
    assert found["og:title"] == found["twitter:title"] == ["Ferries are back"]
    assert found["description"] == found["og:description"] == ["All routes run from Monday."]
    social = page.social_image.get_rendition("fill-1200x630")
    assert found["og:image"] == [f"http://testserver{social.url}"]
    assert social.url != story.lead_image.get_rendition("fill-1200x630").url
    assert found["og:image:alt"] == ["Harbour map"]
    assert node_of_type(json_ld(client.get(page.url)), "NewsArticle")["headline"] == (
        "Harbour reopens"
    )


def test_a_syndicated_copy_names_the_original_as_canonical(client, db):
    page = factories.article("Wire story", canonical_url="https://wire.example/story")

    head = head_of(client, page.url)

    assert head.find("link", rel="canonical")["href"] == "https://wire.example/story"
    assert properties(head)["og:url"] == ["https://wire.example/story"]
    article = node_of_type(json_ld(client.get(page.url)), "NewsArticle")
    assert article["isBasedOn"] == "https://wire.example/story"


def test_each_page_of_a_listing_is_its_own_canonical(client, db, settings):
    settings.MASTHEAD_PAGE_SIZE = 1
    local = factories.section("Local")
    factories.article(in_section=local)
    factories.article(in_section=local)

    first = head_of(client, "/local/").find("link", rel="canonical")["href"]
    second = head_of(client, "/local/?page=2").find("link", rel="canonical")["href"]

    assert (first, second) == ("http://testserver/local/", "http://testserver/local/?page=2")


def test_the_promote_tab_offers_seo_title_description_social_image_and_canonical_url(client, story):
    admin = get_user_model().objects.create_superuser("boss", "boss@newsroom.example", "pw")
    client.force_login(admin)

    response = client.get(f"/admin/pages/{story.pk}/edit/")

    soup = BeautifulSoup(response.content, "html.parser")
    for field in ("seo_title", "search_description", "social_image", "canonical_url"):
        assert soup.find(attrs={"name": field}) is not None, field


# oEmbed ------------------------------------------------------------------------------------


def oembed_links(client, url) -> dict[str, str]:
    head = head_of(client, url)
    return {
        link["type"]: link["href"]
        for link in head.find_all("link", rel="alternate")
        if "oembed" in link["type"]
    }


def test_an_article_advertises_its_oembed_in_json_and_xml(client, story):
    links = oembed_links(client, story.url)

    assert set(links) == {"application/json+oembed", "text/xml+oembed"}
    json_response = client.get(links["application/json+oembed"].removeprefix("http://testserver"))
    xml_response = client.get(links["text/xml+oembed"].removeprefix("http://testserver"))
    assert json_response["Content-Type"] == "application/json"
    assert xml_response["Content-Type"] == "text/xml; charset=utf-8"
    data = json.loads(json_response.content)
    root = ET.fromstring(xml_response.content)
    assert root.tag == "oembed"
    assert {child.tag: child.text for child in root} == {k: str(v) for k, v in data.items()}


def test_the_oembed_answer_describes_the_article_as_a_rich_card(client, story):
    response = client.get("/oembed/", {"url": f"http://testserver{story.url}"})
    data = json.loads(response.content)

    assert response.status_code == 200
    assert data["version"] == "1.0"
    assert data["type"] == "rich"
    assert data["title"] == "Harbour reopens"
    assert data["author_name"] == "Ada Lane and Bo Chen"
    assert data["author_url"] == "http://testserver/authors/ada-lane/"
    assert data["provider_name"] == "The Masthead Courier"
    assert data["provider_url"] == "http://testserver/"
    assert (data["width"], data["height"]) == (600, 400)
    card = BeautifulSoup(data["html"], "html.parser")
    assert card.find("a")["href"] == f"http://testserver{story.url}"
    assert card.find("a").get_text() == "Harbour reopens"
    assert card.find("script") is None and card.find("iframe") is None
    assert data["thumbnail_width"] <= 640
    assert client.get(urlsplit(data["thumbnail_url"]).path).status_code == 200


def test_oembed_respects_maxwidth_and_maxheight(client, story):
    response = client.get(
        "/oembed/",
        {"url": f"http://testserver{story.url}", "maxwidth": "300", "maxheight": "150"},
    )
    data = json.loads(response.content)

    assert data["width"] <= 300 and data["height"] <= 150
    assert data["thumbnail_width"] <= 300 and data["thumbnail_height"] <= 150


def test_oembed_escapes_the_headline_in_its_html(client, db):
    page = factories.article('Q&A: "<b>bold</b>" claims', body=[("paragraph", "<p>x</p>")])

    data = json.loads(client.get("/oembed/", {"url": f"http://testserver{page.url}"}).content)

    assert BeautifulSoup(data["html"], "html.parser").find("b") is None
    assert BeautifulSoup(data["html"], "html.parser").find("a").get_text() == data["title"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"url": "http://testserver/local/no-such-story/"}, 404),
        ({"url": "http://elsewhere.example/local/harbour/"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({"url": "http://testserver/local/", "format": "json"}, 404),  # not an article
        ({"url": "http://testserver/local/x/", "format": "yaml"}, 501),
    ],
)
def test_oembed_refuses_what_it_cannot_embed(client, story, params, status):
    assert client.get("/oembed/", params).status_code == status


def test_oembed_does_not_embed_a_draft(client, db):
    draft = factories.article("Draft", live=False, slug="draft-story")

    response = client.get("/oembed/", {"url": f"http://testserver/world/{draft.slug}/"})

    assert response.status_code == 404


def test_a_preview_of_a_draft_tells_search_engines_nothing(client, story):
    admin = get_user_model().objects.create_superuser("boss", "boss@newsroom.example", "pw")
    client.force_login(admin)

    response = client.get(f"/admin/pages/{story.pk}/view_draft/")

    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    assert soup.find("script", type="application/ld+json") is None
    assert soup.find("link", rel="canonical") is None


@pytest.mark.parametrize(
    "params",
    [
        {"url": "http://[::1/local/x/"},
        {"url": "http://testserver/local/\x00/"},
        {"url": "http://testserver/local/x/", "maxwidth": "²"},
        {"url": "http://testserver/local/x/", "maxwidth": "9" * 5000},
        {"url": "http://testserver/local/x/", "maxheight": "-3"},
    ],
)
def test_oembed_answers_odd_input_with_a_4xx_never_a_500(client, story, params):
    assert 400 <= client.get("/oembed/", params).status_code < 500


@pytest.mark.parametrize("number", ["²", "9" * 5000, "-1", "abc"])
def test_an_odd_page_number_does_not_break_the_canonical_url(client, db, number):
    factories.article(in_section=factories.section("Local"))

    canonical = head_of(client, f"/local/?page={number}").find("link", rel="canonical")

    assert canonical["href"] == "http://testserver/local/"
