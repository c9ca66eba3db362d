"""`masthead import-disqus`: threads matched to articles, posts with their replies,
deletions and spam, and the deliberately broken remark42 exports."""

import shutil

import pytest

from comments.models import Comment
from importers.base import ImportFailed
from news.tests import factories

from .helpers import (
    assert_counts_right,
    counts,
    import_disqus,
    import_wordpress,
    public_count,
    thread,
    write,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def disqus(acceptance_data):
    return acceptance_data / "disqus"


def test_isso_fixture_threads_replies_deleted_placeholder_and_unmatched(disqus, tmp_path):
    hello = factories.article("Hello", slug="hello")
    mapping = write(tmp_path, "map.csv", f"disqus,masthead\nhttp://example.org/,{hello.url}\n")
    summary = import_disqus(disqus / "isso-disqus.xml", mapping=mapping)
    comments = thread(hello)
    assert [(c.name, c.depth, c.is_removed, c.body) for c in comments] == [
        ("peter", 1, False, "..."),
        ("user", 2, False, "Hello, World."),
        ("peter", 1, True, ""),
        ("user", 2, False, "Hello, World."),
    ]
    assert comments[1].parent_id == comments[0].pk
    assert comments[3].parent_id == comments[2].pk
    assert comments[1].body_html == "<p>Hello, World.</p>"
    assert public_count(hello) == 3
    assert summary.created == {"comments": 3, "placeholders of deleted posts": 1}
    assert summary.skipped == {
        "posts whose thread is not in the file": 1,
        "posts in threads matched to no article": 1,
    }
    assert summary.unmatched == [
        'thread 7 http://localhost:4000/blog/2013/02/12/redacted/index.html "" (1 post)'
    ]
    assert_counts_right()


def test_importing_the_same_disqus_file_again_changes_nothing(disqus, tmp_path):
    hello = factories.article("Hello", slug="hello")
    mapping = write(tmp_path, "map.csv", f"http://example.org/,{hello.pk}\n")
    import_disqus(disqus / "isso-disqus.xml", mapping=mapping)
    before = counts()
    summary = import_disqus(disqus / "isso-disqus.xml", mapping=mapping)
    assert counts() == before
    assert summary.created == {}
    assert summary.existing == {"comments": 4}


def test_remark42_files_are_refused_with_the_position_of_the_damage(disqus):
    for name in ("remark42-disqus.xml", "remark42-disqus-deleted-post.xml"):
        before = counts()
        with pytest.raises(ImportFailed) as failure:
            import_disqus(disqus / name)
        assert f"{name}:1:1: the file is not well-formed XML" in str(failure.value)
        assert "(line 1, column 1)" in str(failure.value)
        assert counts() == before


def _radio_t_site(tmp_path):
    first = factories.article("Podcast 229", slug="podcast-229-a")
    second = factories.article("Podcast 229 again", slug="podcast-229-b")
    mapping = write(
        tmp_path,
        "map.csv",
        f"http://radio-t.umputun.com/2011/03/229_8880.html,{first.pk}\n247937687,{second.url}\n",
    )
    return first, second, mapping


def test_keep_going_imports_the_complete_posts_of_a_broken_file_and_lists_the_lost(
    disqus, tmp_path
):
    first, second, mapping = _radio_t_site(tmp_path)
    summary = import_disqus(disqus / "remark42-disqus.xml", mapping=mapping, keep_going=True)
    assert [c.name for c in thread(first)] == ["No Username", "Blah Noname"]
    assert [(c.name, c.status) for c in thread(second)] == [
        ("Alexander Blah", "approved"),
        ("mikhail", "approved"),
        ("Spam Noname", "spam"),
    ]
    assert public_count(second) == 2
    assert summary.lost == [
        "post at line 135 dsq:id x299986073: line 147, column 24: AttValue: \" or ' expected"
    ]
    assert summary.damage == "Start tag expected, '<' not found at line 1, column 1"
    link = thread(second)[0].body_html
    assert link.startswith("<p>The quick brown fox jumps over the lazy dog.</p>")
    assert 'rel="nofollow ugc noopener"' in link


def test_a_deleted_post_without_replies_is_left_out(disqus, tmp_path):
    first, second, mapping = _radio_t_site(tmp_path)
    summary = import_disqus(
        disqus / "remark42-disqus-deleted-post.xml", mapping=mapping, keep_going=True
    )
    assert [c.name for c in thread(second)] == ["mikhail", "Spam Noname"]
    assert summary.skipped == {"deleted posts without replies": 1}


def test_the_posts_of_a_deleted_thread_are_left_out(disqus, tmp_path):
    first, second, mapping = _radio_t_site(tmp_path)
    summary = import_disqus(
        disqus / "remark42-disqus-deleted-thread.xml", mapping=mapping, keep_going=True
    )
    assert thread(second) == []
    assert len(thread(first)) == 2
    assert summary.skipped == {"posts in threads deleted in Disqus": 3}


def test_threads_are_matched_by_the_link_of_an_imported_wordpress_post(acceptance_data, tmp_path):
    import_wordpress(acceptance_data / "wxr" / "waaseyaa-small-site.xml")
    path = write(
        tmp_path,
        "disqus.xml",
        """
        <?xml version="1.0" encoding="utf-8"?>
        <disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
          <thread dsq:id="1"><forum>gazette</forum>
            <link>http://www.example.test/2025/05/first-post</link><title>First</title></thread>
          <thread dsq:id="2"><forum>gazette</forum>
            <link>https://example.test/nowhere/</link><title>Gone</title></thread>
          <post dsq:id="12"><message>Reply first.</message>
            <createdAt>2025-05-06T10:00:00Z</createdAt><author><name>B</name></author>
            <thread dsq:id="1"/><parent dsq:id="11"/></post>
          <post dsq:id="11"><message>Parent later.</message>
            <createdAt>2025-05-06T09:00:00Z</createdAt><author><name>A</name></author>
            <thread dsq:id="1"/></post>
          <post dsq:id="13"><message>Lost reply.</message>
            <createdAt>2025-05-06T11:00:00Z</createdAt><author><name>C</name></author>
            <thread dsq:id="1"/><parent dsq:id="99"/></post>
          <post dsq:id="21"><message>Nobody home.</message>
            <createdAt>2025-05-06T11:00:00Z</createdAt><author><name>D</name></author>
            <thread dsq:id="2"/></post>
        </disqus>
        """,
    )
    summary = import_disqus(path)
    post = Comment.objects.filter(name="A").get().page.specific
    assert post.slug == "first-post"
    names = [
        (c.name, c.depth) for c in thread(post) if "imported from Disqus" in c.moderation_reasons[0]
    ]
    assert names == [("A", 1), ("B", 2), ("C", 1)]
    assert summary.warnings == [
        "line 13: post 13 replies to post 99, which is not in the file; imported at the top level"
    ]
    assert summary.unmatched == ['thread 2 https://example.test/nowhere/ "Gone" (1 post)']


def test_a_mapping_to_no_page_is_refused(disqus, tmp_path):
    mapping = write(tmp_path, "map.csv", "http://example.org/,/no/such/page/\n")
    with pytest.raises(ImportFailed, match="no page of this site that takes comments"):
        import_disqus(disqus / "isso-disqus.xml", mapping=mapping)


def test_a_copy_of_a_file_from_another_folder_is_the_same_import(disqus, tmp_path):
    hello = factories.article("Hello", slug="hello")
    mapping = write(tmp_path, "map.csv", f"http://example.org/,{hello.pk}\n")
    import_disqus(disqus / "isso-disqus.xml", mapping=mapping)
    copy = tmp_path / "renamed.xml"
    shutil.copy(disqus / "isso-disqus.xml", copy)
    summary = import_disqus(copy, mapping=mapping)
    assert summary.created == {}


def test_the_likes_and_dislikes_a_post_carries_come_in_as_its_counts(tmp_path):
    article = factories.article("Harbour plan")
    mapping = write(tmp_path, "map.csv", f"http://example.test/harbour/,{article.url}\n")
    path = write(
        tmp_path,
        "disqus.xml",
        """
        <?xml version="1.0" encoding="utf-8"?>
        <disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
          <thread dsq:id="1"><forum>gazette</forum>
            <link>http://example.test/harbour/</link><title>Harbour</title></thread>
          <post dsq:id="11"><message>Liked a lot.</message>
            <createdAt>2025-05-06T09:00:00Z</createdAt><author><name>A</name></author>
            <likes>12</likes><dislikes>3</dislikes><thread dsq:id="1"/></post>
          <post dsq:id="12"><message>Votes unreadable.</message>
            <createdAt>2025-05-06T10:00:00Z</createdAt><author><name>B</name></author>
            <likes>-4</likes><dislikes>many</dislikes><thread dsq:id="1"/></post>
          <post dsq:id="13"><message>No votes.</message>
            <createdAt>2025-05-06T11:00:00Z</createdAt><author><name>C</name></author>
            <thread dsq:id="1"/></post>
        </disqus>
        """,
    )
    import_disqus(path, mapping=mapping)
    import_disqus(path, mapping=mapping)  # again: nothing changes
    votes = [(c.name, c.likes, c.dislikes) for c in Comment.objects.order_by("created_at")]
    assert votes == [("A", 12, 3), ("B", 0, 0), ("C", 0, 0)]
