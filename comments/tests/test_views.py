"""The comment section as a reader without JavaScript uses it: the form, a plain POST, the
redirect or the page again with errors, held comments, editing and deleting, closing."""

import datetime as dt
import json
from urllib.parse import unquote

from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from comments import services
from comments.models import Comment, Thread
from comments.readers import COMMENTER_COOKIE
from comments.tests import factories
from news.tests import factories as news


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def form_data(article, **values) -> dict:
    data = {
        "page": article.pk,
        "body": "The harbour master said the same in 1998.",
        "name": "Jane Reader",
        "email": "jane@example.com",
        "website": "",
    }
    data.update(values)
    return data


def post(client, article, **values):
    return client.post(
        "/comments/post/", factories.form_fields(client, article, **form_data(article, **values))
    )


def seen_by_readers(tags) -> list:
    """Leave out what is hidden from people (and assistive technology) on purpose."""
    return [t for t in tags if not t.find_parent(attrs={"aria-hidden": "true"})]


def typed_text(response) -> str:
    # The parser keeps the newline that the textarea's markup starts with; browsers drop it.
    return soup(response).find(id="id_body").get_text().removeprefix("\n")


def field_error(response, css: str) -> str:
    """The message shown at one field of the re-rendered form ('' when none)."""
    node = soup(response).select_one(f"#commentform .{css} .form-error")
    return node.get_text() if node else ""


def form_messages(response) -> list[str]:
    return [li.get_text() for li in soup(response).select("#commentform .form-messages li")]


# The form --------------------------------------------------------------------------------


def test_the_form_has_the_labels_note_and_button_readers_know(client, db):
    page = news.article()

    form = soup(client.get(page.url)).find(id="respond")

    assert form.find("h3").select_one(".reply-title-text").get_text() == "Leave a Reply"
    assert form.select_one(".comment-notes").get_text() == (
        "Your email address will not be published. Required fields are marked *"
    )
    labels = [label.get_text() for label in seen_by_readers(form.select("form label"))]
    assert labels == [
        "Comment *",
        "Name *",
        "Email *",
        "Website",
        "Save my name, email, and website in this browser for the next time I comment.",
        "Email me when someone replies to my comment",
        "Email me about new comments on this article",
    ]
    consent = form.find(id="id_save_commenter")
    assert (consent["type"], consent.has_attr("checked")) == ("checkbox", False)
    assert form.select_one("button[type=submit]").get_text() == "Post Comment"
    assert form.find(id="cancel-comment-reply-link").has_attr("hidden")
    assert form.find("form")["action"] == "/comments/post/"
    assert form.find(id="id_page")["value"] == str(page.pk)


def test_replying_to_a_comment_names_its_author_and_offers_to_cancel(client, db):
    page = news.article()
    comment = factories.comment(page, name="Sam O'Neil")

    form = soup(client.get(f"{page.url}?replytocom={comment.pk}")).find(id="respond")

    assert form.select_one(".reply-title-text").get_text() == "Leave a Reply to Sam O'Neil"
    cancel = form.find(id="cancel-comment-reply-link")
    assert (cancel.get_text(), cancel["href"], cancel.has_attr("hidden")) == (
        "Cancel reply",
        f"{page.url}#respond",
        False,
    )
    assert form.find(id="id_parent")["value"] == str(comment.pk)


def test_replying_to_a_comment_that_is_not_shown_is_a_plain_reply_form(client, db):
    page = news.article()
    held = factories.comment(page, status=Comment.Status.PENDING)
    elsewhere = factories.comment()

    for target in (held.pk, elsewhere.pk, "abc", 999999):
        form = soup(client.get(f"{page.url}?replytocom={target}")).find(id="respond")
        assert form.select_one(".reply-title-text").get_text() == "Leave a Reply"
        assert not form.find(id="id_parent").has_attr("value")


# Posting without JavaScript --------------------------------------------------------------


def test_a_posted_comment_redirects_to_its_anchor_on_the_article(client, db):
    page = news.article()

    response = post(client, page, website="https://jane.example")

    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{page.url}#comment-{comment.pk}"
    assert (comment.page_id, comment.name, comment.email, comment.website, comment.body) == (
        page.pk,
        "Jane Reader",
        "jane@example.com",
        "https://jane.example",
        "The harbour master said the same in 1998.",
    )
    assert (comment.depth, comment.parent_id, comment.ip_address) == (1, None, "127.0.0.1")


