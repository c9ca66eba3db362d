"""Moderators see each comment's likes and reports, and can put the most liked first."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group

from comments import services
from comments.tests import factories
from news.tests import factories as news

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/"


@pytest.fixture
def moderator(client):
    user = factories.staff_user("moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    return user


def rows(response) -> list[tuple[str, str, str]]:
    """(comment text, likes, reports) of each row of the queue."""
    page = BeautifulSoup(response.content, "html.parser")
    return [
        (
            tr.select_one(".comment-text").get_text(strip=True),
            tr.select_one("td.comment-likes").get_text(strip=True),
            tr.select_one("td.comment-reports").get_text(strip=True),
        )
        for tr in page.select("table.comments-listing tbody tr")
    ]


@pytest.fixture
def liked_thread():
    article = news.article("Harbour plan")
    quiet = factories.comment(article, body="Quiet one.")
    loved = factories.comment(article, body="Loved one.")
    middling = factories.comment(article, body="Middling one.")
    for n, comment in enumerate([loved, loved, loved, middling]):
        services.like_comment(
            comment_id=comment.pk, reader_key=f"{n:032d}", ip_address=f"198.51.{n}.1"
        )
    services.report_comment(comment_id=quiet.pk, reason="spam", reporter_key="r1")
    return quiet, loved, middling


def test_the_queue_shows_likes_and_reports_and_sorts_by_most_liked(client, moderator, liked_thread):
    newest = client.get(QUEUE + "?status=approved")
    most_liked = client.get(QUEUE + "?status=approved&order=likes")

    assert [(likes, reports) for _, likes, reports in rows(newest)] == [
        ("1", "0"),
        ("3", "0"),
        ("0", "1"),
    ]
    assert [(text, likes) for text, likes, _ in rows(most_liked)] == [
        ("Loved one.", "3"),
        ("Middling one.", "1"),
        ("Quiet one.", "0"),
    ]
    header = BeautifulSoup(most_liked.content, "html.parser").select_one("th[aria-sort]")
    assert header.get_text(strip=True) == "Likes"
    assert header.a["href"] == "?status=approved&order=likes"


def test_an_unknown_order_lists_newest_first(client, moderator, liked_thread):
    response = client.get(QUEUE + "?status=approved&order=nonsense")
    assert response.status_code == 200
    assert [likes for _, likes, _ in rows(response)] == ["1", "3", "0"]
