"""Background tasks of self-service (django-tasks; run by `masthead worker`)."""

from django_tasks import task


@task()
def send_sign_in_mail(link_id: int) -> bool:
    from .mail import deliver

    return deliver(link_id)
