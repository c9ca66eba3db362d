"""`masthead import-wordpress`: WordPress's own exports and others' fixtures go in whole."""

import datetime as dt

import pytest
from django.utils import timezone

from importers.base import ImportFailed
from importers.models import ImportedObject
from news.models import ArticlePage, SectionPage

from .helpers import (
    article,
    assert_counts_right,
    counts,
    import_wordpress,
    public_count,
    thread,
    write_wxr,
    wxr_comment,
    wxr_item,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


# Isso's, Pelican's and a small site's fixtures ----------------------------------------------


def test_isso_fixture_an_id_reused_on_another_item_and_an_email_with_a_newline(acceptance_data):
    summary = import_wordpress(acceptance_data / "wxr" / "isso-wordpress.xml")
    hello = ArticlePage.objects.get(title="Hello, World…")
    comments = thread(hello)
    assert len(comments) == 7
    assert {c.email for c in comments} == {
        "test@example.org",
        "info@posativ.org",
        "multiline@example.org",
    }
    replies = {c.body: c.parent.body for c in comments if c.parent_id}
    assert replies == {
        "Drölfter!": "Zweiter.",
        "Yet another reply.": "Drölfter!",
        "...": "Drölfter!",
    }
    # Comment 11 appears on two items: each keeps its own.
    other = ArticlePage.objects.get(title="...")
    assert [(c.name, c.body) for c in thread(other)] == [("Anonymous", "...")]
    assert summary.created["comments"] == 8
    multiline = next(c for c in comments if c.name == "Multiline Author")
    assert (
        multiline.body
        == "When you have a comment with multiple lines:\nWordPress exports it like this."
    )
    assert multiline.created_at == dt.datetime(2022, 6, 6, 2, 13, 14, tzinfo=UTC)
    assert_counts_right()


def test_pelican_fixture_reused_post_ids_a_missing_parent_and_a_trashed_pingback(acceptance_data):
    summary = import_wordpress(acceptance_data / "wxr" / "pelican-wordpressexport.xml")
    assert ArticlePage.objects.filter(title="Page").exists()
    assert ArticlePage.objects.filter(title="Empty Page").exists()
    assert ArticlePage.objects.filter(title="Code in List").exists()
    assert ArticlePage.objects.filter(title="Caption on image").exists()
    reused = [w for w in summary.warnings if "same WordPress id" in w]
    assert len(reused) == 3
    post = article("with-comments")
    comments = {c.name: c for c in thread(post)}
    orphan = [w for w in summary.warnings if "which is not in the file" in w]
    assert orphan == [
        'line 517: comment 122 on post 422 "With comments" replies to comment 121, which is '
        "not in the file; imported at the top level"
    ]
    assert len(comments) == 4
    assert sorted((c.kind, c.status) for c in comments.values()) == [
        ("comment", "approved"),
        ("comment", "approved"),
        ("comment", "approved"),
        ("pingback", "trash"),
    ]
    assert sum(1 for c in comments.values() if c.parent_id) == 1
    assert public_count(post) == 3
    assert summary.skipped == {"custom1 items": 2, "custom2 items": 1}
    assert article("html-entity-test").title == (
        "A normal post with some <html> entities in the title. You can't miss them."
    )


def test_small_site_spam_comment_pingback_draft_sections_topics_and_dek(acceptance_data):
    summary = import_wordpress(acceptance_data / "wxr" / "waaseyaa-small-site.xml")
    second = article("second-post")
    assert [(c.name, c.status, c.kind) for c in thread(second)] == [
        ("Spammer", "spam", "comment"),
        ("Pingback Source", "approved", "pingback"),
    ]
    assert public_count(second) == 0
    first = article("first-post")
    # The reply by user 1, the file's first author, is the newsroom's.
    assert [(c.name, c.depth, c.is_newsroom) for c in thread(first)] == [
        ("Visitor One", 1, False),
        ("Site Admin", 2, True),
    ]
    assert public_count(first) == 2
    assert first.dek == "Welcome."
    assert first.get_parent().specific.title == "News"
    assert second.get_parent().specific.title == "Guides"
    assert sorted(t.name for t in first.topics.all()) == ["PHP"]
    assert [b.author.title for b in first.bylines.all()] == ["Site Admin"]
    assert [b.author.title for b in second.bylines.all()] == ["Jane Author"]
    draft = article("draft-post")
    assert draft.live is False
    assert article("about").get_parent().specific.title == "Pages"
    assert summary.skipped == {"project items": 1}
    assert ImportedObject.objects.filter(kind="attachment").count() == 3


# Options, idempotency, damage ---------------------------------------------------------------


def test_a_newer_export_adds_only_the_new_posts_and_comments(tmp_path):
    first = write_wxr(
        tmp_path,
        wxr_item(1, "One", comments=wxr_comment(10) + wxr_comment(11, 10)),
        name="old.xml",
    )
    import_wordpress(first)
    newer = write_wxr(
        tmp_path,
        wxr_item(1, "One", comments=wxr_comment(10) + wxr_comment(11, 10) + wxr_comment(12, 11)),
        wxr_item(2, "Two", comments=wxr_comment(20)),
        name="new.xml",
    )
    summary = import_wordpress(newer)
    assert summary.created == {"posts": 1, "comments": 2}
    assert summary.existing == {"posts and pages": 1, "comments": 2}
    one = article("post-1")
    chain = thread(one)
    assert [c.depth for c in chain] == [1, 2, 3]
    assert chain[2].parent_id == chain[1].pk
    assert public_count(one) == 3
    assert ArticlePage.objects.count() == 2


def test_replies_before_their_parents_are_attached_to_them(tmp_path):
    path = write_wxr(
        tmp_path,
        wxr_item(1, "One", comments=wxr_comment(13, 12) + wxr_comment(12, 11) + wxr_comment(11)),
    )
    import_wordpress(path)
    comments = thread(article("post-1"))
    assert [(c.body, c.depth) for c in comments] == [
        ("Comment number 11.", 1),
        ("Comment number 12.", 2),
        ("Comment number 13.", 3),
    ]


def test_categories_can_become_topics_of_posts_in_one_section(tmp_path):
    extra = (
        '<category domain="category" nicename="world"><![CDATA[World]]></category>'
        '<category domain="category" nicename="sport"><![CDATA[Sport]]></category>'
    )
    path = write_wxr(tmp_path, wxr_item(1, "One", extra=extra))
    import_wordpress(path, categories_as="topics", section="Archive")
    post = article("post-1")
    assert post.get_parent().specific.title == "Archive"
    assert sorted(t.name for t in post.topics.all()) == ["Sport", "World"]
    assert not SectionPage.objects.filter(title="World").exists()


def test_co_authors_yoast_and_a_featured_image_from_the_uploads_folder(tmp_path):
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
        "<wp:meta_value>2020/01/photo.jpg</wp:meta_value></wp:postmeta>",
    )
    extra = (
        '<category domain="author" nicename="cap-grace"><![CDATA[grace]]></category>'
        '<category domain="author" nicename="cap-ada"><![CDATA[ada]]></category>'
        "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>5</wp:meta_value>"
        "</wp:postmeta><wp:postmeta><wp:meta_key>_yoast_wpseo_title</wp:meta_key>"
        "<wp:meta_value>%%title%% %%sep%% %%sitename%%</wp:meta_value></wp:postmeta>"
        "<wp:postmeta><wp:meta_key>_yoast_wpseo_metadesc</wp:meta_key>"
        "<wp:meta_value>What happened.</wp:meta_value></wp:postmeta>"
    )
    body = (
        '<p>Intro.</p>[caption id="attachment_5" width="300"]<img class="wp-image-5" '
        'src="https://gazette.example/wp-content/uploads/2020/01/photo-300x200.jpg" '
        'alt="A red square"> A red square, seen up close[/caption]'
    )
    path = write_wxr(tmp_path, wxr_item(1, "One", body=body, extra=extra), attachment)
    summary = import_wordpress(path, uploads=uploads)
    post = article("post-1")
    assert [b.author.title for b in post.bylines.order_by("sort_order")] == [
        "Grace Hopper",
        "Ada Lovelace",
    ]
    assert post.seo_title == "One – Old Gazette"
    assert post.search_description == "What happened."
    assert post.lead_image is not None and post.lead_image.width == 40
    image_block = post.body[1]
    assert image_block.block_type == "image"
    assert image_block.value["image"].pk == post.lead_image.pk
    assert image_block.value["caption"] == "A red square, seen up close"
    assert image_block.value["alt_text"] == "A red square"
    assert summary.created["images"] == 1


