"""What an author may still do to their comment: an edit is checked, logged and limited
like a new comment, and deletes are limited too."""

import http.server
import threading

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.test import Client, TestCase

from comments import services
from comments.models import AuthorChange, Comment, ModerationEvent, ModerationRule
from comments.tests import factories
from masthead.scheduler import db_worker
from news.tests import factories as news

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}
SPAMMY = "Cheap pills https://a.example/1 https://b.example/2 https://c.example/3"


@pytest.fixture
def desk(settings, smtp_server):
    """Comments published at once, held ones announced to one address by mail (a real
    SMTP server on loopback). Yields the mail received."""
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    settings.MASTHEAD_COMMENTS_NOTIFY = "each"
    settings.MASTHEAD_COMMENTS_NOTIFY_EMAILS = ["desk@newsroom.example"]
    return smtp_server


def author(comment, address="203.0.113.7") -> Client:
    """The browser that posted `comment`, at `address`."""
    client = Client(REMOTE_ADDR=address)
    factories.claim(client, comment)
    return client


def edit(client, comment, body):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/comments/{comment.pk}/edit/", {"body": body}, headers=JSON)


def delete(client, comment):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/comments/{comment.pk}/delete/", headers=JSON)


# Edits are checked ----------------------------------------------------------------------


def test_an_approved_comment_edited_into_link_spam_is_held_and_the_desk_told(desk):
    article = news.article()
    comment = factories.comment(article, body="A fair point about the budget.")

    response = edit(author(comment), comment, SPAMMY)

    assert response.status_code == 200
    assert response.json()["comment"]["awaiting_moderation"] is True
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reasons[-1] == "edit: hold: 3 links"
    page = Client().get(article.url).content.decode()
    assert "Cheap pills" not in page
    assert "A fair point" not in page
    assert "Be the first to comment" in page
    assert [m.envelope_to for m in desk] == [["desk@newsroom.example"]]


def test_an_edit_that_a_rule_sends_to_spam_goes_to_spam(desk):
    ModerationRule.objects.create(kind="word", value="casino", action="spam")
    comment = factories.comment(body="Nice piece.")

    response = edit(author(comment), comment, "Visit my casino")

    assert response.status_code == 200
    comment.refresh_from_db()
    assert (comment.status, comment.status_before_trash) == ("spam", "approved")
    assert comment.moderation_reasons[-1] == "edit: spam: word “casino” is listed"


def test_an_edit_the_checks_accept_keeps_the_comment_up(desk):
    article = news.article()
    comment = factories.comment(article, body="Teh budget")

    response = edit(author(comment), comment, "The budget, corrected.")

    assert response.json()["comment"] == {
        "id": comment.pk,
        "body_html": "<p>The budget, corrected.</p>",
        "awaiting_moderation": False,
    }
    assert "The budget, corrected." in Client().get(article.url).content.decode()
    assert desk == []


def test_saving_the_same_text_again_is_no_duplicate_of_itself(desk):
    comment = factories.comment(body="Exactly this.")

    response = edit(author(comment), comment, "Exactly  this.")

    assert response.status_code == 200
    comment.refresh_from_db()
    assert (comment.status, comment.body) == ("approved", "Exactly  this.")


# Edits are logged -----------------------------------------------------------------------


def test_each_edit_is_logged_with_the_text_it_replaced_and_moderators_see_it(desk, client):
    comment = factories.comment(body="First words")
    browser = author(comment)
    edit(browser, comment, "Second words")
    edit(browser, comment, SPAMMY)

    events = ModerationEvent.objects.filter(comment=comment, action="edited").order_by("pk")
    assert [(e.previous_body, e.from_status, e.to_status) for e in events] == [
        ("First words", "approved", "approved"),
        ("Second words", "approved", "pending"),
    ]
    moderator = factories.staff_user("moderator")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    queue = client.get("/admin/comments/").content.decode()
    assert f'href="/admin/comments/{comment.pk}/edit/#history"' in queue
    history = BeautifulSoup(
        client.get(f"/admin/comments/{comment.pk}/edit/").content, "html.parser"
    ).select(".moderation-log details.previous-text")
    assert [d.get_text(" ", strip=True) for d in history] == [
        "Text before this edit First words",
        "Text before this edit Second words",
    ]


