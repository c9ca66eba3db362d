"""The addresses pages are kept under: one entry for each page however it is asked for,
and a cap on the entries a page can have."""

import pytest
from django.test import Client

from comments.tests import factories as comment_factories
from news.tests import factories
from pagecache import keys
from pagecache.tests.server import wsgi

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.MASTHEAD_PAGE_CACHE = True
    settings.MASTHEAD_COMMENTS_PER_PAGE = 1
    return settings


def article_with_two_comment_pages():
    article = factories.article("Harbour bridge reopens")
    for _ in range(2):
        comment_factories.comment(article)
    return article


def x_cache(response) -> str | None:
    return response.get("X-Cache")


def test_stored_pages_tell_a_cdn_in_front_that_they_vary_by_cookie():
    article = factories.article()

    first, second = Client().get(article.url), Client().get(article.url)
    status, headers, _ = wsgi(article.url, if_none_match=second["ETag"])

    assert (x_cache(first), x_cache(second), status) == ("MISS", "HIT", "304 Not Modified")
    assert first["Vary"] == second["Vary"] == headers["Vary"] == "Cookie, Accept-Encoding"


def test_every_spelling_of_a_comment_page_is_answered_from_one_entry():
    article = article_with_two_comment_pages()
    page_two = Client().get(article.url, {"cpage": "2"})
    page_one = Client().get(article.url)

    same_as_two = [
        Client().get(f"{article.url}?{query}")
        for query in ("cpage=02", "cpage=%32", "cpage=1&cpage=2", "cpage=+2")
    ]
    same_as_one = [
        Client().get(f"{article.url}?{query}") for query in ("cpage=1", "cpage=", "cpage=x")
    ]

    assert (x_cache(page_two), x_cache(page_one)) == ("MISS", "MISS")
    assert [(x_cache(r), r["ETag"]) for r in same_as_two] == [("HIT", page_two["ETag"])] * 4
    assert [(x_cache(r), r["ETag"]) for r in same_as_one] == [("HIT", page_one["ETag"])] * 3
    assert page_one["ETag"] != page_two["ETag"]


def test_a_page_asked_for_in_other_words_is_rendered_but_never_kept_for_others():
    article = factories.article()

    odd = [wsgi(article.url, host=host) for host in ("TestServer:80", "testserver:80")]
    status, headers, body = wsgi(article.url)

    assert [(s, "X-Cache" in h) for s, h, _ in odd] == [("200 OK", False)] * 2
    assert b"http://TestServer:80/" in odd[0][2]
    # The page kept for everyone was rendered for its own address.
    assert (status, headers["X-Cache"]) == ("200 OK", "MISS")
    assert b"http://testserver/" in body and b"TestServer" not in body
    assert wsgi(article.url, host="TESTSERVER")[1]["X-Cache"] == "HIT"


def test_a_port_the_server_does_not_listen_on_makes_no_entry():
    article = factories.article()

    answers = [wsgi(article.url, host=f"testserver:{port}") for port in (8081, 8081, 8082)]

    assert [(status, headers.get("X-Cache")) for status, headers, _ in answers] == [
        ("200 OK", None)
    ] * 3
    # The port the server does listen on is an address of its own.
    assert wsgi(article.url, host="testserver:8000", server_port="8000")[1]["X-Cache"] == "MISS"


def test_a_page_keeps_at_most_the_capped_number_of_addresses(
    page_cache, django_capture_on_commit_callbacks
):
    page_cache.MASTHEAD_PAGE_CACHE_VARIANTS = 3
    article = article_with_two_comment_pages()
    # Past the last page of comments, every number renders the last page.
    addresses = [article.url] + [f"{article.url}?cpage={n}" for n in (5, 6, 7, 8)]

    for url in addresses:
        Client().get(url)
    again = [x_cache(Client().get(url)) for url in addresses]
    with django_capture_on_commit_callbacks(execute=True):
        comment_factories.comment(article)  # a new version of the page: the count starts again
    Client().get(addresses[-1])

    assert again == ["HIT", "HIT", "HIT", None, None]
    assert x_cache(Client().get(addresses[-1])) == "HIT"


def environ(query="", host="testserver", port="80"):
    return {
        "QUERY_STRING": query,
        "HTTP_HOST": host,
        "SERVER_PORT": port,
        "PATH_INFO": "/news/story/",
        "wsgi.url_scheme": "http",
    }


@pytest.mark.parametrize(
    ("query", "kept_at"),
    [
        ("", ("http://testserver/news/story/?", True)),
        ("page=3&cpage=2", ("http://testserver/news/story/?cpage=2&page=3", False)),
        ("cpage=2&page=3", ("http://testserver/news/story/?cpage=2&page=3", True)),
        ("page=1", ("http://testserver/news/story/?", False)),
        ("page=٣", ("http://testserver/news/story/?page=3", False)),
        ("page=0", None),  # the last page of the listing: only the render knows which
        ("page=2&utm_source=x", None),
        ("sort=newest&cpage=02", ("http://testserver/news/story/?cpage=2&sort=newest", False)),
        ("sort=oldest", ("http://testserver/news/story/?", False)),  # the default order
        ("sort=random", ("http://testserver/news/story/?", False)),  # read as the default
    ],
)
def test_addresses_are_put_in_canonical_form(query, kept_at):
    assert keys.address(environ(query)) == (kept_at and keys.Address(*kept_at))


def test_another_parameter_is_cached_once_it_is_allow_listed_with_its_canonical_form(
    monkeypatch,
):
    assert keys.address(environ("tab=photos")) is None

    monkeypatch.setitem(keys.QUERY_PARAMETERS, "tab", lambda value: value or None)

    assert keys.address(environ("tab=photos&cpage=02")) == keys.Address(
        "http://testserver/news/story/?cpage=2&tab=photos", False
    )
