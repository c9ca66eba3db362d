"""Site search at /search/."""

import pytest
from bs4 import BeautifulSoup

from news.tests import factories


def html_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def found(soup) -> list[str]:
    return [a.get_text() for a in soup.select("main .card-headline a")]


def story(title, text, **kwargs):
    return factories.article(title, body=[("paragraph", f"<p>{text}</p>")], **kwargs)


def test_search_finds_a_live_article_by_a_word_in_its_body(client, db):
    story("Storm closes the harbour", "Gulls circled the lighthouse all night.")
    story("Budget passes", "The council voted 6-3.")

    soup = html_of(client.get("/search/", {"q": "lighthouse"}))

    assert found(soup) == ["Storm closes the harbour"]
    assert soup.select_one("main p").get_text() == "1 result for “lighthouse”."


def test_search_leaves_out_drafts(client, db):
    story("Draft about the lighthouse", "The lighthouse keeper retires.", live=False)

    soup = html_of(client.get("/search/", {"q": "lighthouse"}))

    assert found(soup) == []
    assert soup.select_one("main p").get_text() == "No articles match “lighthouse”."


def test_an_empty_search_shows_the_form_and_no_results(client, db):
    story("Storm closes the harbour", "Gulls circled the lighthouse.")

    for params in ({}, {"q": ""}, {"q": "   "}):
        soup = html_of(client.get("/search/", params))
        form = soup.select_one("main form[role=search]")
        assert (form["action"], form["method"]) == ("/search/", "get")
        assert form.select_one("input[name=q]")["value"] == ""
        assert soup.select("main p") == []


def test_search_results_are_paginated(client, db, settings):
    settings.MASTHEAD_PAGE_SIZE = 2
    for n in range(5):
        story(f"Flood report {n}", "The river flooded again.")

    first = html_of(client.get("/search/", {"q": "flooded"}))
    last = html_of(client.get("/search/", {"q": "flooded", "page": 3}))

    assert len(found(first)) == 2
    assert len(found(last)) == 1
    assert first.select_one("nav.pagination a[rel=next]")["href"] == "?q=flooded&page=2"


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99", "1.5", "", "99999999999999999999"])
def test_a_bad_page_number_in_a_search_is_not_an_error(client, db, page):
    story("Storm closes the harbour", "Gulls circled the lighthouse.")

    soup = html_of(client.get("/search/", {"q": "lighthouse", "page": page}))

    assert found(soup) == ["Storm closes the harbour"]


@pytest.mark.parametrize(
    "query", ['"', 'say "hello', "o'brien", "harb*", "NEAR(", "a OR", "\\", "\x00", "x" * 500]
)
def test_search_syntax_characters_are_not_an_error(client, db, query):
    story("Storm closes the harbour", "Gulls circled the lighthouse.")

    assert client.get("/search/", {"q": query}).status_code == 200
