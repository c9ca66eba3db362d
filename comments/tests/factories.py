"""Small factories for comments. They go through the services, so paths, depths and the
public count are built exactly as in production."""

import itertools

from bs4 import BeautifulSoup
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
    body=None,
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
            body=body or f"A thoughtful comment, number {next(_seq)}.",
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


def form_fields(client, article, **values) -> dict:
    """What a browser sends from the comment form under `article`: every field the form
    renders (hidden ones included) with its value, then `values` typed in."""
    form = BeautifulSoup(client.get(article.url).content, "html.parser").find(id="commentform")
    data = {"page": str(article.pk)}
    for field in form.find_all(["input", "textarea"]) if form else ():
        name, kind = field.get("name"), field.get("type")
        if not name or kind in ("checkbox", "submit"):
            continue
        # The parser keeps the newline a textarea's markup starts with; browsers drop it.
        text = field.get_text().removeprefix("\n") if field.name == "textarea" else None
        data[name] = text if text is not None else field.get("value", "")
    data.update(values)
    return data
