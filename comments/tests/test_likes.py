"""Readers liking comments: without JavaScript (a form button) and with it (JSON), one like
per reader, limits per address range, and a page cache that a like leaves alone."""

import json

import pytest
from bs4 import BeautifulSoup
from django.core import signing
from django.test import Client

from comments.models import Comment, Like
from comments.readers import PENDING_COOKIE, PENDING_SALT, READER_KEY_COOKIE
from comments.tests import factories
from news.tests import factories as news

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def like(client, comment, *, address="198.51.100.7", as_json=False, **data):
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    return client.post(f"/comments/{comment.pk}/like/", data, REMOTE_ADDR=address, **headers)


def like_count(client, comment) -> str:
    page = client.get(comment.page.url)
    return soup(page).select_one(f"#comment-{comment.pk} .like-count").get_text()


def test_without_javascript_a_like_goes_back_to_the_comment_and_is_counted():
    comment = factories.comment(name="Sam Rider")
    reader = Client()

    page = soup(reader.get(comment.page.url))
    form = page.select_one(f"#comment-{comment.pk} form.comment-like")
    assert form["action"] == f"/comments/{comment.pk}/like/"
    assert form["method"] == "post"
    button = form.select_one("button.like-button")
    assert button.get_text() == "Like Comment by Sam Rider"
    response = like(reader, comment)

    assert response.status_code == 303
    assert response["Location"] == f"{comment.page.url}#comment-{comment.pk}"
    assert like_count(reader, comment) == "1 like"
    assert Comment.objects.get(pk=comment.pk).likes == 1


def test_a_second_like_from_the_same_reader_is_refused_and_not_counted():
    comment = factories.comment()
    reader = Client()
    assert like(reader, comment).status_code == 303

    again = like(reader, comment)

    assert again.status_code == 409
    assert soup(again).select_one(".like-message").get_text() == (
        "You have already liked this comment."
    )
    assert soup(again).find("a", string="Back to the comment")["href"] == (
        f"{comment.page.url}#comment-{comment.pk}"
    )
    assert like_count(reader, comment) == "1 like"
    assert Like.objects.count() == 1


def test_with_javascript_a_like_answers_the_new_count_and_a_second_is_refused():
    comment = factories.comment()
    reader = Client()

    first = like(reader, comment, as_json=True)
    second = like(reader, comment, as_json=True)

    assert first.status_code == 201
    assert first.json() == {"comment": comment.pk, "likes": 1, "dislikes": 0, "value": 1}
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_liked"
    assert Comment.objects.get(pk=comment.pk).likes == 1


def test_two_readers_each_like_once():
    comment = factories.comment()
    like(Client(), comment, address="198.51.100.7")
    like(Client(), comment, address="203.0.113.9")
    assert like_count(Client(), comment) == "2 likes"


@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_a_comment_that_is_not_public_cannot_be_liked(status):
    comment = factories.comment(status=status)

    plain = like(Client(), comment)
    scripted = like(Client(), comment, as_json=True)

    assert plain.status_code == 404
    assert scripted.status_code == 404
    assert scripted.json()["error"]["message"] == "That comment cannot be liked."
    assert Like.objects.count() == 0
    assert Comment.objects.get(pk=comment.pk).likes == 0


def test_a_comment_its_author_deleted_cannot_be_liked_and_shows_no_like_button(client):
    comment = factories.comment()
    factories.reply(comment)
    factories.claim(client, comment)
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 303

    response = like(Client(), comment, as_json=True)

    assert response.status_code == 404
    page = soup(Client().get(comment.page.url))
    assert page.select_one(f"#comment-{comment.pk} > article .comment-like") is None
    assert Like.objects.count() == 0


def test_a_held_comment_shown_to_its_author_has_no_like_button(client):
    article = news.article()
    comment = factories.comment(article, status="pending")
    factories.claim(client, comment)
    client.cookies[PENDING_COOKIE] = signing.get_cookie_signer(
        salt=PENDING_COOKIE + PENDING_SALT
    ).sign(str(article.pk))
    page = soup(client.get(article.url))
    assert page.select_one(f"#comment-{comment.pk} .comment-awaiting") is not None
    assert page.select_one(f"#comment-{comment.pk} .comment-like") is None


