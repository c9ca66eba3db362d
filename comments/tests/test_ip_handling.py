"""Readers' addresses as networks: the limits count an IPv6 reader's whole /64, a proxy's
hop with a port still names the reader, and moderators' IP rules are networks, not text
prefixes."""

import importlib

import pytest
from django.core.exceptions import ValidationError

from comments import services
from comments.models import Comment, ModerationRule
from comments.moderation.checks import form_timestamp
from news.tests import factories as news

pytestmark = pytest.mark.django_db

POST = "/comments/post/"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def one_post_each(settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.MASTHEAD_COMMENTS_RATE_LIMITS = "1/3600"
    return settings


def post(client, article, n, **extra):
    data = {
        "page": article.pk,
        "body": f"Comment number {n} on the story.",
        "name": "Reader",
        "email": f"reader{n}@example.com",
        "ts": form_timestamp(),
    }
    return client.post(POST, data, **JSON, **extra).status_code


def test_an_ipv6_reader_cannot_dodge_the_limit_by_rotating_through_their_64(client, one_post_each):
    article = news.article()

    statuses = [
        post(client, article, 1, REMOTE_ADDR="2001:db8:aa:bb::1"),
        post(client, article, 2, REMOTE_ADDR="2001:db8:aa:bb:ffff:ffff:ffff:fffe"),
        post(client, article, 3, REMOTE_ADDR="2001:db8:aa:bc::1"),
    ]

    assert statuses == [201, 429, 201]
    assert list(Comment.objects.order_by("pk").values_list("ip_network", flat=True)) == [
        "2001:db8:aa:bb::/64",
        "2001:db8:aa:bc::/64",
    ]


def test_an_ipv4_address_in_ipv6_form_is_the_same_reader(client, one_post_each):
    article = news.article()

    statuses = [
        post(client, article, 1, REMOTE_ADDR="192.0.2.7"),
        post(client, article, 2, REMOTE_ADDR="::ffff:192.0.2.7"),
    ]

    assert statuses == [201, 429]
    assert Comment.objects.get().ip_address == "192.0.2.7"


@pytest.mark.parametrize(
    ("first", "second", "stored"),
    [
        ("198.51.100.1:4711", "198.51.100.1:5000", "198.51.100.1"),
        ("[2001:db8::1]:443", "[2001:db8::2]:80", "2001:db8::1"),
    ],
)
def test_a_proxy_hop_written_with_a_port_still_names_the_reader(
    client, one_post_each, first, second, stored
):
    one_post_each.MASTHEAD_BEHIND_PROXY = True
    article = news.article()

    statuses = [
        post(client, article, 1, HTTP_X_FORWARDED_FOR=first),
        post(client, article, 2, HTTP_X_FORWARDED_FOR=second),
    ]

    assert statuses == [201, 429]
    assert Comment.objects.get().ip_address == stored


def test_a_proxy_hop_that_is_no_address_leaves_the_proxys_own_limit(client, one_post_each):
    one_post_each.MASTHEAD_BEHIND_PROXY = True
    article = news.article()

    statuses = [
        post(client, article, 1, HTTP_X_FORWARDED_FOR="unknown"),
        post(client, article, 2, HTTP_X_FORWARDED_FOR="garbage"),
    ]

    assert statuses == [201, 429]
    assert Comment.objects.get().ip_address == "127.0.0.1"


def submit(article, ip_address, n):
    return services.submit_comment(
        page=article,
        body=f"A remark, number {n}.",
        name="Reader",
        email=f"r{n}@example.com",
        ip_address=ip_address,
    )


def test_an_ip_rule_for_one_address_blocks_that_address_only(settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    article = news.article()
    ModerationRule.objects.create(kind="ip", value="10.0.0.1", action="trash")

    statuses = [submit(article, ip, n).status for n, ip in enumerate(["10.0.0.1", "10.0.0.15"])]

    assert statuses == ["trash", "approved"]


def test_an_ip_rule_in_cidr_form_covers_its_network(settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    article = news.article()
    ModerationRule.objects.create(kind="ip", value="203.0.113.0/24", action="spam")
    ModerationRule.objects.create(kind="ip", value="2001:DB8:99::/48", action="hold")
    addresses = ["203.0.113.200", "203.0.114.1", "2001:db8:99:1::5", "2001:db8:98::5"]

    statuses = [submit(article, ip, n).status for n, ip in enumerate(addresses)]

    assert statuses == ["spam", "approved", "pending", "approved"]
    assert set(ModerationRule.objects.values_list("value", flat=True)) == {
        "203.0.113.0/24",
        "2001:db8:99::/48",
    }


def test_an_ip_rule_that_is_no_address_or_network_is_a_field_error():
    rule = ModerationRule(kind="ip", value="10.0.0.", action="hold")

    with pytest.raises(ValidationError) as refused:
        rule.full_clean()

    assert refused.value.message_dict == {
        "value": [
            "Enter an IP address (203.0.113.9) or a network in CIDR form "
            "(203.0.113.0/24, 2001:db8::/48)."
        ]
    }


def test_rules_written_as_text_prefixes_become_the_networks_they_meant():
    migration = importlib.import_module("comments.migrations.0005_sender_networks")

    assert {
        value: migration._rule_network(value)
        for value in ["203.0.113.", "10.0", "10.0.0.1", "2001:db8:", "10.0.0.0/8", "nonsense"]
    } == {
        "203.0.113.": "203.0.113.0/24",
        "10.0": "10.0.0.0/16",
        "10.0.0.1": "10.0.0.1/32",
        "2001:db8:": "2001:db8::/32",
        "10.0.0.0/8": "10.0.0.0/8",
        "nonsense": None,
    }


def test_a_placeholder_keeps_no_trace_of_its_authors_network(db):
    from comments.tests import factories

    comment = factories.comment()
    factories.reply(comment)
    assert Comment.objects.get(pk=comment.pk).ip_network == "192.0.2.10/32"

    services.author_delete_comment(comment_id=comment.pk, own_ids=[comment.pk])

    assert Comment.objects.get(pk=comment.pk).ip_network == ""
