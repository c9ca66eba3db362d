"""The comment services: submitting, moderating, the author's edit and delete, closing.
Every change keeps the page's public count equal to its visible comments."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from comments import services, signals
from comments.errors import CommentsClosed, EditWindowClosed, NotFound, ValidationFailed
from comments.models import PATH_SEGMENT_LENGTH, Comment, Thread
from comments.tests import factories
from news.tests import factories as news


def submit(page, **values) -> Comment:
    data = {"body": "Fair point.", "name": "Jane Reader", "email": "jane@example.com"}
    data.update(values)
    return services.submit_comment(page=page, **data)


def public_count(page) -> int:
    return Thread.objects.get(page_id=page.pk).public_count


def statuses(*comments) -> list[str]:
    return [Comment.objects.get(pk=c.pk).status for c in comments]


# Submitting ------------------------------------------------------------------------------


def test_a_first_comment_from_an_email_address_is_held_with_the_reason(db):
    page = news.article()

    comment = submit(page)

    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reasons == ["hold: first comment from this email address"]
    assert Thread.objects.filter(page_id=page.pk).exists() is False
    assert services.public_count(page.pk) == 0


def test_after_one_is_approved_the_same_email_in_any_case_goes_straight_through(db):
    page = news.article()
    first = submit(page, email="Jane@Example.com")
    services.moderate_comments(comment_ids=[first.pk], action="approve")

    second = submit(news.article(), email="jane@example.COM", own_ids=[first.pk])

    assert second.status == Comment.Status.APPROVED
    assert second.moderation_reasons == ["accept: known commenter"]


def test_a_held_or_spam_comment_does_not_make_its_author_known(db):
    page = news.article()
    factories.comment(page, email_address="jane@example.com", status=Comment.Status.PENDING)
    factories.comment(page, email_address="jane@example.com", status=Comment.Status.SPAM)

    assert submit(page).status == Comment.Status.PENDING


def test_moderation_all_holds_even_known_commenters(db, settings):
    page = news.article()
    factories.comment(page, email_address="jane@example.com")
    settings.MASTHEAD_COMMENTS_MODERATION = "all"

    comment = submit(page)

    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reasons == ["hold: every comment is held for review"]


def test_moderation_none_publishes_a_first_comment(db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()

    comment = submit(page)

    assert comment.status == Comment.Status.APPROVED
    assert public_count(page) == 1


def test_a_staff_member_comments_as_themselves_from_the_newsroom(db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "all"
    user = factories.staff_user()

    comment = submit(news.article(), user=user, name="Someone Else", email="x@example.com")

    assert (comment.name, comment.email, comment.user, comment.is_newsroom) == (
        "Ada Editor",
        "editor@newsroom.example",
        user,
        True,
    )
    assert comment.status == Comment.Status.APPROVED


def test_a_signed_in_reader_who_is_not_staff_comments_as_a_reader(db):
    user = factories.staff_user("reader", is_staff=False)

    comment = submit(news.article(), user=user, name="Rea Der")

    assert (comment.name, comment.user, comment.is_newsroom) == ("Rea Der", None, False)
    assert comment.status == Comment.Status.PENDING


def test_text_is_stored_trimmed_and_rendered_once(db):
    comment = submit(news.article(), body="  Hello *there*  \n", name="  Jane  ")

    assert (comment.body, comment.name) == ("Hello *there*", "Jane")
    assert comment.body_html == "<p>Hello <em>there</em></p>"


def test_what_moderators_see_of_a_comment_is_what_was_posted(db):
    posted_at = timezone.now().replace(microsecond=123456)
    comment = submit(
        news.article(),
        website="https://jane.example",
        ip_address="2001:db8::1",
        user_agent="Reader/1.0",
        created_at=posted_at,
    )

    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.name, stored.email, stored.website, stored.body) == (
        "Jane Reader",
        "jane@example.com",
        "https://jane.example",
        "Fair point.",
    )
    assert (stored.ip_address, stored.user_agent) == ("2001:db8::1", "Reader/1.0")
    assert stored.created_at == posted_at
    assert stored.moderation_reasons == ["hold: first comment from this email address"]
    assert (stored.status, stored.depth, stored.is_newsroom) == ("pending", 1, False)
    event = stored.events.get()
    assert (event.action, event.to_status, event.actor) == ("submitted", "pending", None)
    assert event.note == "hold: first comment from this email address"
    assert abs(timezone.now() - event.at) < dt.timedelta(minutes=1)


def test_a_receiver_of_save_signals_still_hears_of_each_new_comment(db):
    from django.db.models.signals import post_save

    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(receiver, sender=Comment)
    try:
        comment = submit(news.article())
    finally:
        post_save.disconnect(receiver, sender=Comment)

    assert heard == [(comment.pk, True)]
    assert Comment.objects.get(pk=comment.pk).body == "Fair point."


def test_each_missing_field_is_reported(db):
    with pytest.raises(ValidationFailed) as raised:
        submit(news.article(), body=" ", name="", email="")

    assert raised.value.fields == {
        "body": ["Please type your comment."],
        "name": ["Please enter your name."],
        "email": ["Please enter your email address."],
    }
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "limit"), [("body", 5000), ("name", 100), ("email", 254), ("website", 200)]
)
def test_a_value_over_its_limit_is_refused_not_truncated(db, field, limit):
    value = "x" * (limit + 1)

    with pytest.raises(ValidationFailed) as raised:
        submit(news.article(), **{field: value})

    assert raised.value.fields == {
        field: [f"Ensure this value has at most {limit} characters (it has {limit + 1})."]
    }
    assert Comment.objects.count() == 0


def test_a_top_level_comment_has_a_path_of_its_time_and_id(db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    when = dt.datetime(2024, 1, 4, 12, 30, tzinfo=dt.UTC)

    comment = submit(news.article(), created_at=when)

    assert comment.path == f"{int(when.timestamp() * 1000):013d}{comment.pk:010d}"
    assert len(comment.path) == PATH_SEGMENT_LENGTH
    assert Comment.objects.get(pk=comment.pk).path == comment.path
    assert comment.depth == 1


def test_a_reply_extends_its_parents_path(db):
    parent = factories.comment()

    reply = factories.reply(parent)

    assert reply.path.startswith(parent.path + "/")
    assert len(reply.path) == 2 * PATH_SEGMENT_LENGTH + 1
    assert (reply.depth, reply.parent_id) == (2, parent.pk)


def test_a_reply_beyond_the_depth_limit_is_stored_beside_its_parent(db, settings):
    settings.MASTHEAD_COMMENTS_MAX_DEPTH = 2
    root = factories.comment()
    second = factories.reply(root)

    third = factories.reply(second)

    assert (third.depth, third.parent_id) == (2, root.pk)
    assert third.path.startswith(root.path + "/")


def test_threads_nest_five_deep_by_default(db):
    comment = factories.comment()
    depths = [comment.depth]
    for _ in range(6):
        comment = factories.reply(comment)
        depths.append(comment.depth)

    assert depths == [1, 2, 3, 4, 5, 5, 5]


def test_a_reply_to_a_comment_that_is_not_public_is_refused(db):
    page = news.article()
    held = factories.comment(page, status=Comment.Status.PENDING)
    trashed = factories.comment(page, status=Comment.Status.TRASH)

    for parent in (held, trashed):
        with pytest.raises(ValidationFailed) as raised:
            submit(page, parent=parent)
        assert raised.value.fields == {
            "parent": ["The comment you are replying to is not available."]
        }


def test_a_reply_to_a_comment_on_another_page_is_refused(db):
    elsewhere = factories.comment()

    with pytest.raises(ValidationFailed):
        submit(news.article(), parent=elsewhere)


def test_a_public_comment_tells_listeners_after_the_commit(
    db, settings, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    signals.thread_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            comment = submit(page)
            assert heard == []
    finally:
        signals.thread_changed.disconnect(listener)

    assert heard == [
        {"signal": signals.thread_changed, "page_id": page.pk, "comment_ids": [comment.pk]}
    ]


# Open and closed -------------------------------------------------------------------------


def test_comments_are_open_by_default_and_forever(db):
    page = news.article(published_at=timezone.now() - dt.timedelta(days=3650))

    assert services.comments_open(page) is True


def test_an_article_can_be_closed_by_hand(db):
    page = news.article(comments_enabled=False)

    assert services.comments_open(page) is False
    with pytest.raises(CommentsClosed) as raised:
        submit(page)
    assert (raised.value.status, raised.value.message) == (403, "Comments are closed.")


def test_comments_close_after_the_configured_number_of_days(db, settings):
    settings.MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS = 7

    old = news.article(published_at=timezone.now() - dt.timedelta(days=8))
    recent = news.article(published_at=timezone.now() - dt.timedelta(days=2))

    assert (services.comments_open(old), services.comments_open(recent)) == (False, True)
    with pytest.raises(CommentsClosed):
        submit(old)


def test_a_page_without_a_comment_section_takes_no_comments(db):
    with pytest.raises(CommentsClosed):
        submit(news.section())


# Moderators ------------------------------------------------------------------------------


def test_approving_publishes_and_counts_in_one_step(db):
    page = news.article()
    held = [factories.comment(page, status=Comment.Status.PENDING) for _ in range(3)]

    changed = services.moderate_comments(comment_ids=[c.pk for c in held[:2]], action="approve")

    assert changed == 2
    assert statuses(*held) == ["approved", "approved", "pending"]
    assert public_count(page) == 2


def test_each_moderator_action_keeps_the_public_count_right(db):
    page = news.article()
    comment = factories.comment(page, status=Comment.Status.PENDING)
    factories.comment(page)
    steps = [
        ("approve", "approved", 2),
        ("unapprove", "pending", 1),
        ("approve", "approved", 2),
        ("spam", "spam", 1),
        ("restore", "approved", 2),
        ("trash", "trash", 1),
        ("restore", "approved", 2),
    ]

    seen = []
    for action, _, _ in steps:
        services.moderate_comments(comment_ids=[comment.pk], action=action)
        approved = Comment.objects.filter(page=page, status=Comment.Status.APPROVED).count()
        assert public_count(page) == approved
        seen.append((action, statuses(comment)[0], public_count(page)))

    assert seen == steps


def test_restoring_a_held_comment_from_the_trash_holds_it_again(db):
    comment = factories.comment(status=Comment.Status.PENDING)
    services.moderate_comments(comment_ids=[comment.pk], action="trash")

    services.moderate_comments(comment_ids=[comment.pk], action="restore")

    assert statuses(comment) == ["pending"]


def test_trash_after_spam_restores_to_the_status_before_both(db):
    comment = factories.comment()
    services.moderate_comments(comment_ids=[comment.pk], action="spam")
    services.moderate_comments(comment_ids=[comment.pk], action="trash")

    services.moderate_comments(comment_ids=[comment.pk], action="restore")

    assert statuses(comment) == ["approved"]


def test_deleting_forever_removes_the_comment_and_recounts(db):
    page = news.article()
    comments = [factories.comment(page) for _ in range(3)]

    changed = services.moderate_comments(comment_ids=[comments[0].pk], action="delete")

    assert changed == 1
    assert not Comment.objects.filter(pk=comments[0].pk).exists()
    assert public_count(page) == 2


def test_an_action_that_changes_nothing_counts_nothing(db):
    comment = factories.comment()

    assert services.moderate_comments(comment_ids=[comment.pk], action="approve") == 0
    assert services.moderate_comments(comment_ids=[comment.pk], action="restore") == 0
    assert services.moderate_comments(comment_ids=[999999], action="trash") == 0


def test_an_unknown_action_is_refused(db):
    comment = factories.comment()

    with pytest.raises(ValidationFailed) as raised:
        services.moderate_comments(comment_ids=[comment.pk], action="publish")

    assert raised.value.fields == {"action": ["Unknown action."]}
    assert statuses(comment) == ["approved"]


def test_a_bulk_action_over_several_articles_recounts_each(db):
    first, second = news.article(), news.article()
    on_first = [factories.comment(first, status=Comment.Status.PENDING) for _ in range(2)]
    on_second = factories.comment(second, status=Comment.Status.PENDING)

    services.moderate_comments(comment_ids=[c.pk for c in (*on_first, on_second)], action="approve")

    assert (public_count(first), public_count(second)) == (2, 1)


def test_a_moderator_edit_rerenders_the_text(db):
    comment = factories.comment()

    services.moderator_edit_comment(
        comment=comment, name="Jane", email="jane@example.com", website="", body="**Edited**"
    )

    comment.refresh_from_db()
    assert (comment.body_html, comment.edited_at is not None) == (
        "<p><strong>Edited</strong></p>",
        True,
    )


# The author's edit and delete ------------------------------------------------------------


def test_the_author_edits_within_the_window(db):
    comment = factories.comment(body="Teh")

    edited = services.author_edit_comment(comment_id=comment.pk, own_ids=[comment.pk], body="The")

    assert (edited.body, edited.body_html) == ("The", "<p>The</p>")
    assert edited.edited_at is not None


def test_a_comment_that_is_not_the_authors_is_not_found(db):
    comment = factories.comment()

    with pytest.raises(NotFound):
        services.author_edit_comment(comment_id=comment.pk, own_ids=[comment.pk + 1], body="x")
    with pytest.raises(NotFound):
        services.author_delete_comment(comment_id=comment.pk, own_ids=[])


def test_after_the_window_the_author_can_no_longer_change_it(db, settings):
    settings.MASTHEAD_COMMENTS_EDIT_MINUTES = 15
    comment = factories.comment(
        body="Stays", created_at=timezone.now() - dt.timedelta(minutes=15, seconds=5)
    )

    with pytest.raises(EditWindowClosed):
        services.author_edit_comment(comment_id=comment.pk, own_ids=[comment.pk], body="x")
    with pytest.raises(EditWindowClosed):
        services.author_delete_comment(comment_id=comment.pk, own_ids=[comment.pk])
    assert Comment.objects.get(pk=comment.pk).body == "Stays"


def test_a_comment_a_moderator_has_trashed_cannot_be_edited_by_its_author(db):
    comment = factories.comment(status=Comment.Status.TRASH)

    with pytest.raises(EditWindowClosed):
        services.author_edit_comment(comment_id=comment.pk, own_ids=[comment.pk], body="x")


def test_the_author_deletes_a_comment_without_replies_entirely(db):
    page = news.article()
    comment = factories.comment(page)

    services.author_delete_comment(comment_id=comment.pk, own_ids=[comment.pk])

    assert Comment.objects.count() == 0
    assert public_count(page) == 0


def test_the_author_deletes_a_comment_with_replies_to_a_placeholder(db):
    page = news.article()
    comment = factories.comment(page, website="https://me.example")
    reply = factories.reply(comment)

    services.author_delete_comment(comment_id=comment.pk, own_ids=[comment.pk])

    placeholder = Comment.objects.get(pk=comment.pk)
    assert (placeholder.is_removed, placeholder.body, placeholder.body_html) == (True, "", "")
    assert placeholder.website == ""
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk
    assert public_count(page) == 1


def test_a_comment_whose_only_replies_are_spam_or_trash_is_deleted_entirely(db):
    page = news.article()
    comment = factories.comment(page)
    factories.reply(comment, status=Comment.Status.SPAM)
    factories.reply(comment, status=Comment.Status.TRASH)

    services.author_delete_comment(comment_id=comment.pk, own_ids=[comment.pk])

    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert public_count(page) == 0


def test_a_comment_with_a_held_reply_keeps_a_placeholder_for_it(db):
    comment = factories.comment()
    factories.reply(comment, status=Comment.Status.PENDING)

    services.author_delete_comment(comment_id=comment.pk, own_ids=[comment.pk])

    assert Comment.objects.get(pk=comment.pk).is_removed is True


def test_a_placeholder_cannot_be_edited_or_deleted_again(db):
    comment = factories.comment()
    factories.reply(comment)
    services.author_delete_comment(comment_id=comment.pk, own_ids=[comment.pk])

    with pytest.raises(EditWindowClosed):
        services.author_edit_comment(comment_id=comment.pk, own_ids=[comment.pk], body="Back")


# Under concurrency ------------------------------------------------------------------------


def in_threads(count: int, work) -> list[Exception]:
    """Run work(n) in `count` threads started together, each on its own connection."""
    errors = []
    start = threading.Barrier(count)

    def run(n):
        try:
            start.wait()
            work(n)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_comments_posted_and_moderated_at_once_keep_the_count_right(settings):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs a database that several connections share (PostgreSQL, SQLite file)")
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()
    held = [factories.comment(page, status=Comment.Status.PENDING) for _ in range(8)]

    def work(n):
        for i in range(6):
            submit(page, email=f"writer{n}@example.com", body=f"Comment {i} of writer {n}.")
        services.moderate_comments(comment_ids=[held[n].pk], action="approve")

    errors = in_threads(8, work)

    assert errors == []
    assert Comment.objects.filter(page=page, status=Comment.Status.APPROVED).count() == 56
    assert public_count(page) == 56


def test_a_website_that_is_not_a_web_address_is_a_field_error(db):
    from comments.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        submit(news.article(), website="javascript:alert(1)")

    assert refused.value.fields == {
        "website": ["Please enter a web address, like https://example.com."]
    }