def test_a_posted_reply_is_stored_under_its_parent(client, db):
    page = news.article()
    parent = factories.comment(page)

    response = post(client, page, parent=parent.pk)

    reply = Comment.objects.exclude(pk=parent.pk).get()
    assert response["Location"] == f"{page.url}#comment-{reply.pk}"
    assert (reply.parent_id, reply.depth) == (parent.pk, 2)


def test_a_comment_posted_onto_a_later_page_of_the_thread_redirects_there(client, db, settings):
    settings.MASTHEAD_COMMENTS_PER_PAGE = 2
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()
    for _ in range(2):
        factories.comment(page)

    response = post(client, page)

    comment = Comment.objects.latest("pk")
    assert response["Location"] == f"{page.url}?cpage=2#comment-{comment.pk}"


def test_a_missing_name_brings_the_page_back_with_the_text_intact(client, db):
    page = news.article()

    response = post(client, page, name="", body="Line one\nLine <two> & three")

    assert response.status_code == 400
    assert field_error(response, "comment-form-author") == "Please enter your name."
    assert field_error(response, "comment-form-comment") == ""
    assert typed_text(response) == "Line one\nLine <two> & three"
    assert soup(response).find(id="id_email")["value"] == "jane@example.com"
    assert soup(response).find("h1").get_text() == page.title
    assert Comment.objects.count() == 0


def test_every_missing_field_gets_its_own_message(client, db):
    page = news.article()

    response = post(client, page, body="  ", name="", email="")

    assert response.status_code == 400
    assert field_error(response, "comment-form-comment") == "Please type your comment."
    assert field_error(response, "comment-form-author") == "Please enter your name."
    assert field_error(response, "comment-form-email") == "Please enter your email address."
    assert field_error(response, "comment-form-url") == ""


def test_a_bad_email_address_is_a_field_error(client, db):
    page = news.article()

    response = post(client, page, email="jane-at-example")

    assert response.status_code == 400
    assert field_error(response, "comment-form-email") == (
        "Please enter a valid email address, like name@example.com."
    )
    assert Comment.objects.count() == 0


def test_a_field_error_is_announced_at_its_field(client, db):
    page = news.article()

    page_html = soup(post(client, page, email="nope"))

    email = page_html.find(id="id_email")
    assert email["aria-invalid"] == "true"
    assert page_html.find(id=email["aria-describedby"]).get_text() == (
        "Please enter a valid email address, like name@example.com."
    )


def test_a_comment_over_5000_characters_is_refused_not_cut(client, db):
    page = news.article()
    body = "word " * 1000 + "x"

    response = post(client, page, body=body)

    assert response.status_code == 400
    assert field_error(response, "comment-form-comment") == (
        "Ensure this value has at most 5000 characters (it has 5001)."
    )
    assert typed_text(response) == body
    assert Comment.objects.count() == 0


def test_a_comment_of_exactly_5000_characters_is_accepted(client, db):
    page = news.article()

    response = post(client, page, body="x" * 5000)

    assert response.status_code == 303
    assert len(Comment.objects.get().body) == 5000


def test_a_name_over_100_characters_is_a_field_error(client, db):
    page = news.article()

    response = post(client, page, name="N" * 101)

    assert response.status_code == 400
    assert field_error(response, "comment-form-author") == (
        "Ensure this value has at most 100 characters (it has 101)."
    )
    assert Comment.objects.count() == 0


def test_a_website_over_200_characters_is_a_field_error(client, db):
    page = news.article()
    website = "https://example.com/" + "a" * 181

    response = post(client, page, website=website)

    assert response.status_code == 400
    assert field_error(response, "comment-form-url") == (
        "Ensure this value has at most 200 characters (it has 201)."
    )
    assert Comment.objects.count() == 0


def test_a_website_that_is_not_a_web_address_is_a_field_error(client, db):
    page = news.article()

    response = post(client, page, website="javascript:alert(1)")

    assert response.status_code == 400
    assert field_error(response, "comment-form-url") == (
        "Please enter a web address, like https://example.com."
    )


def test_posting_to_an_article_that_does_not_exist_is_not_found(client, db):
    page = news.article()
    draft = news.article(live=False)

    assert post(client, page, page=999999).status_code == 404
    assert post(client, page, page="abc").status_code == 404
    assert post(client, page, page="").status_code == 404
    assert post(client, page, page=draft.pk).status_code == 404
    assert Comment.objects.count() == 0


def test_posting_under_an_article_behind_a_login_or_password_is_not_found(client, db):
    from wagtail.models import PageViewRestriction

    section = news.section("Members")
    page = news.article(in_section=section)
    fine = news.article()
    PageViewRestriction.objects.create(page=section, restriction_type="login")

    assert post(client, page).status_code == 404
    assert post(client, fine).status_code == 303
    assert list(Comment.objects.values_list("page_id", flat=True)) == [fine.pk]


