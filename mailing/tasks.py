"""Background tasks of the mailing app (django-tasks; run by `masthead worker`)."""

from django_tasks import task


@task()
def send_queued_mail() -> dict:
    """Send what is due in the outbox; see sending.py for the at-most-once rule."""
    import dataclasses

    from .sending import send_due

    return dataclasses.asdict(send_due())
