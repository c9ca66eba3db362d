"""After a reader erases themselves, no table of the database holds their address, the IP
addresses or the user agent they wrote from: every column of every table is swept, the
task queue, the sessions and the action log included."""

import hashlib
from urllib.parse import quote

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse

from commenters.tests.helpers import link_in
from comments import services
from comments.models import Comment, Commenter, ModerationEvent, ModerationRule, Report, Thread
from comments.tests import factories
from mailing import services as mailing
from masthead.scheduler import run_pending_tasks
from news.tests import factories as news
from notifications.models import Subscription

JANE = "Jane.Doe@Example.com"
JANE_IP = "203.0.113.77"
JANE_IPV6 = "2001:db8:77::7"
JANE_AGENT = "JaneBrowser/9.9 (Kestrel)"


def disguises(value: str) -> set[str]:
    """A value as it might be stored: as typed, lower case, URL-encoded, or hashed."""
    normal = value.strip().lower()
    return {
        normal,
        quote(normal, safe=""),
        hashlib.md5(normal.encode()).hexdigest(),
        hashlib.sha256(normal.encode()).hexdigest(),
    }


def sweep(*values: str) -> list[str]:
    """Every "table.column" whose text holds one of `values` in any disguise, over every
    column of every table in the database (models or not: the task queue, sessions, the
    admin's logs), and inside the decoded data of every session."""
    needles = sorted({d for v in values for d in disguises(v)})
    found = []
    quote_name = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                name = f"{quote_name(table)}.{quote_name(column.name)}"
                condition = " OR ".join([f"LOWER(CAST({name} AS TEXT)) LIKE %s"] * len(needles))
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote_name(table)} WHERE {condition}",
                    [f"%{n}%" for n in needles],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    for session in Session.objects.all():
        decoded = str(SessionStore().decode(session.session_data)).lower()
        if any(n in decoded for n in needles):
            found.append(f"session {session.pk}")
    return found


def test_after_an_erasure_no_table_holds_the_address_ip_or_user_agent(
    transactional_db, settings, smtp_server
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    article = news.article(title="Rates rise again")
    answered = factories.comment(
        article,
        body=f"Write to me at {JANE.lower()} about it.",
        email_address=JANE,
        website="https://jane.example",
    )
    bobs_reply = factories.reply(answered, name="Bob", email_address="bob@example.com")
    own_reply = factories.reply(bobs_reply, email_address=JANE.lower())
    held = factories.comment(article, email_address=JANE, status=Comment.Status.PENDING)
    spam = factories.comment(article, email_address=JANE, status=Comment.Status.SPAM)
    trashed = factories.comment(article, email_address=JANE, status=Comment.Status.TRASH)
    bob_alone = factories.comment(article, name="Bob", email_address="bob@example.com")
    jane_ids = [answered.pk, own_reply.pk, held.pk, spam.pk, trashed.pk]
    Comment.objects.filter(pk__in=jane_ids).update(ip_address=JANE_IP, user_agent=JANE_AGENT)
    Comment.objects.filter(pk=held.pk).update(ip_address=JANE_IPV6)
    Comment.objects.filter(pk=answered.pk).update(
        moderation_reasons=[f"email “{JANE.lower()}” is listed", f"ip “{JANE_IP}” is listed"]
    )
    ModerationEvent.objects.create(
        comment=answered, action="note", note=f"{JANE} wrote from {JANE_IP}"
    )
    Report.objects.create(
        comment=answered, reason="other", note=f"Is this {JANE}?", reporter="k" * 64
    )
    Commenter.objects.create(email=JANE.lower(), standing="trusted", note="regular")
    ModerationRule.objects.create(kind="email", value=JANE.lower(), action="hold")
    address = mailing.address_for(JANE, create=True)
    mailing.confirm(address=address)
    Subscription.objects.create(address=address, kind="page", page=article, mode="digest")
    Subscription.objects.create(address=address, kind="replies", page=article, comment=answered)
    moderator = factories.staff_user()
    services.moderate_comments(comment_ids=[held.pk], action="approve", moderator=moderator)
    services.moderate_comments(comment_ids=[held.pk], action="unapprove", moderator=moderator)

    reader = Client(REMOTE_ADDR=JANE_IP, HTTP_USER_AGENT=JANE_AGENT)
    assert reader.post(reverse("commenters:start"), {"email": JANE}).status_code == 200
    run_pending_tasks()  # the worker sends the sign-in mail
    assert reader.post(link_in(smtp_server[0])).status_code == 303
    assert len(reader.get(reverse("commenters:mine")).context["rows"]) == 5
    # Her edit leaves the text it replaced, address and all, in the comment's history.
    edit = reader.post(reverse("commenters:edit", args=[answered.pk]), {"body": "Thanks all."})
    assert edit.status_code == 303
    assert sweep(JANE) and sweep(JANE_IP) and sweep(JANE_AGENT), "stored before the erasure"

    response = reader.post(reverse("commenters:erase"), {"confirm": "on"})

    assert response.status_code == 200
    assert sweep(JANE, JANE_IP, JANE_IPV6, JANE_AGENT) == []
    # The thread keeps its shape: Bob's reply hangs from a placeholder that names nobody.
    remaining = Comment.objects.order_by("path")
    assert [(c.pk, c.name, c.is_removed, c.parent_id) for c in remaining] == [
        (answered.pk, "Deleted", True, None),
        (bobs_reply.pk, "Bob", False, answered.pk),
        (bob_alone.pk, "Bob", False, None),
    ]
    assert Thread.objects.get(page_id=article.pk).public_count == 2
    assert not Subscription.objects.exists()
