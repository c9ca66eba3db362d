"""What readers type or send that is not what a form expects: digits that are not ASCII,
control characters, invisible text, direction overrides and lone surrogates. None of it
answers 500, none of it reaches a page or a feed broken."""

import pytest

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
