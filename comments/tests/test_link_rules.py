"""The link limit and the domain and word rules see the links a reader can follow in the
comment as it is shown, however the Markdown spelled them."""

import pytest

from comments import services
from comments.models import ModerationRule
from news.tests import factories as news

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_door(settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.MASTHEAD_COMMENTS_MAX_LINKS = 2
    return settings


def submit(article, body, n=0):
    return services.submit_comment(
        page=article,
        body=body,
        name="Reader",
        email=f"reader{n}@example.com",
        ip_address="192.0.2.1",
    )


def test_links_spelled_without_a_scheme_or_with_entities_count_towards_the_limit(open_door):
    article = news.article()
    body = "[one](//a.example/1) [two](http&#58;//b.example/2) [three](&#104;ttps://c.example/3)"

    comment = submit(article, body)

    assert comment.body_html.count("<a ") == 3
    assert (comment.status, comment.moderation_reasons) == ("pending", ["hold: 3 links"])


def test_a_link_whose_text_is_an_address_counts_once(open_door):
    article = news.article()

    comment = submit(article, "[https://a.example](https://a.example) and https://b.example")

    assert (comment.status, comment.moderation_reasons) == ("approved", [])


@pytest.mark.parametrize(
    "body",
    [
        "[cheap](//pills.example/buy)",
        "[cheap](http&#58;//www.pills.example/buy)",
        "[cheap](&#x68;ttps://PILLS.example./buy)",
        "[write](mailto:sales@pills.example)",
    ],
)
def test_a_listed_domain_is_found_however_the_link_is_spelled(open_door, body):
    article = news.article()
    ModerationRule.objects.create(kind="domain", value="pills.example", action="spam")

    comment = submit(article, body)

    assert (comment.status, comment.moderation_reasons) == (
        "spam",
        ["spam: domain “pills.example” is listed"],
    )


def test_a_listed_word_is_found_in_where_a_link_leads(open_door):
    article = news.article()
    ModerationRule.objects.create(kind="word", value="casino", action="hold")

    comment = submit(article, "[click](https://example.org/c&#97;sino-bonus)")

    assert (comment.status, comment.moderation_reasons) == (
        "pending",
        ["hold: word “casino” is listed"],
    )