def test_a_parent_that_is_not_a_number_is_refused(client, db):
    page = news.article()

    response = post(client, page, parent="1; DROP TABLE")

    assert response.status_code == 400
    assert form_messages(response) == ["Enter a whole number."]
    assert Comment.objects.count() == 0


def test_replying_to_a_comment_on_another_article_is_refused_with_a_message(client, db):
    page = news.article()
    elsewhere = factories.comment()

    response = post(client, page, parent=elsewhere.pk)

    assert response.status_code == 400
    assert form_messages(response) == ["The comment you are replying to is not available."]
    assert Comment.objects.count() == 1


def test_replying_to_a_comment_that_is_held_is_refused(client, db):
    page = news.article()
    held = factories.comment(page, status=Comment.Status.PENDING)

    response = post(client, page, parent=held.pk)

    assert response.status_code == 400
    assert form_messages(response) == ["The comment you are replying to is not available."]


def test_the_post_address_only_takes_posts(client, db):
    assert client.get("/comments/post/").status_code == 405


# Held for moderation ---------------------------------------------------------------------


def test_a_first_comment_is_held_and_shown_only_to_its_author(client, db):
    page = news.article()
    other_browser = Client()

    post(client, page, body="My very first comment.")

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    mine = soup(client.get(page.url))
    item = mine.find(id=f"comment-{comment.pk}")
    assert item.select_one(".comment-awaiting").get_text() == (
        "Your comment is awaiting moderation."
    )
    assert item.select_one(".comment-text").get_text() == "My very first comment."
    assert item.select_one(".comment-reply-link") is None
    assert mine.find(id="comments-title").get_text() == "Be the first to comment"

    theirs = soup(other_browser.get(page.url))
    assert theirs.find(id=f"comment-{comment.pk}") is None
    assert "My very first comment." not in str(theirs)
    assert theirs.find(id="comments-title").get_text() == "Be the first to comment"


def test_once_approved_the_comment_is_shown_to_everyone_and_counted(client, db):
    page = news.article()
    post(client, page)
    comment = Comment.objects.get()

    services.moderate_comments(comment_ids=[comment.pk], action="approve")

    theirs = soup(Client().get(page.url))
    assert theirs.find(id="comments-title").get_text() == "1 Comment"
    assert theirs.select_one(f"#comment-{comment.pk} .comment-awaiting") is None


def test_an_approved_commenter_is_published_at_once_next_time(client, db):
    page = news.article()
    earlier = factories.comment(page, email_address="Jane@Example.com")
    # From the browser that posted the approved comment: the address alone proves nothing.
    factories.claim(client, earlier)

    response = post(client, page, email="jane@example.COM")

    assert response.status_code == 303
    assert Comment.objects.latest("pk").status == Comment.Status.APPROVED
    assert soup(Client().get(page.url)).find(id="comments-title").get_text() == "2 Comments"


# Edit and delete from the same browser ---------------------------------------------------


def posted(client, page, **values) -> Comment:
    assert post(client, page, **values).status_code == 303
    return Comment.objects.latest("pk")


def test_the_author_can_edit_their_comment_from_the_same_browser(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()
    comment = posted(client, page, body="Teh typo.")

    form_page = client.get(f"/comments/{comment.pk}/edit/")
    assert form_page.status_code == 200
    assert soup(form_page).find(id="id_body").get_text().strip() == "Teh typo."

    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "The *typo*, fixed."})

    assert response.status_code == 303
    assert response["Location"] == f"{page.url}#comment-{comment.pk}"
    item = soup(client.get(page.url)).find(id=f"comment-{comment.pk}")
    assert str(item.select_one(".comment-text")) == (
        '<div class="comment-text"><p>The <em>typo</em>, fixed.</p></div>'
    )
    assert item.select_one(".comment-edited").get_text() == "edited"


