"""Long branches fold behind "Show N more replies", a page of their own without
JavaScript; permalinks find folded comments; a link leads to the newest comment."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment
from comments.tests import factories
from news.tests import factories as news

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def branch(settings):
    """A top-level comment with six replies (the third a reply to the second), three of
    which the article page shows."""
    settings.MASTHEAD_COMMENTS_REPLIES_SHOWN = 3
    article = news.article("Bridge closure")
    start = timezone.now() - dt.timedelta(hours=2)
    root = factories.comment(article, name="Root", created_at=start)
    replies = []
    for n in range(6):
        parent = replies[1] if n == 2 else root
        replies.append(
            factories.comment(
                article,
                parent=parent,
                name=f"Reply {n}",
                created_at=start + dt.timedelta(minutes=n + 1),
            )
        )
    return article, root, replies


def shown_ids(response) -> set[int]:
    return {int(li["id"].removeprefix("comment-")) for li in soup(response).select("li.comment")}


def test_beyond_the_first_replies_a_branch_folds_behind_a_link(branch):
    article, root, replies = branch

    response = Client().get(article.url)

    # Path order: Reply 0, Reply 1, Reply 2 (under Reply 1), then Reply 3, 4, 5.
    assert shown_ids(response) == {root.pk, replies[0].pk, replies[1].pk, replies[2].pk}
    more = soup(response).select_one(f"#comment-{root.pk} > ol.children > li.comment-more a")
    assert more.get_text() == "Show 3 more replies"
    assert more["href"] == f"/comments/{root.pk}/replies/#comment-{replies[3].pk}"


def test_the_branch_page_shows_every_reply_nested_and_links_back(branch):
    article, root, replies = branch

    response = Client().get(f"/comments/{root.pk}/replies/")

    assert response.status_code == 200
    assert shown_ids(response) == {root.pk, *(r.pk for r in replies)}
    nested = soup(response).select_one(f"#comment-{replies[1].pk} > ol.children > li")
    assert nested["id"] == f"comment-{replies[2].pk}"
    assert soup(response).find("a", string="Back to the article’s comments")["href"] == (
        f"{article.url}#comment-{root.pk}"
    )
    assert soup(response).select_one(".comment-more") is None
    assert response["Cache-Control"] == "public, max-age=10"


def test_the_branch_page_of_a_reply_leads_to_its_top_level_comments_branch(branch):
    _, root, replies = branch
    response = Client().get(f"/comments/{replies[2].pk}/replies/")
    assert response.status_code == 303
    assert response["Location"] == f"/comments/{root.pk}/replies/#comment-{replies[2].pk}"


def test_the_branch_page_of_a_held_comment_is_not_found():
    held = factories.comment(status="pending")
    assert Client().get(f"/comments/{held.pk}/replies/").status_code == 404


def test_a_permalink_to_a_folded_reply_lands_on_its_branch_page(branch):
    article, root, replies = branch
    folded = Client().get(f"/comments/{replies[4].pk}/")
    shown = Client().get(f"/comments/{replies[1].pk}/")
    assert folded.status_code == 303
    assert folded["Location"] == f"/comments/{root.pk}/replies/#comment-{replies[4].pk}"
    assert shown["Location"] == f"{article.url}#comment-{replies[1].pk}"


def test_a_reply_posted_without_javascript_into_a_folded_place_lands_on_the_branch_page(
    branch, settings
):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    article, root, _ = branch
    reader = Client()
    data = factories.form_fields(
        reader,
        article,
        body="Late to this one.",
        name="Late Reader",
        email="late@example.com",
        parent=str(root.pk),
    )
    response = reader.post("/comments/post/", data)
    new = Comment.objects.get(name="Late Reader")
    assert response.status_code == 303
    assert response["Location"] == f"/comments/{root.pk}/replies/#comment-{new.pk}"


def test_with_folding_off_every_reply_is_on_the_article_page(branch, settings):
    settings.MASTHEAD_COMMENTS_REPLIES_SHOWN = 0
    article, root, replies = branch
    assert shown_ids(Client().get(article.url)) == {root.pk, *(r.pk for r in replies)}


def test_a_link_jumps_to_the_newest_comment(branch):
    article, root, replies = branch
    page = soup(Client().get(article.url))
    link = page.select_one("a.comment-newest-link")
    assert link.get_text() == "Jump to the newest comment"

    response = Client().get(link["href"])

    assert response.status_code == 303
    assert response["Location"] == f"/comments/{root.pk}/replies/#comment-{replies[5].pk}"


def test_the_newest_link_of_a_page_without_comments_goes_to_its_thread():
    article = news.article()
    response = Client().get(f"/comments/newest/{article.pk}/")
    assert response["Location"] == f"{article.url}#comments"
    assert Client().get("/comments/newest/999999/").status_code == 404


def test_the_article_page_costs_the_same_queries_with_short_or_folded_branches(settings):
    settings.MASTHEAD_COMMENTS_REPLIES_SHOWN = 3
    short = news.article("Short")
    factories.long_thread(short, 10)
    long = news.article("Long")
    factories.long_thread(long, 500)
    Client().get(short.url)
    Client().get(long.url)
    with CaptureQueriesContext(connection) as few:
        Client().get(short.url)
    with CaptureQueriesContext(connection) as many:
        Client().get(long.url + "?sort=best")
    with CaptureQueriesContext(connection) as newest:
        Client().get(long.url + "?sort=newest")
    assert len(few) == len(many) == len(newest)
