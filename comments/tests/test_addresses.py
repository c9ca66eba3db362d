"""What the proven owner of an address may do to the comments written under it, at any
time: list, edit, delete, erase. Placeholders keep threads in shape and name nobody."""

import pytest

from comments import selectors, services
from comments.errors import NotFound, ValidationFailed
from comments.models import Comment, Commenter, ModerationEvent, ModerationRule, Report, Thread
from comments.tests import factories
from news.tests import factories as news

JANE = "Jane@Example.com"


def public_count(page) -> int:
    return Thread.objects.get(page_id=page.pk).public_count


def test_a_commenters_comments_are_listed_by_address_whatever_its_case_newest_first(db):
    page = news.article()
    first = factories.comment(page, email_address="jane@example.com")
    held = factories.comment(page, email_address="JANE@example.com", status="pending")
    factories.comment(page, email_address="someone@example.com")

    listed = list(selectors.comments_by_email(" jane@EXAMPLE.com "))

    assert [c.pk for c in listed] == [held.pk, first.pk]
    assert [c.status for c in listed] == ["pending", "approved"]


def test_no_address_lists_nothing(db):
    factories.comment(email_address="")

    assert list(selectors.comments_by_email("  ")) == []


def test_the_owner_edits_a_comment_after_the_browsers_edit_window(db, settings):
    settings.MASTHEAD_COMMENTS_EDIT_MINUTES = 0
    comment = factories.comment(email_address=JANE)

    services.commenter_edit_comment(comment_id=comment.pk, email="jane@example.com", body="New")

    comment.refresh_from_db()
    assert (comment.body, comment.body_html.strip()) == ("New", "<p>New</p>")
    assert comment.edited_at is not None


def test_nobody_edits_or_deletes_a_comment_under_another_address(db):
    comment = factories.comment(email_address=JANE)

    with pytest.raises(NotFound):
        services.commenter_edit_comment(comment_id=comment.pk, email="x@example.com", body="Hi")
    with pytest.raises(NotFound):
        services.commenter_delete_comment(comment_id=comment.pk, email="x@example.com")
    with pytest.raises(NotFound):
        services.commenter_delete_comment(comment_id=comment.pk + 1, email=JANE)
    assert Comment.objects.get(pk=comment.pk).body == comment.body


def test_a_spam_or_trashed_comment_cannot_be_rewritten_only_deleted(db):
    comment = factories.comment(email_address=JANE, status=Comment.Status.SPAM)

    with pytest.raises(ValidationFailed) as raised:
        services.commenter_edit_comment(comment_id=comment.pk, email=JANE, body="Buy now")

    assert raised.value.message == "This comment can no longer be edited."
    services.commenter_delete_comment(comment_id=comment.pk, email=JANE)
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_an_empty_edit_is_refused(db):
    comment = factories.comment(email_address=JANE)

    with pytest.raises(ValidationFailed) as raised:
        services.commenter_edit_comment(comment_id=comment.pk, email=JANE, body="  ")

    assert raised.value.fields == {"body": ["Please type your comment."]}


def test_a_deleted_comment_with_replies_leaves_a_placeholder_that_names_nobody(db):
    page = news.article()
    comment = factories.comment(page, email_address=JANE, website="https://jane.example")
    Comment.objects.filter(pk=comment.pk).update(
        user_agent="JaneBrowser/1.0", moderation_reasons=["email “jane@example.com” is listed"]
    )
    ModerationEvent.objects.create(
        comment=comment, action="note", note="from jane@example.com at 192.0.2.10"
    )
    Report.objects.create(comment=comment, reason="other", note="JANE@example.com again")
    reply = factories.reply(comment)

    services.commenter_delete_comment(comment_id=comment.pk, email=JANE)

    placeholder = Comment.objects.get(pk=comment.pk)
    assert (placeholder.is_removed, placeholder.name, placeholder.email) == (True, "Deleted", "")
    assert (placeholder.body, placeholder.website, placeholder.user_agent) == ("", "", "")
    assert placeholder.ip_address is None
    assert placeholder.moderation_reasons == ["email “[erased]” is listed"]
    assert list(placeholder.events.exclude(action="submitted").values_list("note", flat=True)) == [
        "from [erased] at [erased]"
    ]
    assert list(placeholder.reports.values_list("note", flat=True)) == ["[erased] again"]
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk
    assert public_count(page) == 1


def test_the_browser_authors_delete_also_leaves_a_placeholder_that_names_nobody(db):
    comment = factories.comment(name="Jane Reader", email_address=JANE)
    factories.reply(comment)

    services.author_delete_comment(comment_id=comment.pk, own_ids=[comment.pk])

    placeholder = Comment.objects.get(pk=comment.pk)
    assert (placeholder.name, placeholder.email, placeholder.ip_address) == ("Deleted", "", None)


def test_erasure_removes_every_comment_keeping_placeholders_only_under_others_replies(db):
    page = news.article()
    answered = factories.comment(page, email_address=JANE)
    others_reply = factories.reply(answered, email_address="bob@example.com")
    alone = factories.comment(page, email_address="jane@example.com")
    # Jane answering herself: once the reply is gone, nothing hangs below the first.
    selfthread = factories.comment(page, email_address=JANE)
    factories.reply(selfthread, email_address=JANE)
    held = factories.comment(page, email_address=JANE, status=Comment.Status.PENDING)
    Commenter.objects.create(email="jane@example.com", standing="trusted")
    ModerationRule.objects.create(kind="email", value="jane@example.com", action="hold")

    erased = services.erase_commenter(email=" JANE@example.com")

    assert erased == services.Erased(comments_deleted=4, placeholders_kept=1, standings_dropped=2)
    remaining = Comment.objects.order_by("pk")
    assert [(c.pk, c.name, c.email, c.is_removed) for c in remaining] == [
        (answered.pk, "Deleted", "", True),
        (others_reply.pk, "Jane Reader", "bob@example.com", False),
    ]
    assert not Comment.objects.filter(pk__in=[alone.pk, selfthread.pk, held.pk]).exists()
    assert public_count(page) == 1
    assert not Commenter.objects.exists()
    assert not ModerationRule.objects.exists()


def test_erasing_an_address_nobody_used_changes_nothing(db):
    comment = factories.comment(email_address="bob@example.com")

    assert services.erase_commenter(email="nobody@example.com") == services.Erased()
    assert services.erase_commenter(email="") == services.Erased()
    assert Comment.objects.get(pk=comment.pk).email == "bob@example.com"
