"""What a change hands on to the worker is committed with it.

A server process killed the moment after a comment's transaction commits never runs that
transaction's after-commit callbacks. Each test here makes a change, runs none of those
callbacks (as such a process would not), and then lets the worker do what it finds stored:
the mail and the CDN purge still happen, once."""

import http.server
import threading

import pytest

from comments import services as comments
from comments.models import Comment
from comments.tests import factories
from mailing import services as mailing
from mailing.models import Delivery
from mailing.sending import send_due
from masthead.scheduler import db_worker
from news.tests import factories as news
from notifications import services as notifications

pytestmark = pytest.mark.django_db

NOTIFY = "notifications.tasks.notify_public_comment"
MODERATORS = "comments.tasks.notify_moderators"
PURGE = "wagtail.contrib.frontend_cache.tasks.purge_urls_from_cache_task"


@pytest.fixture
def cdn(settings):
    """The proxy in front (a real HTTP server on loopback); yields the paths it was told
    to purge."""
    purged = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PURGE(self):
            purged.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_port}",
        }
    }
    try:
        yield purged
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(settings, smtp_server, cdn):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MASTHEAD_COMMENTS_NOTIFY = "each"
    settings.MASTHEAD_COMMENTS_RATE_LIMITS = "1000/60"
    settings.MASTHEAD_COMMENTS_NOTIFY_EMAILS = ["desk@example.org"]
    return {"mail": smtp_server, "purged": cdn}


def follower(article, address="follower@example.org"):
    first = factories.comment(article, email_address=address)
    notifications.subscribe_author(comment=first, subscribe=("page",))
    mailing.confirm(address=mailing.address_for(address, create=True))
    Delivery.objects.all().delete()


def nothing_queued() -> None:
    """Set-up done: what publishing the article queued (search index, purges) is gone."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()


def stored_tasks() -> list[str]:
    from django_tasks_db.models import DBTaskResult

    return sorted(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))


def run_worker() -> None:
    """What `masthead worker` does with what is queued (one task at a time, without its
    loop, which closes the database connection the test's transaction lives in)."""
    from django_tasks_db.models import DBTaskResult

    worker = db_worker()
    while task := DBTaskResult.objects.filter(status="READY").order_by("enqueued_at").first():
        worker.run_task(task)
    send_due()


def test_a_public_comment_whose_server_dies_after_the_commit_still_mails_and_purges(
    site, django_capture_on_commit_callbacks
):
    article = news.article("Budget vote")
    follower(article)

    nothing_queued()
    with django_capture_on_commit_callbacks(execute=False):
        factories.comment(article, email_address="poster@example.net", body="Well argued")

    assert stored_tasks() == [NOTIFY, PURGE]
    run_worker()
    assert [m.envelope_to for m in site["mail"]] == [["follower@example.org"]]
    assert site["purged"] == [article.url]
    run_worker()  # nothing is left to send twice
    assert len(site["mail"]) == 1 and len(site["purged"]) == 1


def test_a_held_comment_whose_server_dies_after_the_commit_still_reaches_the_desk(
    site, settings, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_COMMENTS_MODERATION = "all"
    article = news.article("Budget vote")

    nothing_queued()
    with django_capture_on_commit_callbacks(execute=False):
        comment = factories.comment(article, status=None, body="Please check me")

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert stored_tasks() == [MODERATORS]
    run_worker()
    assert [m.envelope_to for m in site["mail"]] == [["desk@example.org"]]


def test_an_approval_whose_server_dies_after_the_commit_still_mails_and_purges(
    site, django_capture_on_commit_callbacks
):
    article = news.article("Budget vote")
    follower(article)
    held = factories.comment(article, status=Comment.Status.PENDING, body="Held at first")

    nothing_queued()
    with django_capture_on_commit_callbacks(execute=False):
        comments.moderate_comments(comment_ids=[held.pk], action="approve")

    assert stored_tasks() == [NOTIFY, PURGE]
    run_worker()
    assert [m.envelope_to for m in site["mail"]] == [["follower@example.org"]]
    assert site["purged"] == [article.url]


def test_a_receiver_that_fails_leaves_the_comment_stored(site, django_capture_on_commit_callbacks):
    from comments import signals

    def broken(**kwargs):
        Comment.objects.update(body="changed by a broken receiver")
        raise RuntimeError("a receiver's bug")

    article = news.article("Budget vote")
    signals.comment_submitted.connect(broken, dispatch_uid="test.broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            comment = factories.comment(article, body="Still here")
    finally:
        signals.comment_submitted.disconnect(dispatch_uid="test.broken")

    assert Comment.objects.get(pk=comment.pk).body == "Still here"


class ProcessKilled(BaseException):
    """Stands for SIGKILL: nothing after it in this process runs, and nothing catches it."""


@pytest.mark.django_db(transaction=True)
def test_a_server_killed_at_the_first_moment_after_the_commit_leaves_the_mail_queued(site):
    """With real commits: the process dies in the first after-commit callback, the moment
    the comment is committed. Whatever the comment hands on must be committed already."""
    from django_tasks_db.models import DBTaskResult

    from comments import signals

    article = news.article("Budget vote")
    follower(article)
    DBTaskResult.objects.all().delete()

    def killed(**kwargs):
        raise ProcessKilled

    signals.thread_changed.connect(killed, dispatch_uid="test.killed")
    try:
        with pytest.raises(ProcessKilled):
            factories.comment(article, email_address="poster@example.net", body="Committed")
    finally:
        signals.thread_changed.disconnect(dispatch_uid="test.killed")

    assert Comment.objects.filter(body="Committed").exists()
    assert stored_tasks() == [NOTIFY, PURGE]
