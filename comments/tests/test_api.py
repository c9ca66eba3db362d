"""The JSON side of the same views, as the comment form's script uses them: one success
shape per action and exactly one error shape, {"error": {"code", "message", "fields"}}."""

import datetime as dt
import json

from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from comments import services
from comments.models import Comment
from comments.tests import factories
from news.tests import factories as news

JSON = "application/json"


def post_json(client, article, content_type=None, **values):
    data = factories.form_fields(
        client, article, body="Well said.", name="Jane Reader", email="jane@example.com"
    )
    data.update(values)
    if content_type == JSON:
        return client.post(
            "/comments/post/", json.dumps(data), content_type=JSON, headers={"Accept": JSON}
        )
    return client.post("/comments/post/", data, headers={"Accept": JSON})


def error_of(response) -> dict:
    assert response["Content-Type"] == JSON
    body = response.json()
    assert list(body) == ["error"]
    assert sorted(body["error"]) == ["code", "fields", "message"]
    return body["error"]


# Success ---------------------------------------------------------------------------------


def test_a_held_comment_comes_back_as_json_with_its_html_and_the_unchanged_count(client, db):
    page = news.article()

    response = post_json(client, page)

    comment = Comment.objects.get()
    assert response.status_code == 201
    body = response.json()
    assert body["count"] == 0
    assert body["count_text"] == "Be the first to comment"
    assert {k: v for k, v in body["comment"].items() if k != "html"} == {
        "id": comment.pk,
        "parent": None,
        "status": "pending",
        "anchor": f"comment-{comment.pk}",
        "name": "Jane Reader",
        "created_at": comment.created_at.isoformat(),
        "created_display": body["comment"]["created_display"],
    }
    item = BeautifulSoup(body["comment"]["html"], "html.parser").find("li")
    assert item["id"] == f"comment-{comment.pk}"
    assert item.select_one(".comment-awaiting").get_text() == (
        "Your comment is awaiting moderation."
    )
    assert item.select_one(".comment-text").get_text() == "Well said."


def test_an_approved_comment_comes_back_with_the_new_count(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()
    parent = factories.comment(page)

    response = post_json(client, page, parent=parent.pk)

    body = response.json()
    assert response.status_code == 201
    assert (body["comment"]["status"], body["comment"]["parent"]) == ("approved", parent.pk)
    assert (body["count"], body["count_text"]) == (2, "2 Comments")


def test_a_json_request_body_is_accepted_as_well_as_a_form(client, db):
    page = news.article()

    response = post_json(client, page, content_type=JSON, save_commenter=False)

    assert response.status_code == 201
    assert Comment.objects.get().body == "Well said."


def test_the_json_post_also_marks_the_comment_as_this_browsers_own(client, db):
    page = news.article()

    post_json(client, page)

    comment = Comment.objects.get()
    item = BeautifulSoup(client.get(page.url).content, "html.parser").find(
        id=f"comment-{comment.pk}"
    )
    assert item.select_one(".comment-edit-link")["href"] == f"/comments/{comment.pk}/edit/"


def test_a_browser_asking_for_html_first_gets_the_redirect(client, db):
    page = news.article()

    response = client.post(
        "/comments/post/",
        factories.form_fields(client, page, body="Hi.", name="Jane", email="jane@example.com"),
        headers={"Accept": "text/html,application/json;q=0.9"},
    )

    assert response.status_code == 303


# Errors ----------------------------------------------------------------------------------


def test_field_errors_come_back_at_their_fields(client, db):
    page = news.article()

    response = post_json(client, page, body="", name="N" * 101, email="nope")

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "invalid",
        "message": "Please correct the errors below.",
        "fields": {
            "body": ["Please type your comment."],
            "name": ["Ensure this value has at most 100 characters (it has 101)."],
            "email": ["Please enter a valid email address, like name@example.com."],
        },
    }
    assert Comment.objects.count() == 0


def test_a_reply_to_a_comment_on_another_article_is_a_parent_error(client, db):
    page = news.article()
    elsewhere = factories.comment()

    response = post_json(client, page, parent=elsewhere.pk)

    assert response.status_code == 400
    assert error_of(response)["fields"] == {
        "parent": ["The comment you are replying to is not available."]
    }


def test_a_reply_to_a_deleted_placeholder_is_a_parent_error_and_stores_nothing(client, db):
    page = news.article()
    deleted = factories.comment(page, body="Soon gone")
    factories.reply(deleted, body="An answer that keeps the placeholder")
    services.author_delete_comment(comment_id=deleted.pk, own_ids=[deleted.pk])
    assert Comment.objects.get(pk=deleted.pk).is_removed is True

    response = post_json(client, page, parent=deleted.pk)

    assert response.status_code == 400
    assert error_of(response)["fields"] == {
        "parent": ["The comment you are replying to is not available."]
    }
    assert Comment.objects.filter(parent=deleted).count() == 1