def test_the_authors_browser_is_told_it_may_edit_and_no_page_html_is_personal(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()
    comment = posted(client, page)
    other = Client()

    # The page may come from a cache shared by every reader, so the server puts no
    # personal links in it; the author's browser adds Edit and Delete (own.js) from this
    # cookie, and the server checks the signed cookie when they are used.
    editable = client.cookies["masthead_editable"].value
    assert editable.split(".")[0] == str(comment.pk)
    assert int(editable.split(".")[1]) == int(comment.created_at.timestamp()) + 15 * 60
    mine = soup(client.get(page.url)).find(id=f"comment-{comment.pk}")
    theirs = soup(other.get(page.url)).find(id=f"comment-{comment.pk}")
    assert str(mine) == str(theirs)
    assert mine.select(".comment-edit-link, .comment-delete-link") == []
    assert "masthead_editable" not in other.cookies
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200


def test_another_browser_cannot_edit_or_delete_the_comment(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()
    comment = posted(client, page, body="Mine.")
    other_browser = Client()

    assert other_browser.get(f"/comments/{comment.pk}/edit/").status_code == 404
    assert (
        other_browser.post(f"/comments/{comment.pk}/edit/", {"body": "Hijacked"}).status_code == 404
    )
    assert other_browser.post(f"/comments/{comment.pk}/delete/").status_code == 404
    comment.refresh_from_db()
    assert comment.body == "Mine."


def test_a_forged_ownership_cookie_is_ignored(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    comment = factories.comment()
    client.cookies["masthead_own_comments"] = f"{comment.pk}:forged-signature"

    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 404
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_the_comment_cannot_be_changed_after_15_minutes(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()
    comment = posted(client, page, body="Mine.")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=16)
    )

    edit_page = client.get(f"/comments/{comment.pk}/edit/")
    edit = client.post(f"/comments/{comment.pk}/edit/", {"body": "Changed"})
    delete = client.post(f"/comments/{comment.pk}/delete/")

    assert (edit_page.status_code, edit.status_code, delete.status_code) == (403, 403, 403)
    for response in (edit_page, edit, delete):
        assert soup(response).select_one(".comments-message, .errorlist li").get_text() == (
            "This comment can no longer be changed from this browser."
        )
    comment.refresh_from_db()
    assert comment.body == "Mine."
    assert soup(client.get(page.url)).select(f"#comment-{comment.pk} .comment-edit-link") == []


def test_the_comment_can_still_be_changed_at_14_minutes(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    comment = posted(client, news.article())
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=14)
    )

    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "Changed"}).status_code == 303


def test_an_edit_that_empties_the_comment_is_a_field_error(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    comment = posted(client, news.article(), body="Keep me.")

    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "   "})

    assert response.status_code == 400
    assert soup(response).select_one(".comment-form-comment .form-error").get_text() == (
        "Please type your comment."
    )
    comment.refresh_from_db()
    assert comment.body == "Keep me."


