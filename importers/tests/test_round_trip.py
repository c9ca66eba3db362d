"""The WordPress export read by WordPress's own importer (its parsers, run in PHP), and
WordPress's exports read back here: what a newsroom's site becomes in WordPress, and
again in masthead."""

import shutil

import pytest
from django.conf import settings
from wagtail.images import get_image_model

from comments import services
from comments.models import Comment
from comments.tests import factories as comment_factories
from news.models import HomePage, Topic
from news.tests import factories

from .helpers import (
    article,
    empty_the_site,
    export,
    import_wordpress,
    read_as_wordpress,
    thread,
    wordpress_post,
    write_wxr,
    wxr_item,
)

pytestmark = pytest.mark.django_db


def comments_of(parsed_post: dict) -> dict[str, dict]:
    return {c["comment_content"]: c for c in parsed_post.get("comments", [])}


# A comment deleted by its author ------------------------------------------------------------


def removed_comment_on(page) -> Comment:
    """A comment its author deleted, kept as a placeholder for the reply below it."""
    parent = comment_factories.comment(
        page, name="Jane Private", email_address="jane@private.example", body="My own words."
    )
    comment_factories.reply(parent, name="Replier", body="A reply that stays.")
    services.author_delete_comment(comment_id=parent.pk, own_ids=[parent.pk])
    parent.refresh_from_db()
    assert parent.is_removed
    return parent


