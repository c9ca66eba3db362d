"""Moderation in the Wagtail admin: the queue, one-click and bulk decisions, edit."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group

from comments.models import Comment, Commenter, Thread
from comments.tests import factories
from news.tests import factories as news

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/"
ACT = "/admin/comments/act/"


@pytest.fixture
def moderator(client):
    user = factories.staff_user("moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    return user


def public_count(page) -> int:
    return Thread.objects.get(page_id=page.pk).public_count


def test_the_queue_lists_pending_comments_newest_first_with_email_and_ip(client, moderator):
    article = news.article("Bridge closes")
    older = factories.comment(article, body="Older pending", status=Comment.Status.PENDING)
    newer = factories.comment(
        article,
        body="Newer pending",
        email_address="writer@example.org",
        status=Comment.Status.PENDING,
    )
    factories.comment(article, body="Already approved")

    response = client.get(QUEUE)

    assert response.status_code == 200
    rows = BeautifulSoup(response.content, "html.parser").select(".comments-listing tbody tr")
    assert [row["id"] for row in rows] == [f"row-{newer.pk}", f"row-{older.pk}"]
    assert "writer@example.org" in rows[0].get_text()
    assert "192.0.2.10" in rows[0].get_text()
    assert "Bridge closes" in rows[0].get_text()


def test_the_admin_menu_shows_how_many_comments_wait(client, moderator):
    factories.comment(status=Comment.Status.PENDING)
    factories.comment(status=Comment.Status.PENDING)

    response = client.get("/admin/")

    assert "Comments (2 pending)" in response.content.decode()


def test_one_click_approve_publishes_the_comment_and_counts_it(client, moderator):
    article = news.article()
    held = factories.comment(article, status=Comment.Status.PENDING)

    response = client.post(ACT, {"ids": [held.pk], "action": "approve", "next": QUEUE})

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    assert public_count(article) == 1
    assert "1 Comment" in client.get(article.url).content.decode()


def test_bulk_spam_then_restore_returns_comments_to_where_they_were(client, moderator):
    article = news.article()
    approved = factories.comment(article)
    pending = factories.comment(article, status=Comment.Status.PENDING)

    client.post(ACT, {"ids": [approved.pk, pending.pk], "action": "spam"})
    assert set(Comment.objects.values_list("status", flat=True)) == {"spam"}
    assert public_count(article) == 0

    client.post(ACT, {"ids": [approved.pk, pending.pk], "action": "restore"})
    approved.refresh_from_db()
    pending.refresh_from_db()
    assert (approved.status, pending.status) == ("approved", "pending")
    assert public_count(article) == 1


def test_trash_and_delete_forever(client, moderator):
    article = news.article()
    comment = factories.comment(article)

    client.post(ACT, {"ids": [comment.pk], "action": "trash"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.TRASH
    trash = client.get(QUEUE + "?status=trash").content.decode()
    assert f'id="row-{comment.pk}"' in trash

    client.post(ACT, {"ids": [comment.pk], "action": "delete"})
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert public_count(article) == 0


def test_an_unknown_action_changes_nothing_and_says_so(client, moderator):
    comment = factories.comment(status=Comment.Status.PENDING)

    response = client.post(ACT, {"ids": [comment.pk], "action": "explode"}, follow=True)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "Unknown action." in response.content.decode()


def test_a_moderator_edits_a_comment_and_the_page_shows_the_new_text(client, moderator):
    article = news.article()
    comment = factories.comment(article, body="Teh original")

    response = client.post(
        f"/admin/comments/{comment.pk}/edit/",
        {
            "name": "Jane Reader",
            "email": "jane@example.com",
            "website": "",
            "body": "The **fixed** text",
        },
    )

    assert response.status_code == 302
    page = client.get(article.url).content.decode()
    assert "The <strong>fixed</strong> text" in page
    assert "Teh original" not in page


def test_filters_by_article_and_search(client, moderator):
    one, two = news.article("First story"), news.article("Second story")
    a = factories.comment(one, body="about the first", status=Comment.Status.PENDING)
    b = factories.comment(two, body="about the second", status=Comment.Status.PENDING)

    by_page = client.get(f"{QUEUE}?status=pending&page_id={two.pk}").content.decode()
    by_text = client.get(f"{QUEUE}?status=all&q=the+first").content.decode()

    assert f'id="row-{b.pk}"' in by_page and f'id="row-{a.pk}"' not in by_page
    assert f'id="row-{a.pk}"' in by_text and f'id="row-{b.pk}"' not in by_text


def test_staff_without_the_permission_cannot_moderate(client):
    reporter = factories.staff_user("reporter")
    reporter.groups.add(Group.objects.get(name="Editors"))
    client.force_login(reporter)
    comment = factories.comment(status=Comment.Status.PENDING)

    # Wagtail sends them back to the dashboard with "you do not have permission".
    queue = client.get(QUEUE)
    decision = client.post(ACT, {"ids": [comment.pk], "action": "approve"})
    assert (queue.status_code, queue["Location"]) == (302, "/admin/")
    assert (decision.status_code, decision["Location"]) == (302, "/admin/")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.parametrize("website", ["ftp://files.example.org/", "javascript:alert(1)"])
def test_a_moderators_edit_with_a_website_that_is_not_http_is_a_field_error(
    client, moderator, website
):
    comment = factories.comment(body="The original", website="https://jane.example.net/")

    response = client.post(
        f"/admin/comments/{comment.pk}/edit/",
        {"name": "Jane Reader", "email": "jane@example.com", "website": website, "body": "New"},
    )

    assert response.status_code == 400
    errors = BeautifulSoup(response.content, "html.parser").select(".error-message")
    assert [e.get_text(strip=True) for e in errors] == [
        "Please enter a web address, like https://example.com."
    ]
    comment.refresh_from_db()
    assert (comment.body, comment.website) == ("The original", "https://jane.example.net/")


# Permissions -------------------------------------------------------------------------------


def staff_with(client, *codenames):
    """A signed-in member of a group holding only these comment permissions."""
    from django.contrib.auth.models import Permission

    group = Group.objects.create(name="Desk " + "-".join(codenames))
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="comments", codename__in=codenames)
    )
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = factories.staff_user("desk-" + "-".join(codenames))
    user.groups.add(group)
    client.force_login(user)
    return user


def buttons(client, status) -> dict:
    """The one-click and bulk actions the queue offers on the `status` tab."""
    page = BeautifulSoup(client.get(f"{QUEUE}?status={status}").content, "html.parser")
    return {
        "row": sorted({b["data-action"] for b in page.select(".comments-listing [data-action]")}),
        "bulk": sorted(o["value"] for o in page.select("#bulk-action option")),
    }


def test_the_change_permission_alone_moderates_but_cannot_delete_forever_trust_or_ban(client):
    staff_with(client, "change_comment")
    pending = factories.comment(status=Comment.Status.PENDING, email_address="p@example.org")
    spam = factories.comment(status=Comment.Status.SPAM, email_address="s@example.org")

    assert buttons(client, "pending")["row"] == ["approve", "spam", "trash"]
    assert buttons(client, "spam") == {
        "row": ["approve", "restore"],
        "bulk": ["approve", "feature", "restore", "spam", "trash", "unapprove", "unfeature"],
    }
    answers = [
        client.post(ACT, {"ids": [spam.pk], "action": "delete"}),
        client.post(ACT, {"ids": [pending.pk], "action": "trust"}),
        client.post(ACT, {"ids": [pending.pk], "action": "ban"}),
    ]
    assert [(a.status_code, a["Location"]) for a in answers] == [(302, "/admin/")] * 3
    assert Comment.objects.filter(pk=spam.pk).exists()
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING
    assert not Commenter.objects.exists()
    approve = client.post(ACT, {"ids": [pending.pk], "action": "approve", "next": QUEUE})
    assert approve["Location"] == QUEUE
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED


def test_each_of_delete_forever_trust_and_ban_takes_its_own_permission(client):
    staff_with(client, "change_comment", "ban_commenter")
    pending = factories.comment(status=Comment.Status.PENDING, email_address="p@example.org")
    factories.comment(status=Comment.Status.SPAM)

    assert buttons(client, "pending")["row"] == ["approve", "ban", "spam", "trash"]
    assert buttons(client, "spam")["row"] == ["approve", "ban", "restore"]
    trusted = client.post(ACT, {"ids": [pending.pk], "action": "trust"})
    banned = client.post(ACT, {"ids": [pending.pk], "action": "ban", "next": QUEUE})

    assert (trusted["Location"], banned["Location"]) == ("/admin/", QUEUE)
    assert list(Commenter.objects.values_list("email", "standing")) == [("p@example.org", "banned")]


def test_the_moderators_group_holds_every_comment_permission(client, moderator):
    factories.comment(status=Comment.Status.PENDING)
    factories.comment(status=Comment.Status.SPAM)

    assert buttons(client, "pending")["row"] == ["approve", "ban", "spam", "trash", "trust"]
    assert buttons(client, "spam")["row"] == ["approve", "ban", "delete", "restore"]
