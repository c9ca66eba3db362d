"""Time-driven work done by `masthead worker`: scheduled publishing and background tasks."""

import io
import logging

from django.conf import settings
from django.core.management import call_command
from django.utils.crypto import get_random_string

logger = logging.getLogger("masthead.worker")


def publish_due() -> str:
    """Publish what is scheduled to go live and unpublish what has expired, now."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()


OUTAGE_ERRORS = ["django.db.utils.OperationalError", "django.db.utils.InterfaceError"]
OUTAGE_ATTEMPTS = 5


def requeue_abandoned_tasks(now=None) -> int:
    """Tasks a worker started and never finished (it was killed) go back to the queue once
    MASTHEAD_TASK_LEASE_SECONDS have passed since they started, and so do tasks that
    failed because the database could not be reached (up to OUTAGE_ATTEMPTS runs in all):
    every task here can run again without doing its work twice (mail is keyed by event
    and reader, purges and index updates repeat harmlessly). Returns how many went back."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.MASTHEAD_TASK_LEASE_SECONDS)
    count = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).update(
        status="READY", started_at=None
    )
    if count:
        logger.warning("%d tasks left unfinished by a stopped worker were queued again", count)
    # A task that failed because the database went away mid-run is run again, a few times.
    retried = 0
    for result in DBTaskResult.objects.filter(
        status="FAILED", exception_class_path__in=OUTAGE_ERRORS
    ).only("pk", "worker_ids"):
        if len(result.worker_ids) < OUTAGE_ATTEMPTS:
            retried += DBTaskResult.objects.filter(pk=result.pk, status="FAILED").update(
                status="READY", started_at=None, finished_at=None
            )
    if retried:
        logger.warning("%d tasks that failed while the database was away queued again", retried)
    return count + retried


def run_pending_tasks() -> None:
    """Run every queued background task of the database task backend."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return
    requeue_abandoned_tasks()
    db_worker().run()


def db_worker():
    """django-tasks-db's worker as a round of `masthead worker` runs it: every queue, until
    nothing is left (`.run()`), or one task at a time (`.run_task(result)`)."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


def tick() -> None:
    publish_due()
    run_pending_tasks()
    from comments.notifications import send_digest_if_due
    from mailing.sending import send_due
    from notifications.services import send_digest_if_due as send_reader_digest

    send_digest_if_due()
    send_reader_digest()
    from newsletters.services import send_due as send_due_issues

    send_due_issues()
    # Mail whose retry time has come (new mail is sent by its own task at once).
    send_due()
