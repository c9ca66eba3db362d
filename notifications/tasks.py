"""Background tasks of the notifications app (django-tasks; run by `masthead worker`)."""

from django_tasks import task


@task()
def notify_public_comment(comment_id: int) -> int:
    """Queue the mail about a comment that became public (the fan-out to an article's
    followers happens here, never in the request that posted or approved it)."""
    from .services import comment_became_public

    return comment_became_public(comment_id=comment_id)
