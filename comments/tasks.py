"""Background tasks of the comments app (django-tasks; run by `masthead worker`)."""

from django.conf import settings
from django_tasks import task


@task()
def notify_moderators(comment_ids: list[int]) -> int:
    from .notifications import notify

    return notify(comment_ids)


@task()
def learn_spam_decisions(decisions: list[list]) -> int:
    from .models import Comment
    from .moderation import spamfilter

    version = 0
    comments = Comment.objects.in_bulk([comment_id for comment_id, _ in decisions])
    for comment_id, is_spam in decisions:
        comment = comments.get(comment_id)
        if comment is not None:
            version = spamfilter.learn(
                spamfilter.text_of(name=comment.name, website=comment.website, body=comment.body),
                bool(is_spam),
            )
    return version


@task()
def retrain_spam_filter() -> int:
    from .moderation import spamfilter

    return spamfilter.retrain()


def comments_held(*, comment_ids) -> None:
    if settings.MASTHEAD_COMMENTS_NOTIFY == "each":
        notify_moderators.enqueue(comment_ids=list(comment_ids))


def spam_filter_learn(*, decisions) -> None:
    if _spam_filter_on():
        learn_spam_decisions.enqueue(decisions=[[pk, bool(spam)] for pk, spam in decisions])


def spam_filter_retrain() -> None:
    if _spam_filter_on():
        retrain_spam_filter.enqueue()


def _spam_filter_on() -> bool:
    from .moderation import configured_checks, spamfilter

    return spamfilter.check in configured_checks()