def test_a_deleted_comment_is_exported_without_its_authors_name_email_address_or_ip(tmp_path):
    page = factories.article("Storm", slug="storm")
    removed_comment_on(page)
    path = export(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "Jane Private" not in text
    assert "jane@private.example" not in text
    parsed = comments_of(wordpress_post(read_as_wordpress(path), page.pk))
    placeholder = parsed[services.DELETED_TEXT]
    assert {
        key: placeholder[key]
        for key in (
            "comment_author",
            "comment_author_email",
            "comment_author_url",
            "comment_author_IP",
            "comment_user_id",
            "comment_approved",
        )
    } == {
        "comment_author": "Deleted",
        "comment_author_email": "",
        "comment_author_url": "",
        "comment_author_IP": "",
        "comment_user_id": 0,
        "comment_approved": "1",
    }
    assert placeholder["commentmeta"] == [{"key": "masthead_removed", "value": "1"}]
    reply = parsed["<p>A reply that stays.</p>"]
    assert reply["comment_parent"] == str(placeholder["comment_id"])

    empty_the_site()
    import_wordpress(path)
    placeholder, reply = thread(article("storm"))
    assert (placeholder.is_removed, placeholder.name, placeholder.email) == (True, "Deleted", "")
    assert (placeholder.ip_address, placeholder.website, placeholder.body) == (None, "", "")
    assert (reply.parent_id, reply.name) == (placeholder.pk, "Replier")


def test_a_deleted_comment_in_an_older_export_comes_in_without_its_author(tmp_path):
    removed = """
    <wp:comment>
      <wp:comment_id>10</wp:comment_id>
      <wp:comment_author><![CDATA[Jane Private]]></wp:comment_author>
      <wp:comment_author_email>jane@private.example</wp:comment_author_email>
      <wp:comment_author_url>https://jane.example</wp:comment_author_url>
      <wp:comment_author_IP>198.51.100.7</wp:comment_author_IP>
      <wp:comment_date_gmt>2020-01-02 10:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[This comment was deleted.]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>0</wp:comment_parent>
      <wp:commentmeta><wp:meta_key>masthead_removed</wp:meta_key>
      <wp:meta_value>1</wp:meta_value></wp:commentmeta>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>11</wp:comment_id>
      <wp:comment_author><![CDATA[Replier]]></wp:comment_author>
      <wp:comment_date_gmt>2020-01-02 11:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[A reply.]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>10</wp:comment_parent>
    </wp:comment>"""
    import_wordpress(write_wxr(tmp_path, wxr_item(1, "One", comments=removed)))
    placeholder, reply = thread(article("post-1"))
    assert placeholder.is_removed is True
    assert (placeholder.name, placeholder.email, placeholder.website) == ("Deleted", "", "")
    assert placeholder.ip_address is None
    assert reply.parent_id == placeholder.pk


# Names with & and < -------------------------------------------------------------------------


def test_category_and_tag_names_as_wordpress_stores_them_come_in_unescaped(tmp_path):
    extra = (
        '<category domain="category" nicename="news-views"><![CDATA[News &amp; Views]]>'
        '</category><category domain="post_tag" nicename="qa"><![CDATA[Q&amp;A]]></category>'
        '<category domain="post_tag" nicename="zoes-picks"><![CDATA[Zoë&#039;s picks]]>'
        "</category>"
    )
    import_wordpress(write_wxr(tmp_path, wxr_item(1, "One", extra=extra)))
    post = article("post-1")
    assert (post.get_parent().title, post.get_parent().slug) == ("News & Views", "news-views")
    assert sorted(Topic.objects.values_list("name", "slug")) == [
        ("Q&A", "qa"),
        ("Zoë's picks", "zoes-picks"),
    ]


def test_section_topic_and_commenter_names_are_exported_escaped_as_wordpress_stores_them(
    tmp_path,
):
    section = factories.section("News & Views", slug="news-views")
    page = factories.article(
        "Quiz", in_section=section, topics=["Q&A"], dek="5 < 6 & 7 > 3", slug="quiz"
    )
    comment_factories.comment(page, name="Tom & Jerry <3", body="Fun.")
    path = export(tmp_path)
    parsed = read_as_wordpress(path)
    assert [c["cat_name"] for c in parsed["categories"]] == ["News &amp; Views"]
    assert [t["tag_name"] for t in parsed["tags"]] == ["Q&amp;A"]
    post = wordpress_post(parsed, page.pk)
    assert post["terms"] == [
        {"name": "News &amp; Views", "slug": "news-views", "domain": "category"},
        {"name": "Q&amp;A", "slug": "qa", "domain": "post_tag"},
    ]
    assert post["post_excerpt"] == "5 &lt; 6 &amp; 7 &gt; 3"
    (comment,) = post["comments"]
    assert comment["comment_author"] == "Tom &amp; Jerry &lt;3"

    empty_the_site()
    import_wordpress(path)
    quiz = article("quiz")
    assert quiz.get_parent().title == "News & Views"
    assert [(t.name, t.slug) for t in quiz.topics.all()] == [("Q&A", "qa")]
    assert quiz.dek == "5 < 6 & 7 > 3"
    assert [c.name for c in thread(quiz)] == ["Tom & Jerry <3"]


def test_a_dek_with_angle_brackets_keeps_its_words(tmp_path):
    item = wxr_item(1, "One").replace(
        "<excerpt:encoded><![CDATA[]]>",
        "<excerpt:encoded><![CDATA[5 < 6 & 7 > 3, and <em>that</em> is <b>all</b>]]>",
    )
    import_wordpress(write_wxr(tmp_path, item))
    assert article("post-1").dek == "5 < 6 & 7 > 3, and that is all"


# Newsroom comments --------------------------------------------------------------------------


def test_newsroom_comments_keep_their_mark_through_wordpress_and_back(tmp_path):
    page = factories.article("Budget", slug="budget")
    editor = comment_factories.staff_user("editor", first_name="Ada", last_name="Editor")
    reader = comment_factories.comment(page, name="Jane Reader", body="A question.")
    staff = comment_factories.reply(reader, user=editor, body="An answer.")
    assert staff.is_newsroom and staff.name == "Ada Editor"
    path = export(tmp_path)
    parsed = read_as_wordpress(path)
    comments = comments_of(wordpress_post(parsed, page.pk))
    assert comments["<p>A question.</p>"]["comment_user_id"] == 0
    user_id = comments["<p>An answer.</p>"]["comment_user_id"]
    # WordPress's importer gives a comment the user its id names among the file's authors.
    users = {a["author_id"]: a for a in parsed["authors"].values()}
    assert (users[user_id]["author_login"], users[user_id]["author_display_name"]) == (
        "editor",
        "Ada Editor",
    )
    assert users[user_id]["author_email"] == ""

    empty_the_site()
    import_wordpress(path)
    assert [(c.name, c.is_newsroom) for c in thread(article("budget"))] == [
        ("Jane Reader", False),
        ("Ada Editor", True),
    ]


def test_comments_by_the_sites_authors_come_in_as_newsroom_comments(tmp_path):
    staff = """
    <wp:comment>
      <wp:comment_id>{cid}</wp:comment_id>
      <wp:comment_author><![CDATA[{name}]]></wp:comment_author>
      <wp:comment_date_gmt>2020-01-02 10:0{cid}:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[Comment {cid}.]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>0</wp:comment_parent>
      <wp:comment_user_id>{user}</wp:comment_user_id>
    </wp:comment>"""
    comments = (
        staff.format(cid=1, name="Grace Hopper", user=2)
        + staff.format(cid=2, name="A subscriber", user=7)
        + staff.format(cid=3, name="A guest", user=0)
    )
    path = write_wxr(tmp_path, wxr_item(1, "One", comments=comments))
    text = path.read_text().replace(
        "<wp:author_login>grace</wp:author_login>",
        "<wp:author_id>2</wp:author_id><wp:author_login>grace</wp:author_login>",
    )
    path.write_text(text)
    import_wordpress(path)
    assert [(c.name, c.is_newsroom) for c in thread(article("post-1"))] == [
        ("Grace Hopper", True),
        ("A subscriber", False),
        ("A guest", False),
    ]


# Lead images --------------------------------------------------------------------------------


def test_a_lead_images_caption_and_alt_text_go_to_wordpress_and_come_back(tmp_path):
    picture = factories.image("A red square on white")
    page = factories.article(
        "Art", slug="art", lead_image=picture, lead_image_caption="Seen up close"
    )
    path = export(tmp_path)
    parsed = read_as_wordpress(path)
    post = wordpress_post(parsed, page.pk)
    thumbnail = {m["key"]: m["value"] for m in post["postmeta"]}["_thumbnail_id"]
    attachment = wordpress_post(parsed, int(thumbnail))
    assert attachment["post_type"] == "attachment"
    assert attachment["post_excerpt"] == "Seen up close"
    meta = {m["key"]: m["value"] for m in attachment["postmeta"]}
    assert meta["_wp_attachment_image_alt"] == "A red square on white"

    uploads = tmp_path / "uploads"
    shutil.copytree(settings.MEDIA_ROOT, uploads)
    empty_the_site()
    import_wordpress(path, uploads=uploads)
    art = article("art")
    assert art.lead_image_caption == "Seen up close"
    assert art.lead_image.title == "A red square on white"
    assert art.lead_image.description == "A red square on white"


def test_an_image_is_titled_with_its_alt_text_not_its_file_name(tmp_path):
    from PIL import Image

    uploads = tmp_path / "uploads"
    (uploads / "2020" / "01").mkdir(parents=True)
    Image.new("RGB", (40, 30), (200, 10, 10)).save(uploads / "2020" / "01" / "photo.jpg")
    attachment = wxr_item(
        5,
        "photo",
        status="inherit",
        post_type="attachment",
        extra="<wp:attachment_url>https://gazette.example/wp-content/uploads/2020/01/photo.jpg"
        "</wp:attachment_url><wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key>"
        "<wp:meta_value>2020/01/photo.jpg</wp:meta_value></wp:postmeta>"
        "<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key>"
        "<wp:meta_value>A red square</wp:meta_value></wp:postmeta>",
    )
    body = (
        '<p>Intro.</p><img class="wp-image-5" '
        'src="https://gazette.example/wp-content/uploads/2020/01/photo-300x200.jpg">'
    )
    thumbnail = (
        "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>5</wp:meta_value>"
        "</wp:postmeta>"
    )
    path = write_wxr(tmp_path, attachment, wxr_item(1, "One", body=body, extra=thumbnail))
    import_wordpress(path, uploads=uploads)
    (image,) = get_image_model().objects.all()
    assert (image.title, image.description) == ("A red square", "A red square")
    post = article("post-1")
    assert post.lead_image == image
    assert post.body[1].value["image"] == image


# Sticky posts -------------------------------------------------------------------------------


def sticky_item(post_id, title, date, *, sticky=1, status="publish"):
    return wxr_item(post_id, title, date=date, status=status).replace(
        "<wp:post_type>", f"<wp:is_sticky>{sticky}</wp:is_sticky><wp:post_type>"
    )


def test_the_newest_sticky_post_becomes_the_front_pages_lead_story(tmp_path):
    path = write_wxr(
        tmp_path,
        sticky_item(1, "Old pin", "2020-01-01 09:00:00"),
        sticky_item(2, "New pin", "2021-01-01 09:00:00"),
        sticky_item(3, "Newest, not pinned", "2022-01-01 09:00:00", sticky=0),
        sticky_item(4, "Pinned draft", "2023-01-01 09:00:00", status="draft"),
    )
    summary = import_wordpress(path)
    home = HomePage.objects.get()
    assert home.lead_story == article("post-2")
    assert summary.notes["sticky posts"] == 3
    assert summary.notes["sticky post made the front page's lead story"] == 1
    assert summary.notes["sticky posts not made the front page's lead story (it has one)"] == 2


def test_sticky_posts_leave_a_front_page_lead_story_chosen_here_alone(tmp_path):
    chosen = factories.article("Chosen here")
    home = HomePage.objects.get()
    home.lead_story = chosen
    home.save_revision().publish()
    summary = import_wordpress(write_wxr(tmp_path, sticky_item(1, "Pin", "2020-01-01 09:00:00")))
    assert HomePage.objects.get().lead_story == chosen
    assert summary.notes["sticky posts not made the front page's lead story (it has one)"] == 1


def test_the_front_pages_lead_story_is_exported_as_the_sticky_post(tmp_path):
    lead = factories.article("Lead", slug="lead")
    other = factories.article("Other", slug="other")
    home = HomePage.objects.get()
    home.lead_story = lead
    home.save_revision().publish()
    path = export(tmp_path)
    parsed = read_as_wordpress(path)
    assert wordpress_post(parsed, lead.pk)["is_sticky"] == 1
    assert wordpress_post(parsed, other.pk)["is_sticky"] == 0

    empty_the_site()
    HomePage.objects.update(lead_story=None)
    import_wordpress(path)
    assert HomePage.objects.get().lead_story == article("lead")


def test_a_tag_keeps_wordpress_slug(tmp_path):
    extra = '<category domain="post_tag" nicename="zoes-picks"><![CDATA[Zoës picks]]></category>'
    import_wordpress(write_wxr(tmp_path, wxr_item(1, "One", extra=extra)))
    assert [(t.name, t.slug) for t in article("post-1").topics.all()] == [
        ("Zoës picks", "zoes-picks")
    ]
