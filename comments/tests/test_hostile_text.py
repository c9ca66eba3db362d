"""What readers type or send that is not what a form expects: digits that are not ASCII,
control characters, invisible text, direction overrides and lone surrogates. None of it
answers 500, none of it reaches a page or a feed broken."""

import json
from xml.etree import ElementTree

import pytest
from django.test import Client

from comments.models import Comment
from comments.readers import EDITABLE_COOKIE
from comments.tests import factories
from news.tests import factories as news

pytestmark = pytest.mark.django_db

JSON = "application/json"


# Digits that are not ASCII ------------------------------------------------------------


@pytest.mark.parametrize("digits", ["²", "١", "𝟙", "1²"])
def test_digits_other_than_ascii_in_the_address_are_no_page_or_comment(client, digits):
    article = news.article()
    comment = factories.comment(article, body="The first remark.")

    responses = [
        client.get(f"{article.url}?replytocom={digits}"),
        client.get(f"{article.url}?cpage={digits}"),
        client.get(f"{article.get_parent().url}?page={digits}"),
        client.get(f"/search/?q=remark&page={digits}"),
    ]

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert "Leave a Reply to" not in responses[0].content.decode()
    assert f'id="comment-{comment.pk}"' in responses[1].content.decode()


@pytest.mark.parametrize("digits", ["²", "١"])
def test_a_post_naming_its_page_in_other_digits_is_not_found(client, digits):
    news.article()

    response = client.post(
        "/comments/post/",
        {"page": digits, "body": "Hi.", "name": "Jane", "email": "j@example.com"},
        headers={"Accept": JSON},
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_forged_editable_cookie_in_other_digits_does_not_break_a_post(client):
    article = news.article()
    data = factories.form_fields(client, article, body="Hi.", name="Jane", email="j@example.com")
    client.cookies[EDITABLE_COOKIE] = "².99999999999|7.²"

    response = client.post("/comments/post/", data, headers={"Accept": JSON})

    assert response.status_code == 201
    assert Comment.objects.count() == 1


# Characters a name or a text may not hold ------------------------------------------------


def post_json(client, article, **fields):
    data = factories.form_fields(client, article, body="A fine remark.", name="Jane")
    data.update(email="jane@example.com", **fields)
    return client.post(
        "/comments/post/", json.dumps(data), content_type=JSON, headers={"Accept": JSON}
    )


CONTROL = "Please remove the invisible control characters from this field."
DIRECTION = "Please remove the characters that change the direction of the text."
INVISIBLE = "Please type some visible characters."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Jane\x01", CONTROL),
        ("body", "Text with a vertical\x0btab", CONTROL),
        ("body", "Form\x0cfeed", CONTROL),
        ("name", "\x1b[31mJane", CONTROL),
        ("body", "A C1 control \x85 here", CONTROL),
        ("body", "Not a character: \ufffe", CONTROL),
        ("name", "Jane\uffff", CONTROL),
        ("name", "\u200b\u200c\u200d", INVISIBLE),
        ("body", "\u2800 \u3164\u200b", INVISIBLE),
        ("name", "\u202eenaJ", DIRECTION),
        ("body", "Open invoice\u202efdp.exe", DIRECTION),
        ("name", "Jane \u2067Doe\u2069", DIRECTION),
    ],
)
def test_a_name_or_text_with_characters_it_may_not_hold_is_a_field_error(
    client, field, value, message
):
    article = news.article()

    response = post_json(client, article, **{field: value})
    form = client.post(
        "/comments/post/",
        factories.form_fields(
            client,
            article,
            **{"body": "A fine remark.", "name": "Jane", field: value},
            email="jane@example.com",
        ),
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}
    assert form.status_code == 400
    assert message in form.content.decode()
    assert Comment.objects.count() == 0


def test_right_to_left_text_and_its_marks_are_welcome(client):
    article = news.article()

    response = post_json(client, article, name="דנה כהן", body="שלום\u200f, עולם! Hello.")

    assert response.status_code == 201
    assert "<bdi>דנה כהן</bdi>" in response.json()["comment"]["html"]


def test_a_lone_surrogate_reads_the_same_through_the_api_and_the_form(client):
    article = news.article()
    # What a JSON body may carry and no form post can: "\ud800" alone.
    raw = json.dumps(
        {
            **factories.form_fields(client, article),
            "body": "Half a character: \ud800 here",
            "name": "Jane \udfff",
            "email": "jane@example.com",
        }
    )
    api = client.post("/comments/post/", raw, content_type=JSON, headers={"Accept": JSON})
    form = client.post(
        "/comments/post/",
        factories.form_fields(
            client,
            article,
            body="Half a character: \ufffd there",
            name="Jane \ufffd",
            email="jane@example.com",
        ),
    )

    assert (api.status_code, form.status_code) == (201, 303)
    assert list(Comment.objects.order_by("pk").values_list("name", "body")) == [
        ("Jane \ufffd", "Half a character: \ufffd here"),
        ("Jane \ufffd", "Half a character: \ufffd there"),
    ]


def test_names_are_isolated_from_the_text_around_them(client):
    article = news.article()
    factories.comment(article, name="\u05d3\u05e0\u05d4 1984", body="First.")

    page = client.get(article.url).content.decode()

    assert '<span class="comment-author"><bdi>\u05d3\u05e0\u05d4 1984</bdi></span>' in page


FEEDS = ["/feeds/comments/rss/", "/feeds/comments/atom/"]


def test_feeds_carry_stored_text_that_xml_cannot_hold(client):
    article = news.article("Harbour reopens")
    comment = factories.comment(article, body="Clean words.")
    # As an import from another system may have stored it, before these rules.
    Comment.objects.filter(pk=comment.pk).update(
        name="Bad\x01Name\x1b",
        body="Vertical\x0btab, \ufffe and \uffff.",
        body_html="<p>Vertical\x0btab, \ufffe and \uffff.</p>",
    )
    urls = [*FEEDS, f"/feeds/comments/{article.pk}/rss/", f"/feeds/comments/{article.pk}/atom/"]

    responses = [client.get(url) for url in urls]

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    for response in responses:
        root = ElementTree.fromstring(response.content)  # a strict XML parser
        text = "".join(root.itertext())
        assert "BadName" in text
        assert "Verticaltab, \ufffd and \ufffd." in text


# The API's errors are JSON ------------------------------------------------------------------


def test_a_body_over_the_size_limit_is_a_json_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    article = news.article()

    response = post_json(client, article, body="x" * 20_000)

    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "too_large", "message": "This request is too large.", "fields": {}}
    }
    assert Comment.objects.count() == 0


def breaks(candidate):
    raise RuntimeError("a check that fails")


def test_an_unexpected_failure_is_a_json_500(settings):
    settings.MASTHEAD_COMMENT_CHECKS = ["comments.tests.test_hostile_text.breaks"]
    client = Client(raise_request_exception=False)
    article = news.article()

    response = post_json(client, article)

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "Something went wrong on our side. Please try again later.",
            "fields": {},
        }
    }