def test_a_deleted_comment_keeps_none_of_the_texts_its_edits_replaced(desk):
    comment = factories.comment(body="Something I regret")
    factories.reply(comment, body="A reply that keeps the placeholder")
    browser = author(comment)
    edit(browser, comment, "Something milder")

    assert delete(browser, comment).status_code == 200

    assert list(
        ModerationEvent.objects.filter(comment=comment).values_list("previous_body", flat=True)
    ) == ["", ""]


def test_the_edit_service_checks_the_self_service_pages_edits_too(desk):
    comment = factories.comment(email_address="jane@example.com", body="Calm words")

    services.commenter_edit_comment(comment_id=comment.pk, email="jane@example.com", body=SPAMMY)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert ModerationEvent.objects.get(comment=comment, action="edited").previous_body == (
        "Calm words"
    )


# Edits and deletes are limited ----------------------------------------------------------


def test_one_comment_takes_only_so_many_edits(desk, settings):
    settings.MASTHEAD_COMMENTS_EDIT_RATE_LIMITS = "2/60"
    comment = factories.comment(body="Version 0")
    browser = author(comment)

    answers = [edit(browser, comment, f"Version {n}") for n in (1, 2, 3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["error"]["code"] == "rate_limited"
    assert 55 <= int(answers[2]["Retry-After"]) <= 60
    comment.refresh_from_db()
    assert comment.body == "Version 2"


def test_edits_and_deletes_from_one_network_are_limited(desk, settings):
    settings.MASTHEAD_COMMENTS_CHANGE_RATE_LIMITS = "2/600"
    article = news.article()
    first, second, third, fourth = (factories.comment(article) for _ in range(4))

    answers = [
        edit(author(first, "198.51.100.7"), first, "Changed once"),
        delete(author(second, "198.51.100.8"), second),
        delete(author(third, "198.51.100.9"), third),
        edit(author(fourth, "198.51.100.10"), fourth, "Changed again"),
        delete(author(third, "192.0.2.99"), third),
    ]

    assert [a.status_code for a in answers] == [200, 200, 429, 429, 200]
    assert 595 <= int(answers[2]["Retry-After"]) <= 600
    assert not Comment.objects.filter(pk__in=[second.pk, third.pk]).exists()
    fourth.refresh_from_db()
    assert fourth.body != "Changed again"
    assert sorted(AuthorChange.objects.values_list("kind", "network")) == [
        ("delete", "192.0.2.0/24"),
        ("delete", "198.51.100.0/24"),
        ("edit", "198.51.100.0/24"),
    ]


def test_a_refused_edit_by_rate_changes_nothing_through_the_form(desk, settings):
    settings.MASTHEAD_COMMENTS_EDIT_RATE_LIMITS = "1/60"
    comment = factories.comment(body="Version 0")
    browser = author(comment)
    edit(browser, comment, "Version 1")

    response = browser.post(f"/comments/{comment.pk}/edit/", {"body": "Version 2"})

    assert response.status_code == 429
    assert "You are changing comments too quickly." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Version 1"


# The CDN is purged from the worker ------------------------------------------------------


@pytest.fixture
def cdn(settings):
    """A stand-in for the proxy in front (a real HTTP server on loopback) that Wagtail's
    HTTP purge backend talks to. Yields the (method, path) of each request it gets."""
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PURGE(self):
            received.append((self.command, self.path))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_port}",
        }
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


PURGE_TASK = "wagtail.contrib.frontend_cache.tasks.purge_urls_from_cache_task"


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_an_authors_change_answers_without_waiting_for_the_cdn_which_the_worker_purges(
    desk, cdn, change
):
    from django_tasks_db.models import DBTaskResult

    article = news.article()
    comment = factories.comment(article, body="Before")
    browser = author(comment)
    DBTaskResult.objects.all().delete()  # what posting the comment queued

    if change == "edit":
        response = edit(browser, comment, "After")
    else:
        response = delete(browser, comment)

    assert response.status_code == 200
    assert cdn == []
    # Wagtail queues the purge (a django-tasks task) and `masthead worker` sends it.
    queued = DBTaskResult.objects.filter(task_path=PURGE_TASK)
    assert [(t.status, t.args_kwargs["args"][0]) for t in queued] == [
        ("READY", [f"http://localhost{article.url}"])
    ]
    # What the worker does with each queued task (its loop also closes the database
    # connection between rounds, which the test's transaction does not survive).
    db_worker().run_task(queued.get())
    assert cdn == [("PURGE", article.url)]
    assert queued.get().status == "SUCCESSFUL"
