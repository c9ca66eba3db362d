"""Running imports in tests, and reading back what they made."""

import io
import textwrap
from pathlib import Path

from comments.models import Comment, Thread
from importers.disqus import DisqusImport
from importers.models import ImportedObject
from importers.wordpress import WordPressImport
from importers.wxr import xmlns
from news.models import ArticlePage, AuthorPage, SectionPage, Topic

WXR_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
    + xmlns("\n ")
    + """>
<channel>
<title>Old Gazette</title>
<link>https://gazette.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://gazette.example</wp:base_site_url>
<wp:base_blog_url>https://gazette.example</wp:base_blog_url>
<wp:author><wp:author_login>ada</wp:author_login>
<wp:author_display_name><![CDATA[Ada Lovelace]]></wp:author_display_name></wp:author>
<wp:author><wp:author_login>grace</wp:author_login>
<wp:author_display_name><![CDATA[Grace Hopper]]></wp:author_display_name></wp:author>
"""
)
WXR_TAIL = "</channel>\n</rss>\n"


def wxr_comment(cid, parent=0, *, author="Reader", approved="1", kind="", date="2020-01-02"):
    return f"""
    <wp:comment>
      <wp:comment_id>{cid}</wp:comment_id>
      <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
      <wp:comment_author_email>r{cid}@example.net</wp:comment_author_email>
      <wp:comment_date_gmt>{date} 10:{int(cid) % 60:02d}:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[Comment number {cid}.]]></wp:comment_content>
      <wp:comment_approved>{approved}</wp:comment_approved>
      <wp:comment_type>{kind}</wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
    </wp:comment>"""


def wxr_item(
    post_id,
    title,
    *,
    status="publish",
    body="<p>Story text.</p>",
    comments="",
    extra="",
    post_type="post",
    date="2020-01-01 09:00:00",
    creator="ada",
):
    return f"""
  <item>
    <title>{title}</title>
    <link>https://gazette.example/{post_id}/</link>
    <dc:creator><![CDATA[{creator}]]></dc:creator>
    <content:encoded><![CDATA[{body}]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>{post_id}</wp:post_id>
    <wp:post_date_gmt>{date}</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name>post-{post_id}</wp:post_name>
    <wp:status>{status}</wp:status>
    <wp:post_type>{post_type}</wp:post_type>
    {extra}
    {comments}
  </item>"""


def write_wxr(directory: Path, *items, name="export.xml") -> Path:
    path = directory / name
    path.write_text(WXR_HEAD + "".join(items) + WXR_TAIL, encoding="utf-8")
    return path


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def import_wordpress(path, **options):
    options.setdefault("progress", False)
    options.setdefault("stream", io.StringIO())
    return WordPressImport(Path(path), **options).run()


def import_disqus(path, **options):
    options.setdefault("progress", False)
    options.setdefault("stream", io.StringIO())
    return DisqusImport(Path(path), **options).run()


def article(slug: str) -> ArticlePage:
    return ArticlePage.objects.get(slug=slug)


def thread(page) -> list[Comment]:
    return list(Comment.objects.filter(page_id=page.pk).order_by("path"))


def public_count(page) -> int:
    return (
        Thread.objects.filter(page_id=page.pk).values_list("public_count", flat=True).first() or 0
    )


def counts() -> dict:
    """How many of each thing the site holds, to tell that a run changed nothing."""
    from wagtail.models import Page, Revision

    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "articles": ArticlePage.objects.count(),
        "sections": SectionPage.objects.count(),
        "authors": AuthorPage.objects.count(),
        "topics": Topic.objects.count(),
        "comments": Comment.objects.count(),
        "threads": sorted(Thread.objects.values_list("page_id", "public_count")),
        "records": ImportedObject.objects.count(),
    }


def assert_counts_right() -> None:
    """Every page's stored public count is its approved reader comments (not pingbacks,
    not placeholders of deleted comments)."""
    for page_id in Comment.objects.values_list("page_id", flat=True).distinct():
        expected = Comment.objects.filter(
            page_id=page_id, status="approved", kind="comment", is_removed=False
        ).count()
        stored = Thread.objects.filter(page_id=page_id).values_list("public_count", flat=True)
        assert list(stored) == [expected], page_id