def test_malformed_xml_is_refused_with_line_and_column_and_nothing_is_imported(tmp_path):
    good = wxr_item(1, "One", comments=wxr_comment(10))
    broken = wxr_item(2, "Two", comments=wxr_comment(20)).replace("<wp:status>", "<wp:status")
    later = wxr_item(3, "Three", comments=wxr_comment(30))
    path = write_wxr(tmp_path, good, broken, later)
    before = counts()
    with pytest.raises(ImportFailed) as failure:
        import_wordpress(path)
    message = str(failure.value)
    lines = path.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if "<wp:statuspublish" in text)
    assert f"export.xml:{line}:" in message
    assert "Nothing was imported" in message and "--keep-going" in message
    assert counts() == before


def test_keep_going_imports_every_complete_item_around_the_damage_and_lists_the_loss(tmp_path):
    good = wxr_item(1, "One", comments=wxr_comment(10))
    broken = wxr_item(2, "Two", comments=wxr_comment(20)).replace("<wp:status>", "<wp:status")
    later = wxr_item(3, "Three", comments=wxr_comment(30) + wxr_comment(31, 30))
    path = write_wxr(tmp_path, good, broken, later)
    summary = import_wordpress(path, keep_going=True)
    assert sorted(ArticlePage.objects.values_list("title", flat=True)) == ["One", "Three"]
    assert len(thread(article("post-3"))) == 2
    assert len(summary.lost) == 1
    assert summary.lost[0].startswith("item at line ")
    assert '2 "Two" with 1 comment' in summary.lost[0]
    assert "damaged" in "\n".join(summary.lines())


