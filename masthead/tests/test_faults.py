"""What readers get when a part of the site goes away: the database (a post is refused with
503 and Retry-After and the reader's text comes back in the form; cached pages are still
served) and Redis (pages render uncached, posts go on). Each comes back without a restart.

The database is made unreachable for real: the connection is pointed at a port nothing
listens on (PostgreSQL) or a folder that does not exist (SQLite), as a stopped server or a
lost disk would. bench/faults.py stops a PostgreSQL server of its own mid-load."""

import contextlib
import shutil
import socket
import subprocess
import time

import pytest
from bs4 import BeautifulSoup
from django.db import connections
from django.test import Client

from comments.models import Comment
from comments.tests import factories
from news.tests import factories as news

JSON = "application/json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def database_away(tmp_path):
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "gone" / "db.sqlite3")
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def cached_site(settings, transactional_db, tmp_path):
    settings.MASTHEAD_PAGE_CACHE = True
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    return news.article("Storm closes the harbour")


def comment_fields(client, article, body):
    return factories.form_fields(
        client, article, body=body, name="Jane Reader", email="jane@example.com"
    )


def test_with_the_database_away_a_post_is_a_503_and_the_text_comes_back_in_the_form(
    cached_site, tmp_path
):
    client = Client(raise_request_exception=False)
    fields = comment_fields(client, cached_site, "The pier was closed at noon.")
    with database_away(tmp_path):
        response = client.post("/comments/post/", fields)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    page = BeautifulSoup(response.content, "html.parser")
    assert "was not posted" in page.find(role="alert").get_text()
    form = page.find(id="commentform")
    assert form.find("textarea", attrs={"name": "body"}).get_text() == fields["body"]
    assert form.find("input", attrs={"name": "name"})["value"] == "Jane Reader"
    assert form.find("input", attrs={"name": "email"})["value"] == "jane@example.com"
    assert form.find("input", attrs={"name": "page"})["value"] == str(cached_site.pk)
    assert not Comment.objects.exists()

    # Sending the form as it came back posts the comment once the database is back.
    again = {
        tag["name"]: tag.get("value", "") if tag.name == "input" else tag.get_text()
        for tag in form.find_all(["input", "textarea"])
    }
    assert client.post("/comments/post/", again).status_code == 303
    assert list(Comment.objects.values_list("body", flat=True)) == [fields["body"]]


def test_with_the_database_away_the_api_answers_503_in_its_error_shape(cached_site, tmp_path):
    client = Client(raise_request_exception=False)
    fields = comment_fields(client, cached_site, "Sent by the script.")
    with database_away(tmp_path):
        response = client.post("/comments/post/", fields, headers={"Accept": JSON})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "unavailable"
    assert client.post("/comments/post/", fields, headers={"Accept": JSON}).status_code == 201


def test_with_the_database_away_cached_pages_are_served_and_others_answer_503(
    cached_site, tmp_path
):
    other = news.article("Ferries resume")
    reader = Client(raise_request_exception=False)
    assert reader.get(cached_site.url)["X-Cache"] == "MISS"

    with database_away(tmp_path):
        kept = reader.get(cached_site.url)
        uncached = reader.get(other.url)

    assert kept.status_code == 200
    assert b"Storm closes the harbour" in kept.content
    assert uncached.status_code == 503
    assert uncached["Retry-After"] == "30"
    assert b"Back in a moment" in uncached.content
    # Back without a restart.
    assert reader.get(other.url).status_code == 200


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt install redis-server)")
    port = free_port()

    class Server:
        process = None

        def start(self):
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp_path),
                ],
                stdout=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    return
                time.sleep(0.05)
            raise RuntimeError("redis-server did not start")

        def stop(self):
            self.process.kill()
            self.process.wait()

    server = Server()
    server.url = f"redis://127.0.0.1:{port}/0"
    server.start()
    yield server
    server.stop()


def test_with_redis_away_pages_render_uncached_posts_go_on_and_it_comes_back(
    settings, transactional_db, redis_server
):
    settings.MASTHEAD_PAGE_CACHE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "masthead.cache.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"timeout": 0.5},
        }
    }
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    article = news.article("Storm closes the harbour")
    reader = Client(raise_request_exception=False)
    assert reader.get(article.url)["X-Cache"] == "MISS"
    assert reader.get(article.url)["X-Cache"] == "HIT"

    redis_server.stop()
    page = reader.get(article.url)
    assert page.status_code == 200
    assert b"Storm closes the harbour" in page.content
    poster = Client()
    posted = poster.post(
        "/comments/post/", comment_fields(poster, article, "Posted while Redis was away.")
    )
    assert posted.status_code == 303
    assert Comment.objects.get().body == "Posted while Redis was away."
    assert b"Posted while Redis was away." in Client().get(article.url).content

    redis_server.start()
    # The cache fills again as readers come (an empty cache's first render sets its
    # versions, the next is stored), with no restart.
    seen = [Client().get(article.url) for _ in range(3)]
    assert all(b"Posted while Redis was away." in r.content for r in seen)
    assert seen[-1]["X-Cache"] == "HIT"


def test_with_the_database_away_a_page_changed_since_it_was_stored_is_served_stale(
    cached_site, tmp_path
):
    reader = Client(raise_request_exception=False)
    assert reader.get(cached_site.url)["X-Cache"] == "MISS"
    poster = Client()
    fields = comment_fields(poster, cached_site, "Posted after the page was stored.")
    assert poster.post("/comments/post/", fields).status_code == 303

    with database_away(tmp_path):
        kept = reader.get(cached_site.url)

    assert kept.status_code == 200
    assert kept["X-Cache"] == "STALE"
    assert kept["Cache-Control"] == "no-store"
    assert b"Storm closes the harbour" in kept.content
    # Back: the current page, with the comment.
    current = reader.get(cached_site.url)
    assert b"Posted after the page was stored." in current.content