def test_a_reply_to_a_pingback_is_a_parent_error_and_stores_nothing(client, db):
    page = news.article()
    pingback = services.import_comment(
        page=page,
        name="Another blog",
        body_html="<p>[…] as this story reports […]</p>",
        created_at=timezone.now(),
        kind=Comment.Kind.PINGBACK,
        website="https://blog.example.org/post",
    )

    response = post_json(client, page, parent=pingback.pk)

    assert response.status_code == 400
    assert error_of(response)["fields"] == {
        "parent": ["The comment you are replying to is not available."]
    }
    assert Comment.objects.count() == 1


def test_a_closed_article_refuses_with_comments_closed(client, db):
    page = news.article(comments_enabled=False)

    response = post_json(client, page)

    assert response.status_code == 403
    assert error_of(response) == {
        "code": "comments_closed",
        "message": "Comments are closed.",
        "fields": {},
    }


def test_an_article_that_does_not_exist_is_not_found(client, db):
    page = news.article()

    response = post_json(client, page, page=999999)

    assert response.status_code == 404
    assert error_of(response) == {
        "code": "not_found",
        "message": "The article you are commenting on does not exist.",
        "fields": {},
    }


def test_a_post_from_another_site_is_refused(client, db):
    page = news.article()
    data = factories.form_fields(client, page, body="Hi.", name="Jane", email="j@example.com")

    response = client.post(
        "/comments/post/", data, headers={"Accept": JSON, "Origin": "https://evil.example"}
    )

    assert response.status_code == 403
    assert error_of(response) == {
        "code": "refused",
        "message": "This comment was not sent from this site.",
        "fields": {},
    }
    assert Comment.objects.count() == 0
    same_site = {"Accept": JSON, "Origin": "http://testserver"}
    assert client.post("/comments/post/", data, headers=same_site).status_code == 201


def test_a_post_from_a_sandboxed_frame_on_another_site_is_refused(client, db):
    page = news.article()
    data = factories.form_fields(client, page, body="Hi.", name="Jane", email="j@example.com")

    response = client.post("/comments/post/", data, headers={"Accept": JSON, "Origin": "null"})

    assert response.status_code == 403
    assert error_of(response)["message"] == "This comment was not sent from this site."
    assert Comment.objects.count() == 0


def test_a_body_that_is_not_json_is_a_bad_request(client, db):
    response = client.post(
        "/comments/post/", b"{not json", content_type=JSON, headers={"Accept": JSON}
    )

    assert response.status_code == 400
    assert error_of(response) == {
        "code": "invalid",
        "message": "The request body is not valid JSON.",
        "fields": {},
    }


def test_a_json_body_that_is_not_an_object_is_a_bad_request(client, db):
    response = client.post("/comments/post/", b"[1, 2]", content_type=JSON)

    assert response.status_code == 400
    assert error_of(response)["message"] == "The request body must be a JSON object."


def test_a_body_in_another_encoding_is_a_bad_request(client, db):
    response = client.post(
        "/comments/post/", b'{"body": "\xff"}', content_type=JSON, headers={"Accept": JSON}
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


# Edit and delete -------------------------------------------------------------------------


def own_comment(client, **values) -> Comment:
    assert post_json(client, news.article(), **values).status_code == 201
    return Comment.objects.latest("pk")


def test_the_author_edits_in_place(client, db):
    comment = own_comment(client)

    response = client.post(
        f"/comments/{comment.pk}/edit/", {"body": "Well *said*."}, headers={"Accept": JSON}
    )

    assert response.status_code == 200
    # A first comment, held: still awaiting moderation after the edit.
    assert response.json() == {
        "comment": {
            "id": comment.pk,
            "body_html": "<p>Well <em>said</em>.</p>",
            "awaiting_moderation": True,
        }
    }


def test_the_author_deletes_in_place(client, db):
    comment = own_comment(client)

    response = client.post(f"/comments/{comment.pk}/delete/", headers={"Accept": JSON})

    assert (response.status_code, response.json()) == (200, {"deleted": comment.pk})
    assert Comment.objects.count() == 0


def test_an_edit_after_the_window_is_refused(client, db):
    comment = own_comment(client)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=16)
    )

    response = client.post(
        f"/comments/{comment.pk}/edit/", {"body": "Changed"}, headers={"Accept": JSON}
    )

    assert response.status_code == 403
    assert error_of(response) == {
        "code": "edit_window_closed",
        "message": "This comment can no longer be changed from this browser.",
        "fields": {},
    }


def test_an_empty_edit_is_a_field_error(client, db):
    comment = own_comment(client)

    response = client.post(f"/comments/{comment.pk}/edit/", {"body": ""}, headers={"Accept": JSON})

    assert response.status_code == 400
    assert error_of(response)["fields"] == {"body": ["Please type your comment."]}


def test_another_browser_gets_not_found_in_the_same_shape(client, db):
    comment = own_comment(client)
    other = Client()

    edit = other.post(f"/comments/{comment.pk}/edit/", {"body": "x"}, headers={"Accept": JSON})
    delete = other.post(f"/comments/{comment.pk}/delete/", headers={"Accept": JSON})

    for response in (edit, delete):
        assert response.status_code == 404
        assert error_of(response) == {
            "code": "not_found",
            "message": "That comment does not exist or is not visible.",
            "fields": {},
        }
