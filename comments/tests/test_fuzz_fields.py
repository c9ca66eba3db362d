"""Every text field of the comment form, the JSON API and the author's edit, put through
hypothesis: whatever is typed, the answer is never a 5xx; a refused post stores nothing
and mails no one; an accepted one shows on the article with no markup of its own that
could run, and never with the poster's email address."""

import json

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.models import Comment
from comments.tests import factories
from mailing.models import Delivery
from news.tests import factories as news

JSON = "application/json"
RUNS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Anything at all, and text that gets past the form's checks into the pipeline.
anything = st.text(max_size=300)
markup = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[x](//evil.example/1)",
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '"><svg onload=alert(1)>',
        "\u202eevil\u202c",
        "\x00\x01\x0b\x1b",
        "\ufffe\uffff",
        "\u200b\u200b",
        "**bold** _em_ `code` > quote",
    ]
)
text = st.one_of(anything, markup, st.builds(lambda a, b: a + b, anything, markup))
emails = st.one_of(st.emails(), anything)
websites = st.one_of(st.just(""), st.just("https://example.org/"), anything, markup)
ids = st.one_of(st.just(""), st.integers(-(2**70), 2**70).map(str), anything)


@pytest.fixture
def article(db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.MASTHEAD_COMMENTS_RATE_LIMITS = "100000/60"
    settings.MASTHEAD_COMMENTS_EDIT_RATE_LIMITS = "100000/60"
    settings.MASTHEAD_COMMENTS_CHANGE_RATE_LIMITS = "100000/60"
    return news.article("Storm closes the harbour")


def state():
    return Comment.objects.count(), Delivery.objects.count()


def assert_shown_safely(article, comment, email):
    page = Client().get(article.url)
    assert page.status_code == 200
    if email and "@" in email:
        assert email.encode() not in page.content
    node = BeautifulSoup(page.content, "html.parser").find(id=f"comment-{comment.pk}")
    if node is None:  # held, or on another page of the thread
        return
    for part in node.select(".comment-text, .comment-meta"):
        assert not part.find_all(["form", "input", "button", "textarea"]), part
    for tag in node.find_all(True):
        assert tag.name not in {"script", "iframe", "object", "embed", "style", "meta"}
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), tag
            if name in ("href", "src"):
                scheme = str(value).strip().lower().split(":", 1)[0]
                assert scheme not in {"javascript", "data", "vbscript"}, tag


def check_answer(response, before, *, ok):
    """The new comment when the post was taken; None (and nothing changed) when refused."""
    assert response.status_code < 500, response.content[:500]
    if response.status_code not in ok:
        assert state() == before
        return None
    assert Comment.objects.count() == before[0] + 1
    return Comment.objects.order_by("-pk").first()


@RUNS
@given(body=text, name=text, email=emails, website=websites, parent=ids, ts=anything)
def test_the_form_takes_anything_without_a_5xx(article, body, name, email, website, parent, ts):
    client = Client(raise_request_exception=False)
    before = state()
    fields = {"page": str(article.pk), "body": body, "name": name, "email": email}
    fields.update(website=website, parent=parent, ts=ts, homepage="")
    # A form post carries text as UTF-8: what cannot be encoded, a browser cannot send.
    fields = {k: v.encode("utf-8", "replace").decode() for k, v in fields.items()}
    response = client.post("/comments/post/", fields)
    comment = check_answer(response, before, ok={303})
    if comment is not None:
        assert_shown_safely(article, comment, fields["email"])


@RUNS
@given(
    body=text,
    name=text,
    email=emails,
    website=websites,
    page=st.one_of(st.just("self"), ids),
    extra=st.dictionaries(anything, anything, max_size=3),
    surrogate=st.sampled_from(["", "\ud800", "\udfff x \ud83d"]),
)
def test_the_json_api_takes_anything_without_a_5xx(
    article, body, name, email, website, page, extra, surrogate
):
    client = Client(raise_request_exception=False)
    before = state()
    data = {**extra, "body": body + surrogate, "name": name, "email": email}
    data.update(website=website, page=article.pk if page == "self" else page)
    # json.dumps writes lone surrogates as \\ud800 escapes, as a careless client would.
    response = client.post(
        "/comments/post/", json.dumps(data), content_type=JSON, headers={"Accept": JSON}
    )
    comment = check_answer(response, before, ok={201})
    if comment is None:
        assert set(response.json()) == {"error"}
    else:
        assert_shown_safely(article, comment, email)


@RUNS
@given(body=text)
def test_an_authors_edit_takes_anything_without_a_5xx(article, body):
    client = Client(raise_request_exception=False)
    posted = client.post(
        "/comments/post/",
        factories.form_fields(
            client, article, body="First thoughts.", name="Jane Reader", email="jane@example.com"
        ),
        headers={"Accept": JSON},
    )
    assert posted.status_code == 201
    comment_id = posted.json()["comment"]["id"]
    before = Comment.objects.get(pk=comment_id).body

    response = client.post(
        f"/comments/{comment_id}/edit/",
        {"body": body.encode("utf-8", "replace").decode()},
        headers={"Accept": JSON},
    )

    assert response.status_code < 500, response.content[:500]
    comment = Comment.objects.get(pk=comment_id)
    if response.status_code != 200:
        assert comment.body == before
    else:
        assert_shown_safely(article, comment, "jane@example.com")
