"""The WordPress theme unit test data, imported once: posts, pages, statuses, markup and
the comment templates (20 comments on "Template: Comments", a chain ten deep)."""

import datetime as dt

import pytest
from django.db import transaction

from comments.models import Comment
from conftest import ACCEPTANCE_DATA
from news.models import ArticlePage, AuthorPage

from .helpers import (
    article,
    assert_counts_right,
    counts,
    empty_the_site,
    export,
    import_wordpress,
    public_count,
    read_as_wordpress,
    thread,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture(scope="module")
def theme_unit(django_db_setup, django_db_blocker):
    """The theme unit test data imported once for the tests of this module, each of
    which runs in its own transaction inside this one; all is rolled back at the end."""
    if not ACCEPTANCE_DATA.is_dir():
        pytest.skip(f"acceptance data not found at {ACCEPTANCE_DATA}")
    path = ACCEPTANCE_DATA / "wxr" / "themeunittestdata.wordpress.xml"
    with django_db_blocker.unblock(), transaction.atomic():
        yield path, import_wordpress(path)
        transaction.set_rollback(True)


def test_template_comments_has_its_twenty_comments_nine_replies_in_a_chain_ten_deep(theme_unit):
    post = article("template-comments")
    comments = thread(post)
    assert len(comments) == 20
    assert sum(1 for c in comments if c.parent_id) == 9
    chain = [c for c in comments if c.body.startswith("Comment Depth")]
    assert [c.depth for c in chain] == list(range(1, 11))
    for parent, reply in zip(chain, chain[1:], strict=False):
        assert reply.parent_id == parent.pk
        assert reply.path.startswith(parent.path + "/")
    assert chain[-1].body == "Comment Depth 10\n\nAlso an author comment."
    # Nineteen approved, one held for moderation.
    assert [c.status for c in comments].count("approved") == 19
    assert public_count(post) == 19
    assert post.first_published_at == dt.datetime(2012, 1, 3, 17, 11, 37, tzinfo=UTC)


def test_comments_on_pages_are_kept_on_the_articles_pages_become(theme_unit):
    page = article("page-with-comments")
    assert page.get_parent().specific.title == "Pages"
    comments = thread(page)
    assert [(c.name, c.status, c.depth) for c in comments] == [
        ("tellyworthtest2", "approved", 1),
        ("themereviewteam", "pending", 2),
        ("Anon", "approved", 1),
        ("themedemos", "approved", 1),
    ]
    assert public_count(page) == 3
    blog = article("blog")
    assert [c.status for c in thread(blog)] == ["pending"]


def test_pingbacks_and_trackbacks_are_kept_as_their_own_kind_and_not_counted(theme_unit):
    post = article("template-pingbacks-an-trackbacks")
    kinds = sorted(c.kind for c in thread(post))
    assert kinds == ["comment", "pingback", "pingback", "trackback", "trackback"]
    assert public_count(post) == 1


def test_every_comment_of_the_file_is_imported_and_counts_are_right(theme_unit):
    _, summary = theme_unit
    assert summary.created["comments"] == 29
    assert summary.created["pingbacks and trackbacks"] == 4
    assert Comment.objects.count() == 33
    assert summary.created["posts"] == 58
    assert summary.created["pages"] == 21
    assert summary.skipped == {"nav_menu_item items": 70}
    assert_counts_right()


def test_post_statuses_become_live_draft_and_scheduled(theme_unit):
    assert article("template-comments").live is True
    draft = ArticlePage.objects.get(title="Draft")
    assert draft.live is False and draft.first_published_at is None
    scheduled = article("scheduled")
    assert scheduled.live is False
    assert scheduled.go_live_at == dt.datetime(2030, 1, 1, 19, 0, 18, tzinfo=UTC)
    assert scheduled.get_latest_revision().approved_go_live_at == scheduled.go_live_at


def test_authors_categories_tags_titles_and_passwords_come_across(theme_unit):
    assert sorted(AuthorPage.objects.values_list("title", flat=True)) == [
        "Theme Buster",
        "Theme Reviewer",
    ]
    post = article("edge-case-many-tags")
    assert post.get_parent().specific.title == "Classic"
    assert len(post.topics.all()) > 10
    assert [b.author.title for b in post.bylines.all()] == ["Theme Buster"]
    assert article("markup-title-with-markup").title == "Markup: Title With Markup"
    protected = article("template-password-protected")
    assert protected.get_view_restrictions().get().password == "enter"
    assert article("template-comments-disabled").comments_enabled is False
    assert article("template-comments").comments_enabled is True


def test_the_html_body_keeps_headings_lists_quotes_links_and_images(theme_unit):
    body = article("markup-html-tags-and-formatting").body
    kinds = [block.block_type for block in body]
    assert kinds.count("heading") >= 10
    assert "quote" in kinds
    sources = [block.value.source for block in body if block.block_type == "paragraph"]
    assert any(s.startswith("<ul><li>List item one<ul>") for s in sources)
    assert '<a href="https://wordpressfoundation.org/">link</a>' in "".join(sources)
    caption = article("post-format-image-caption").body[0]
    assert caption.block_type == "embed"
    assert caption.value["title"] == "Bell on wharf in San Francisco"
    assert caption.value["url"].startswith("https://wpthemetestdata.files.wordpress.com/")


def test_importing_the_same_file_again_changes_nothing(theme_unit):
    path, _ = theme_unit
    before = counts()
    summary = import_wordpress(path)
    assert counts() == before
    assert summary.created == {}
    assert summary.existing == {"posts and pages": 79, "comments": 33}


# Export and round trip ----------------------------------------------------------------------


def snapshot() -> dict:
    """What a reader and an editor see of every article, keyed by section and slug."""
    out = {}
    for page in ArticlePage.objects.all():
        item = page if page.live else page.get_latest_revision_as_object()
        comments = thread(page)
        position = {c.pk: i for i, c in enumerate(comments)}
        body = []
        for block in item.body:
            value = block.value
            if block.block_type == "paragraph":
                value = value.source
            elif block.block_type in ("quote", "embed"):
                value = dict(value)
            body.append((block.block_type, value))
        out[(page.get_parent().slug, page.slug)] = {
            "title": item.title,
            "live": page.live,
            "first_published_at": page.first_published_at,
            "go_live_at": page.go_live_at,
            "dek": item.dek,
            "comments_enabled": item.comments_enabled,
            "body": body,
            "topics": sorted(t.name for t in item.topics.all()),
            "bylines": [b.author.title for b in item.bylines.all().order_by("sort_order")],
            "password": [r.password for r in page.get_view_restrictions()],
            "comments": [
                (
                    c.name,
                    c.email,
                    c.website,
                    c.status,
                    c.kind,
                    c.depth,
                    position.get(c.parent_id),
                    c.created_at,
                    c.body,
                    c.body_html,
                    c.is_removed,
                    c.ip_address,
                    c.is_newsroom,
                )
                for c in comments
            ],
            "public_count": public_count(page),
        }
    return out


def test_importing_an_export_into_an_empty_site_gives_back_the_same_site(theme_unit, tmp_path):
    before = snapshot()
    path = export(tmp_path)
    empty_the_site()
    summary = import_wordpress(path)
    assert summary.warning_count == 0, summary.warnings
    after = snapshot()
    assert sorted(after) == sorted(before)
    for key in before:
        assert after[key] == before[key], key
    assert_counts_right()


def test_the_export_is_a_wxr_1_2_file_as_wordpress_reads_it(theme_unit, tmp_path):
    from lxml import etree

    root = etree.parse(str(export(tmp_path))).getroot()
    wp = "http://wordpress.org/export/1.2/"
    assert root.tag == "rss" and root.nsmap["wp"] == wp
    assert root.nsmap["excerpt"] == "http://wordpress.org/export/1.2/excerpt/"
    channel = root.find("channel")
    assert channel.findtext(f"{{{wp}}}wxr_version") == "1.2"
    assert channel.findtext(f"{{{wp}}}base_site_url") == "https://news.example"
    logins = [a.findtext(f"{{{wp}}}author_login") for a in channel.findall(f"{{{wp}}}author")]
    assert sorted(logins) == ["themedemos", "themereviewteam"]
    items = channel.findall("item")
    posts = [i for i in items if i.findtext(f"{{{wp}}}post_type") == "post"]
    assert len(posts) == ArticlePage.objects.count() == 79
    statuses = sorted({i.findtext(f"{{{wp}}}status") for i in posts})
    assert statuses == ["draft", "future", "publish"]
    ids = [i.findtext(f"{{{wp}}}post_id") for i in items]
    assert len(ids) == len(set(ids))
    for item in posts:
        assert item.findtext("title") is not None and item.findtext("guid")
        assert item.findtext(f"{{{wp}}}post_date_gmt")
        comment_ids = {c.findtext(f"{{{wp}}}comment_id") for c in item.iter(f"{{{wp}}}comment")}
        for comment in item.iter(f"{{{wp}}}comment"):
            assert comment.findtext(f"{{{wp}}}comment_parent") in comment_ids | {"0"}
            assert comment.findtext(f"{{{wp}}}comment_approved") in {"1", "0", "spam", "trash"}
    comments = sum(len(item.findall(f"{{{wp}}}comment")) for item in posts)
    assert comments == Comment.objects.count() == 33


def test_wordpress_own_parsers_read_every_post_comment_and_term_of_the_export(theme_unit, tmp_path):
    import html

    from news.models import SectionPage, Topic

    parsed = read_as_wordpress(export(tmp_path))
    posts = [p for p in parsed["posts"] if p["post_type"] == "post"]
    # WordPress shows titles and names as HTML: unescaped, they read as they do here.
    assert sorted(html.unescape(p["post_title"]) for p in posts) == sorted(
        ArticlePage.objects.values_list("title", flat=True)
    )
    assert sorted(html.unescape(c["cat_name"]) for c in parsed["categories"]) == sorted(
        SectionPage.objects.values_list("title", flat=True)
    )
    assert sorted(html.unescape(t["tag_name"]) for t in parsed["tags"]) == sorted(
        Topic.objects.values_list("name", flat=True)
    )
    comments = [c for p in posts for c in p.get("comments", [])]
    assert len(comments) == Comment.objects.count() == 33
    ids = {c["comment_id"] for c in comments}
    assert {int(c["comment_parent"]) for c in comments} <= ids | {0}