def test_an_item_cut_off_at_the_end_of_the_file_is_reported_lost(tmp_path):
    path = write_wxr(tmp_path, wxr_item(1, "One"))
    text = path.read_text().replace(WXR_TAIL_MARK, "") + "<item><title>Half</title><wp:post_id>9"
    path.write_text(text)
    with pytest.raises(ImportFailed):
        import_wordpress(path)
    summary = import_wordpress(path, keep_going=True)
    assert list(ArticlePage.objects.values_list("title", flat=True)) == ["One"]
    assert summary.lost == [
        f'item at line {text.count(chr(10)) + 1} 9 "Half": line {text.count(chr(10)) + 1}, '
        "column 1: the file ends inside this <item>"
    ]


WXR_TAIL_MARK = "</channel>\n</rss>\n"


def test_a_file_that_names_no_site_needs_the_site_option(tmp_path):
    path = tmp_path / "bare.xml"
    path.write_text(
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>A</title>'
        "<wp:post_id>1</wp:post_id><wp:status>publish</wp:status></item></channel></rss>"
    )
    with pytest.raises(ImportFailed, match="--site"):
        import_wordpress(path)
    import_wordpress(path, site="https://old.example/")
    assert ImportedObject.objects.get(kind="article").source_site == "old.example"


def test_dates_without_time_zone_are_read_in_the_given_one(tmp_path):
    item = wxr_item(1, "One", date="0000-00-00 00:00:00").replace(
        "<wp:post_date_gmt>", "<wp:post_date>2021-06-01 12:00:00</wp:post_date><wp:post_date_gmt>"
    )
    import_wordpress(write_wxr(tmp_path, item), tz="Europe/Paris")
    assert article("post-1").first_published_at == dt.datetime(2021, 6, 1, 10, 0, tzinfo=UTC)
    assert article("post-1").first_published_at < timezone.now()
