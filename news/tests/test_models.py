"""Page models and their named reads: ordering, listings, pagination, topic URLs."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from comments.services import submit_comment
from news.models import ArticleByline, ArticlePage, Topic, paginate
from news.tests import factories


def at(day, hour=12) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, tzinfo=dt.UTC)


def titles(pages) -> list[str]:
    return [page.title for page in pages]


def test_recent_orders_articles_newest_first(db):
    factories.article("Second", published_at=at(2))
    factories.article("Third", published_at=at(3))
    factories.article("First", published_at=at(1))

    assert titles(ArticlePage.objects.recent()) == ["Third", "Second", "First"]


def test_live_articles_leave_out_drafts(db):
    factories.article("Published")
    factories.article("Draft", live=False)

    assert titles(ArticlePage.objects.live()) == ["Published"]


def test_latest_by_section_gives_the_newest_live_articles_of_each_section(db):
    world, business = factories.section("World"), factories.section("Business")
    lead = factories.article("Lead", in_section=world, published_at=at(9))
    for day in range(1, 4):
        factories.article(f"World {day}", in_section=world, published_at=at(day))
    factories.article("Business draft", in_section=business, live=False)

    latest = ArticlePage.objects.latest_by_section([world, business], per_section=2, exclude=lead)

    assert {pk: titles(pages) for pk, pages in latest.items()} == {
        world.pk: ["World 3", "World 2"],
        business.pk: [],
    }


def test_a_listing_carries_each_articles_public_comment_count(db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    quiet = factories.article("Quiet")
    busy = factories.article("Busy")
    for n in range(3):
        submit_comment(page=busy, name=f"Reader {n}", email="r@example.com", body=f"Hello {n}")

    counts = {page.pk: page.public_comment_count for page in ArticlePage.objects.for_listing()}

    assert counts == {quiet.pk: 0, busy.pk: 3}


def test_an_article_knows_its_headline_and_section(db):
    business = factories.section("Business")
    page = factories.article("Mill closes", in_section=business)

    assert (page.headline, page.section) == ("Mill closes", business)


def test_an_author_has_one_byline_per_article(db):
    ada = factories.author("Ada Lane")
    page = factories.article(authors=[ada])

    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleByline.objects.create(article=page, author=ada, sort_order=1)


def test_a_topic_url_is_under_the_topic_index(db):
    factories.topic_index()
    factories.article(topics=["City Council"])

    assert Topic.objects.get().get_absolute_url() == "/topics/city-council/"


def test_a_topic_has_no_url_while_the_site_has_no_topic_index(db):
    factories.article(topics=["City Council"])

    assert Topic.objects.get().get_absolute_url() == ""


@pytest.mark.parametrize(
    ("asked", "given"),
    [("2", 2), ("abc", 1), ("", 1), ("0", 3), ("-4", 3), ("7", 3), ("1e3", 1)],
)
def test_paginate_gives_the_first_page_for_nonsense_and_the_last_for_too_far(
    db, settings, asked, given
):
    settings.MASTHEAD_PAGE_SIZE = 2

    page = paginate(RequestFactory().get("/", {"page": asked}), list(range(5)))

    assert (page.number, list(page.object_list)) == (given, [[0, 1], [2, 3], [4]][given - 1])
