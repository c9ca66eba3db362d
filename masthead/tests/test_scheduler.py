"""Scheduled publishing and unpublishing, as `masthead worker` does it each round."""

import datetime as dt

from django.utils import timezone
from wagtail.models import Revision

from masthead.scheduler import tick
from news.models import ArticlePage
from news.tests import factories


def scheduled_article(title="Budget vote tonight", *, in_minutes=60) -> ArticlePage:
    """A draft approved for publication at a time `in_minutes` from now."""
    page = factories.article(title, live=False)
    page.go_live_at = timezone.now() + dt.timedelta(minutes=in_minutes)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def move_schedule_into_the_past(page) -> None:
    """What the passing of time does to a scheduled page: its time is now behind us."""
    past = timezone.now() - dt.timedelta(seconds=1)
    for revision in Revision.page_revisions.filter(object_id=str(page.pk)).exclude(
        approved_go_live_at=None
    ):
        revision.content["go_live_at"] = past.isoformat()
        revision.approved_go_live_at = past
        revision.save(update_fields=["content", "approved_go_live_at"])
    ArticlePage.objects.filter(pk=page.pk).update(go_live_at=past)


def test_publishing_with_a_go_live_time_in_the_future_schedules_instead_of_publishing(db):
    page = scheduled_article(in_minutes=60)

    revision = page.latest_revision
    assert page.live is False
    assert revision.approved_go_live_at == page.go_live_at
    assert page.status_string == "scheduled"


def test_a_tick_publishes_an_article_whose_time_has_come(db):
    page = scheduled_article()
    move_schedule_into_the_past(page)

    tick()

    page.refresh_from_db()
    assert page.live is True
    assert page.first_published_at is not None
    assert page.latest_revision.approved_go_live_at is None
    assert page.live_revision == page.latest_revision


def test_a_tick_leaves_an_article_scheduled_for_later_alone(db):
    page = scheduled_article(in_minutes=5)

    tick()

    page.refresh_from_db()
    assert page.live is False
    assert page.status_string == "scheduled"


def test_a_tick_unpublishes_an_article_whose_expiry_time_has_passed(db):
    page = factories.article("Road closed until Friday")
    ArticlePage.objects.filter(pk=page.pk).update(
        expire_at=timezone.now() - dt.timedelta(seconds=1)
    )

    tick()

    page.refresh_from_db()
    assert (page.live, page.expired) == (False, True)


def test_a_tick_keeps_an_article_that_expires_later(db):
    page = factories.article("Road closed until Friday")
    ArticlePage.objects.filter(pk=page.pk).update(expire_at=timezone.now() + dt.timedelta(days=1))

    tick()

    page.refresh_from_db()
    assert (page.live, page.expired) == (True, False)


def test_a_scheduled_article_is_not_shown_to_readers_until_it_goes_live(db, client):
    page = scheduled_article("Budget vote tonight")
    factories.article("Something else")

    assert client.get(page.url).status_code == 404
    assert "Budget vote tonight" not in client.get("/").content.decode()

    move_schedule_into_the_past(page)
    tick()

    assert client.get(page.url).status_code == 200
    assert "Budget vote tonight" in client.get("/").content.decode()


def test_a_task_a_killed_worker_left_running_is_run_again_after_its_lease(
    settings, transactional_db, smtp_server
):
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from mailing import services as mailing
    from mailing.models import Address
    from masthead.scheduler import run_pending_tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    Address.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    mailing.queue_mail(
        event_key="reply:1",
        email="reader@example.org",
        category="test",
        subject="A reply",
        text="Someone replied.",
        html="",
    )
    # What a worker killed in the middle of the send task leaves behind.
    task = DBTaskResult.objects.get()
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=timezone.now() - dt.timedelta(minutes=11)
    )

    run_pending_tasks()

    assert DBTaskResult.objects.get(pk=task.pk).status == "SUCCESSFUL"
    assert [m["Subject"] for m in smtp_server] == ["A reply"]


def test_a_task_still_within_its_lease_is_left_to_its_worker(settings, transactional_db):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from mailing.tasks import send_queued_mail
    from masthead.scheduler import requeue_abandoned_tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send_queued_mail.enqueue()
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())

    assert requeue_abandoned_tasks() == 0
    assert DBTaskResult.objects.get().status == "RUNNING"


def test_a_task_that_failed_while_the_database_was_away_runs_again(
    settings, transactional_db, smtp_server
):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from mailing import services as mailing
    from mailing.models import Address
    from masthead.scheduler import run_pending_tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    Address.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    mailing.queue_mail(
        event_key="reply:1",
        email="reader@example.org",
        category="test",
        subject="A reply",
        text="Someone replied.",
        html="",
    )
    # What a run that lost its database connection leaves behind.
    DBTaskResult.objects.update(
        status="FAILED",
        worker_ids=["a"],
        exception_class_path="django.db.utils.OperationalError",
        finished_at=timezone.now(),
    )

    run_pending_tasks()

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert [m["Subject"] for m in smtp_server] == ["A reply"]
