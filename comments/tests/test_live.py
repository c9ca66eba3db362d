"""The live state a page's script polls: counts, likes, and the comments that became
public after the page was rendered."""

import time

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from comments import services
from comments.models import Comment
from comments.tests import factories
from news.tests import factories as news

pytestmark = pytest.mark.django_db


def state(page, since=None, **headers):
    query = f"?since={since}" if since is not None else ""
    return Client().get(f"/comments/live/{page.pk}/{query}", **headers)


def rendered_at(page) -> int:
    section = BeautifulSoup(Client().get(page.url).content, "html.parser").find(id="comments")
    return int(section["data-rendered"])


def test_the_state_gives_the_count_and_each_liked_comments_likes(settings):
    article = news.article()
    liked = factories.comment(article)
    factories.comment(article)
    services.like_comment(comment_id=liked.pk, reader_key="a" * 32, ip_address="192.0.2.1")

    response = state(article)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "count_text": "2 Comments",
        "likes": {str(liked.pk): 1},
        "new": [],
        "poll": 15,
    }
    assert response["Cache-Control"] == "public, max-age=10"


def test_a_reader_holding_the_current_state_gets_304():
    article = news.article()
    factories.comment(article)
    etag = state(article)["ETag"]
    again = state(article, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""


def test_likes_reach_the_state_within_its_max_age(settings):
    settings.MASTHEAD_COMMENTS_LIVE_MAX_AGE = 1
    article = news.article()
    comment = factories.comment(article)
    assert state(article).json()["likes"] == {}

    services.like_comment(comment_id=comment.pk, reader_key="b" * 32, ip_address="192.0.2.1")
    lagging = state(article).json()["likes"]
    time.sleep(1.1)

    assert lagging == {}
    assert state(article).json()["likes"] == {str(comment.pk): 1}


def test_a_comment_approved_after_the_render_is_announced_at_once(
    django_capture_on_commit_callbacks,
):
    article = news.article()
    factories.comment(article)
    held = factories.comment(article, status="pending")
    since = rendered_at(article)
    assert state(article, since).json()["new"] == []

    with django_capture_on_commit_callbacks(execute=True):
        services.moderate_comments(comment_ids=[held.pk], action="approve")
    now = state(article, since).json()

    assert now["new"] == [[held.pk, None]]
    assert now["count"] == 2
    assert state(article, int(time.time() * 1000) + 1000).json()["new"] == []


def test_a_reply_posted_after_the_render_is_announced_with_its_parent(
    django_capture_on_commit_callbacks,
):
    article = news.article()
    parent = factories.comment(article)
    since = rendered_at(article)
    time.sleep(0.01)
    with django_capture_on_commit_callbacks(execute=True):
        reply = factories.reply(parent)
    assert state(article, since).json()["new"] == [[reply.pk, parent.pk]]


def test_held_and_spam_comments_are_never_announced(django_capture_on_commit_callbacks):
    article = news.article()
    since = rendered_at(article)
    with django_capture_on_commit_callbacks(execute=True):
        factories.comment(article, status="pending")
        factories.comment(article, status="spam")
    assert state(article, since).json()["new"] == []


@pytest.mark.parametrize("since", ["yesterday", "²", "1" * 16])
def test_a_bad_moment_is_refused(since):
    article = news.article()
    response = state(article, since)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"since": ["Give a time in milliseconds."]}


def test_with_live_updates_off_the_page_does_not_poll(settings):
    settings.MASTHEAD_COMMENTS_LIVE = False
    article = news.article()
    factories.comment(article)
    section = BeautifulSoup(Client().get(article.url).content, "html.parser").find(id="comments")
    assert section["data-live"] == "0"
    assert state(article, 1).status_code == 404
    assert state(article).json()["poll"] == 0


def test_the_new_comments_come_as_html_and_only_public_ones():
    article = news.article()
    public = factories.comment(article, body="Out in the open.")
    held = factories.comment(article, status="pending", body="Not yet.")

    response = Client().get(f"/comments/live/{article.pk}/comments/?ids={public.pk},{held.pk}")

    data = response.json()
    assert [c["id"] for c in data["comments"]] == [public.pk]
    html = BeautifulSoup(data["comments"][0]["html"], "html.parser")
    assert html.select_one(f"li#comment-{public.pk} .comment-text").get_text() == (
        "Out in the open."
    )
    assert "@example" not in data["comments"][0]["html"]


@pytest.mark.parametrize("ids", ["", "1,x", "1,²", ",".join(["1"] * 101)])
def test_new_comments_asked_for_badly_are_refused(ids):
    article = news.article()
    response = Client().get(f"/comments/live/{article.pk}/comments/?ids={ids}")
    assert response.status_code == 400


def test_the_state_of_a_page_without_comments_is_empty():
    article = news.article()
    assert state(article).json()["count"] == 0
    assert Comment.objects.count() == 0
