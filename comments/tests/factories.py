"""Small factories for comments. They go through the services, so paths, depths and the
public count are built exactly as in production."""

import itertools

from django.contrib.auth import get_user_model
from django.core import signing
from django.test import override_settings

from comments import services
from comments.models import Comment
from comments.views import OWN_COOKIE, OWN_SALT
from news.tests import factories as news

_seq = itertools.count(1)


def email() -> str:
    return f"reader{next(_seq)}@example.net"


def comment(
    page=None,
    *,
    body="A thoughtful comment.",
    name="Jane Reader",
    email_address=None,
    website="",
    parent=None,
    status=Comment.Status.APPROVED,
    created_at=None,
    user=None,
) -> Comment:
    """A comment on `page` (a new article when none) with the given status."""
    page = page or news.article()
    mode = "none" if status == Comment.Status.APPROVED else "all"
    with override_settings(MASTHEAD_COMMENTS_MODERATION=mode):
        new = services.submit_comment(
            page=page,
            body=body,
            name=name,
            email=email_address or email(),
            website=website,
            parent=parent,
            ip_address="192.0.2.10",
            user=user,
            created_at=created_at,
        )
    if status in (Comment.Status.SPAM, Comment.Status.TRASH):
        services.moderate_comments(comment_ids=[new.pk], action=str(status))
    new.refresh_from_db()
    return new


def reply(parent: Comment, **kwargs) -> Comment:
    return comment(parent.page.specific, parent=parent, **kwargs)


def staff_user(username="editor", *, first_name="Ada", last_name="Editor", **kwargs):
    return get_user_model().objects.create_user(
        username=username,
        email=kwargs.pop("email", f"{username}@newsroom.example"),
        password="pw",
        first_name=first_name,
        last_name=last_name,
        is_staff=kwargs.pop("is_staff", True),
        **kwargs,
    )


def claim(client, *comments: Comment) -> None:
    """Give `client` the signed cookie of a browser that posted `comments`."""
    value = ",".join(str(c.pk) for c in comments)
    client.cookies[OWN_COOKIE] = signing.get_cookie_signer(salt=OWN_COOKIE + OWN_SALT).sign(value)
