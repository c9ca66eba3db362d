"""A post sent again after its answer was lost (a dropped connection, a server restarted
between storing the comment and answering) is stored once. The form's script sends a
random key with each comment (`submission`); API clients may send it as Idempotency-Key."""

import re

import pytest
from django.test import Client

from comments.models import Comment
from comments.tests import factories
from news.tests import factories as news

from .test_api import JSON, post_json

pytestmark = pytest.mark.django_db

KEY = "3f2b9c1e8a7d4b6c9e0f1a2b3c4d5e6f"


def test_the_same_post_sent_again_with_its_key_is_stored_once(client):
    article = news.article()

    first = post_json(client, article, submission=KEY)
    # The poster never saw the first answer: a new connection, no cookie from it.
    again = post_json(Client(), article, submission=KEY)

    assert first.status_code == again.status_code == 201
    assert again.json()["comment"]["id"] == first.json()["comment"]["id"]
    assert Comment.objects.filter(page=article).count() == 1


def test_an_api_client_sends_the_key_as_idempotency_key(client):
    article = news.article()
    data = factories.form_fields(
        client, article, body="Once only.", name="Api Reader", email="api@example.com"
    )

    answers = [
        client.post("/comments/post/", data, headers={"Accept": JSON, "Idempotency-Key": KEY})
        for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [201, 201]
    assert len({a.json()["comment"]["id"] for a in answers}) == 1


def test_a_form_post_sent_again_lands_on_the_same_comment(client):
    article = news.article()
    data = factories.form_fields(
        client, article, body="No script here.", name="Jane", email="jane@example.com"
    )
    data["submission"] = KEY

    first = client.post("/comments/post/", data)
    again = Client().post("/comments/post/", data)

    assert first.status_code == again.status_code == 303
    assert first["Location"].split("#")[1] == again["Location"].split("#")[1]
    assert Comment.objects.filter(page=article).count() == 1


def test_a_key_sent_with_another_text_or_address_does_not_answer_for_the_first(client):
    article = news.article()

    first = post_json(client, article, submission=KEY, body="The first text.")
    other_text = post_json(Client(), article, submission=KEY, body="Another text.")
    other_author = post_json(
        Client(), article, submission=KEY, body="The first text.", email="someone@example.org"
    )

    ids = {r.json()["comment"]["id"] for r in (first, other_text, other_author)}
    assert len(ids) == 3
    assert Comment.objects.filter(page=article).count() == 3


def test_a_malformed_key_is_refused_and_stores_nothing(client):
    article = news.article()

    response = post_json(client, article, submission="<not a key>")

    assert response.status_code == 400
    assert "submission" in response.json()["error"]["fields"]
    assert not Comment.objects.filter(page=article).exists()


def test_the_form_script_sends_a_key_and_a_new_one_for_the_next_comment(live_server, browser):
    article = news.article("Resent story")
    page = browser.new_page()
    sent = []
    page.on(
        "request",
        lambda r: sent.append(r.post_data) if r.url.endswith("/comments/post/") else None,
    )
    try:
        page.goto(live_server.url + article.url)
        for text in ("First from the browser.", "Second from the browser."):
            page.fill("#id_body", text)
            page.fill("#id_name", "Browser Reader")
            page.fill("#id_email", "browser@example.com")
            page.click("#commentform [type=submit]")
            page.wait_for_selector(f"text={text}")
    finally:
        page.close()

    keys = [re.search(r'name="submission"\r\n\r\n([0-9a-f]+)', body).group(1) for body in sent]
    assert len(keys) == 2 and all(k and len(k) == 32 for k in keys) and keys[0] != keys[1]