def test_the_author_can_delete_their_comment(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()
    comment = posted(client, page)

    assert client.get(f"/comments/{comment.pk}/delete/").status_code == 200
    response = client.post(f"/comments/{comment.pk}/delete/")

    assert response.status_code == 303
    assert response["Location"] == f"{page.url}#comments"
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert Thread.objects.get(page=page).public_count == 0
    assert soup(client.get(page.url)).find(id="comments-title").get_text() == (
        "Be the first to comment"
    )


def test_deleting_a_comment_with_replies_leaves_a_placeholder(client, db, settings):
    settings.MASTHEAD_COMMENTS_MODERATION = "none"
    page = news.article()
    comment = posted(client, page, name="Quick Regret", website="https://regret.example")
    reply = factories.reply(comment, name="Replier")

    client.post(f"/comments/{comment.pk}/delete/")

    section = soup(Client().get(page.url)).find(id="comments")
    item = section.find(id=f"comment-{comment.pk}")
    own = item.find("article")
    assert own.select_one(".comment-deleted").get_text() == "This comment was deleted."
    assert own.select_one(".comment-text") is None
    assert own.select_one(".comment-reply-link") is None
    assert [li["id"] for li in item.select(":scope > ol.children > li")] == [f"comment-{reply.pk}"]
    assert section.find(id="comments-title").get_text() == "1 Comment"
    assert Thread.objects.get(page=page).public_count == 1
    # The author took their words back: nothing shows who wrote them.
    # The author took their words back: nothing shows who wrote them.
    assert "regret.example" not in str(section)
    assert "Quick Regret" not in str(section)
    assert item.find("article")["aria-label"] == "Deleted comment"


# Closed threads --------------------------------------------------------------------------


def test_a_closed_article_says_comments_are_closed_instead_of_the_form(client, db):
    page = news.article(comments_enabled=False)

    section = soup(client.get(page.url)).find(id="comments")

    assert section.select_one(".comments-closed").get_text() == "Comments are closed."
    assert section.find("form") is None
    assert section.select(".comment-reply-link") == []


def test_posting_to_a_closed_article_is_refused_with_a_clear_message(client, db):
    page = news.article(comments_enabled=False)

    response = post(client, page)

    assert response.status_code == 403
    assert soup(response).select_one(".comments-closed").get_text() == "Comments are closed."
    assert Comment.objects.count() == 0


def test_comments_close_a_set_number_of_days_after_publication(client, db, settings):
    settings.MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS = 7
    old = news.article(published_at=timezone.now() - dt.timedelta(days=8))
    recent = news.article(published_at=timezone.now() - dt.timedelta(days=2))

    assert post(client, old).status_code == 403
    assert post(client, recent).status_code == 303
    assert soup(client.get(old.url)).select_one(".comments-closed").get_text() == (
        "Comments are closed."
    )
    assert soup(client.get(recent.url)).find(id="commentform") is not None


# Signed-in staff -------------------------------------------------------------------------


def test_staff_comment_with_their_account_and_are_marked_as_the_newsroom(client, db):
    page = news.article()
    client.force_login(factories.staff_user())

    form = soup(client.get(page.url)).find(id="commentform")
    fields = seen_by_readers(form.select("input:not([type=hidden]), textarea"))
    assert [f["name"] for f in fields] == ["body"]
    assert form.select_one(".logged-in-as").get_text() == (
        "Logged in as Ada Editor. Your comment will be marked as from the newsroom."
    )

    response = client.post(
        "/comments/post/", factories.form_fields(client, page, body="Editor's note.")
    )

    comment = Comment.objects.get()
    assert response.status_code == 303
    assert (comment.name, comment.status, comment.is_newsroom) == (
        "Ada Editor",
        Comment.Status.APPROVED,
        True,
    )
    item = soup(Client().get(page.url)).find(id=f"comment-{comment.pk}")
    assert item.select_one(".badge").get_text() == "Newsroom"


def test_a_reader_cannot_claim_to_be_the_newsroom(client, db):
    page = news.article()
    user = factories.staff_user(is_staff=False)
    client.force_login(user)

    post(client, page, is_newsroom="1", name="The Editors")

    comment = Comment.objects.get()
    assert (comment.name, comment.is_newsroom, comment.user_id) == ("The Editors", False, None)


# Remembering the commenter ---------------------------------------------------------------


def test_with_consent_the_browser_keeps_name_email_and_website_for_next_time(client, db):
    page = news.article()

    response = post(client, page, website="https://jane.example/blog", save_commenter="on")

    morsel = response.cookies[COMMENTER_COOKIE]
    # Plain URL-encoded JSON, as the form's script reads it with decodeURIComponent.
    assert not morsel.coded_value.startswith('"')
    assert json.loads(unquote(morsel.coded_value)) == {
        "name": "Jane Reader",
        "email": "jane@example.com",
        "website": "https://jane.example/blog",
    }
    assert morsel["max-age"] == 60 * 60 * 24 * 365


def test_without_consent_no_cookie_holds_the_commenters_details(client, db):
    page = news.article()

    response = post(client, page)

    assert response.cookies[COMMENTER_COOKIE].value == ""
    assert "jane" not in str(response.cookies).lower()


# With the shared page cache --------------------------------------------------------------


def test_with_the_page_cache_readers_see_each_change_to_the_thread_at_once(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_PAGE_CACHE = True
    page = news.article()
    reader = Client()

    def heading() -> str:
        return soup(reader.get(page.url)).find(id="comments-title").get_text()

    assert heading() == "Be the first to comment"
    with django_capture_on_commit_callbacks(execute=True):
        post(client, page)
    comment = Comment.objects.get()
    assert heading() == "Be the first to comment"
    assert reader.get(page.url)["X-Cache"] == "HIT"  # the shared copy is what readers get
    with django_capture_on_commit_callbacks(execute=True):
        services.moderate_comments(comment_ids=[comment.pk], action="approve")
    assert heading() == "1 Comment"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/comments/{comment.pk}/delete/").status_code == 303
    assert heading() == "Be the first to comment"


def test_with_the_page_cache_a_held_comment_never_reaches_another_reader(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_PAGE_CACHE = True
    page = news.article()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, page, body="Only I may see this yet.")
    comment = Comment.objects.get()

    mine = client.get(page.url)
    theirs = Client().get(page.url)
    again = client.get(page.url)

    assert soup(mine).find(id=f"comment-{comment.pk}") is not None
    assert soup(again).find(id=f"comment-{comment.pk}") is not None
    assert b"Only I may see this yet." not in theirs.content
    assert soup(theirs).find(id="comments-title").get_text() == "Be the first to comment"
