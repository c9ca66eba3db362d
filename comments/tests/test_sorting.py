"""Reading a thread oldest first (the default), newest first or best first."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from comments.ranking import best_score
from comments.tests import factories
from news.tests import factories as news

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def top_level_names(response) -> list[str]:
    return [
        li.select_one(":scope > article .comment-author").get_text()
        for li in soup(response).select(".comment-list > li.comment")
    ]


@pytest.fixture
def discussion():
    """Four comments, an hour apart or more, with likes fixed: the data set the orders are
    checked on."""
    article = news.article("Harbour plan approved")
    now = timezone.now()
    rows = [("Ada", 10, 20), ("Ben", 5, 10), ("Cy", 1, 4), ("Di", 0.5, 0)]
    made = {}
    for name, hours_ago, likes in rows:
        comment = factories.comment(
            article, name=name, created_at=now - dt.timedelta(hours=hours_ago)
        )
        Comment.objects.filter(pk=comment.pk).update(likes=likes)
        made[name] = comment
    factories.reply(made["Ada"], name="Eve")
    return article, made


def test_oldest_first_is_the_default(discussion):
    article, _ = discussion
    assert top_level_names(Client().get(article.url)) == ["Ada", "Ben", "Cy", "Di"]


def test_newest_first_lists_the_latest_top_level_comment_first_with_replies_under_it(discussion):
    article, made = discussion
    response = Client().get(article.url + "?sort=newest")
    assert top_level_names(response) == ["Di", "Cy", "Ben", "Ada"]
    reply = soup(response).select_one(f"#comment-{made['Ada'].pk} > ol.children .comment-author")
    assert reply.get_text() == "Eve"


def test_best_first_weighs_likes_by_how_long_a_comment_has_been_up(discussion):
    article, _ = discussion
    # Ada 20 likes in 10 h, Ben 10 in 5 h, Cy 4 in 1 h, Di none:
    # 20/12^1.5 = 0.48, 10/7^1.5 = 0.54, 4/3^1.5 = 0.77, 0.
    assert top_level_names(Client().get(article.url + "?sort=best")) == [
        "Cy",
        "Ben",
        "Ada",
        "Di",
    ]


def test_the_best_score_of_a_comment_is_likes_over_its_age_with_gravity():
    now = dt.datetime(2024, 1, 4, 12, 0, tzinfo=dt.UTC)
    assert round(best_score(20, 0, now - dt.timedelta(hours=10), now), 4) == 0.4811
    assert round(best_score(4, 0, now - dt.timedelta(hours=1), now), 4) == 0.7698
    assert best_score(3, 3, now, now) == 0


def test_the_sort_links_mark_the_current_order(discussion):
    article, _ = discussion
    nav = soup(Client().get(article.url + "?sort=best")).select_one("nav.comment-sort")
    links = [(a.get_text(), a["href"], a.get("aria-current")) for a in nav.select("a")]
    assert links == [
        ("Oldest", "?sort=oldest#comments", None),
        ("Newest", "?sort=newest#comments", None),
        ("Best", "?sort=best#comments", "true"),
    ]


def test_an_unknown_order_shows_the_default(discussion):
    article, _ = discussion
    response = Client().get(article.url + "?sort=random")
    assert response.status_code == 200
    assert top_level_names(response) == ["Ada", "Ben", "Cy", "Di"]


def test_the_pages_of_a_sorted_thread_keep_its_order(settings):
    settings.MASTHEAD_COMMENTS_PER_PAGE = 2
    article = news.article()
    start = timezone.now() - dt.timedelta(hours=5)
    for n in range(5):
        factories.comment(article, name=f"R{n}", created_at=start + dt.timedelta(minutes=n))

    first = Client().get(article.url + "?sort=newest")
    last = Client().get(article.url + "?sort=newest&cpage=3")

    assert top_level_names(first) == ["R4", "R3"]
    assert top_level_names(Client().get(article.url + "?sort=newest&cpage=2")) == ["R2", "R1"]
    assert top_level_names(last) == ["R0"]
    next_link = soup(first).select_one(".comment-pagination a")
    assert next_link["href"] == "?cpage=2&sort=newest#comments"


def test_a_sorted_thread_is_cached_as_its_own_variant(settings):
    settings.MASTHEAD_PAGE_CACHE = True
    article = news.article()
    factories.comment(article, name="First")
    factories.comment(article, name="Second")

    plain = Client().get(article.url)
    best_miss = Client().get(article.url + "?sort=newest")
    best_hit = Client().get(article.url + "?sort=newest")

    assert (plain["X-Cache"], best_miss["X-Cache"], best_hit["X-Cache"]) == ("MISS", "MISS", "HIT")
    assert top_level_names(best_hit) == ["Second", "First"]
    assert top_level_names(Client().get(article.url)) == ["First", "Second"]
