"""Small factories for comments. They go through the services, so paths, depths and the
public count are built exactly as in production."""

import datetime as dt
import itertools

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.test import override_settings

from comments import markup, services
from comments.models import PATH_SEGMENT, PATH_SEPARATOR, Comment
from comments.readers import OWN_COOKIE, OWN_SALT
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


def long_thread(page, count: int) -> None:
    """`count` approved comments on `page`, a fifth of them top-level with four replies
    each, stored in a few queries but as submit_comment stores them (path, depth, count).
    For tests where a thread must be long, not for what submitting does."""
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    def build(n: int, parent=None, *, when) -> Comment:
        body = f"Comment {n} in a long thread."
        return Comment(
            page_id=page.pk,
            parent=parent,
            path="",
            depth=parent.depth + 1 if parent else 1,
            status=Comment.Status.APPROVED,
            name=f"Reader {n}",
            email=f"long{n}@example.net",
            body=body,
            body_html=markup.render(body),
            created_at=when,
        )

    def set_paths(comments):
        for c in comments:
            segment = PATH_SEGMENT.format(millis=int(c.created_at.timestamp() * 1000), pk=c.pk)
            c.path = c.parent.path + PATH_SEPARATOR + segment if c.parent else segment
        Comment.objects.bulk_update(comments, ["path"])

    with transaction.atomic():
        roots = Comment.objects.bulk_create(
            [build(n, when=start + dt.timedelta(minutes=n)) for n in range(count // 5)]
        )
        set_paths(roots)
        replies = Comment.objects.bulk_create(
            [
                build(n, root, when=root.created_at + dt.timedelta(seconds=1 + i))
                for n, (root, i) in enumerate(
                    ((root, i) for root in roots for i in range(4)), start=len(roots)
                )
            ]
        )
        set_paths(replies)
        services._recount(page.pk)


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