def test_the_liker_is_never_shown():
    comment = factories.comment()
    reader = Client()
    response = like(reader, comment, address="198.51.100.77", as_json=True)
    key = reader.cookies[READER_KEY_COOKIE].value

    stored = Like.objects.get()
    assert "198.51.100" not in stored.network and len(stored.network) == 64
    assert key.split(":")[0] not in stored.reader and len(stored.reader) == 64
    for body in (response.content, Client().get(comment.page.url).content):
        assert b"198.51.100" not in body
        assert key.split(":")[0].encode() not in body


def test_readers_of_one_address_range_are_capped_on_one_comment(settings):
    settings.MASTHEAD_COMMENTS_LIKES_PER_NETWORK = 2
    comment = factories.comment()
    # New browsers (no cookie), all in 198.51.100.0/24.
    statuses = [like(Client(), comment, address=f"198.51.100.{n}").status_code for n in (1, 2, 3)]
    other_range = like(Client(), comment, address="198.51.101.1")

    assert statuses == [303, 303, 409]
    assert other_range.status_code == 303
    assert Comment.objects.get(pk=comment.pk).likes == 3


def test_ipv6_readers_of_one_slash_64_count_as_one_range(settings):
    settings.MASTHEAD_COMMENTS_LIKES_PER_NETWORK = 1
    comment = factories.comment()
    assert like(Client(), comment, address="2001:db8:1:2::1").status_code == 303
    assert like(Client(), comment, address="2001:db8:1:2:ffff::9").status_code == 409
    assert like(Client(), comment, address="2001:db8:1:3::1").status_code == 303


def test_an_address_range_over_the_like_rate_is_told_when_to_try_again(settings):
    settings.MASTHEAD_COMMENTS_LIKE_RATE = "2/600"
    article = news.article()
    comments = [factories.comment(article) for _ in range(3)]
    reader = Client()

    statuses = [like(reader, c, as_json=True).status_code for c in comments[:2]]
    refused = like(reader, comments[2], as_json=True)

    assert statuses == [201, 201]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 590 <= int(refused["Retry-After"]) <= 600
    assert Comment.objects.get(pk=comments[2].pk).likes == 0


def test_dislikes_are_off_by_default():
    comment = factories.comment()
    page = soup(Client().get(comment.page.url))
    assert page.select_one(".dislike-button") is None

    response = like(Client(), comment, as_json=True, value="-1")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"value": ["Choose like or dislike."]}
    assert Like.objects.count() == 0


def test_with_dislikes_on_a_dislike_is_counted_apart_from_likes(settings):
    settings.MASTHEAD_COMMENTS_DISLIKES = True
    comment = factories.comment()
    assert like(Client(), comment, value="-1").status_code == 303
    assert like(Client(), comment, address="203.0.113.1").status_code == 303

    page = soup(Client().get(comment.page.url))
    assert page.select_one(f"#comment-{comment.pk} .like-count").get_text() == "1 like"
    assert page.select_one(f"#comment-{comment.pk} .dislike-count").get_text() == "1 dislike"


@pytest.mark.parametrize("value", ["2", "abc", ""])
def test_a_like_with_a_bad_value_is_refused_and_changes_nothing(value):
    comment = factories.comment()
    response = like(Client(), comment, as_json=True, value=value)
    assert response.status_code == 400
    assert Like.objects.count() == 0


def test_a_like_of_a_comment_that_does_not_exist_is_not_found():
    response = Client().post("/comments/999999/like/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert Client().post("/comments/999999/like/").status_code == 404


def test_a_like_is_a_post():
    comment = factories.comment()
    assert Client().get(f"/comments/{comment.pk}/like/").status_code == 405


def test_a_like_sent_from_another_site_is_refused():
    comment = factories.comment()
    response = Client().post(
        f"/comments/{comment.pk}/like/",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 403
    assert Like.objects.count() == 0


def test_a_like_sent_as_json_is_read():
    comment = factories.comment()
    response = Client().post(
        f"/comments/{comment.pk}/like/",
        json.dumps({"value": 1}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201


def test_a_like_leaves_the_cached_page_and_its_etag_unchanged(
    settings, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_PAGE_CACHE = True
    comment = factories.comment()
    url = comment.page.url
    first = Client().get(url)
    assert Client().get(url)["X-Cache"] == "HIT"

    with django_capture_on_commit_callbacks(execute=True):
        assert like(Client(), comment, as_json=True).status_code == 201
    after = Client().get(url)

    assert after["X-Cache"] == "HIT"
    assert after["ETag"] == first["ETag"]
    assert Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
