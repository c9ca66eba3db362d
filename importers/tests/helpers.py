"""Running imports in tests, and reading back what they made."""

import io
import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from wagtail.images import get_image_model

from comments.models import Comment, Thread
from importers.disqus import DisqusImport
from importers.export import WxrExport
from importers.models import ImportedObject
from importers.wordpress import WordPressImport
from importers.wxr import xmlns
from news.models import ArticlePage, AuthorIndexPage, AuthorPage, SectionPage, Topic

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


def export(directory: Path, name: str = "export.xml") -> Path:
    """The site exported with `masthead export-wordpress` into `directory`."""
    path = directory / name
    with open(path, "w", encoding="utf-8") as handle:
        WxrExport(handle, base_url="https://news.example").run()
    return path


def empty_the_site() -> None:
    """Everything an import makes is gone; the front page stays."""
    for page in [*SectionPage.objects.all(), *AuthorIndexPage.objects.all()]:
        page.delete()
    Comment.objects.all().delete()
    Thread.objects.all().delete()
    Topic.objects.all().delete()
    ImportedObject.objects.all().delete()
    get_image_model().objects.all().delete()
    assert ArticlePage.objects.count() == 0


# WordPress's own parsers ----------------------------------------------------------------------

WORDPRESS_IMPORTER = Path(__file__).resolve().parent / "wordpress_importer"
_PHP_CHECK = 'exit(extension_loaded("simplexml") && extension_loaded("xml") ? 0 : 1);'


def read_as_wordpress(path: Path) -> dict:
    """What WordPress's importer (0.8, as shipped for WordPress 6.1) reads from a WXR file:
    its SimpleXML parser's result, which its XML parser (used when SimpleXML is missing)
    must read the same. Skips where PHP with its XML extensions is missing; on CI (where
    .ci/run installs php-cli and php-xml) that is a failure."""
    php = shutil.which("php")
    if php is None or subprocess.run([php, "-r", _PHP_CHECK]).returncode != 0:
        reason = "PHP with its XML extensions is needed to run WordPress's WXR parsers"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}; .ci/run installs php-cli and php-xml")
        pytest.skip(f"{reason} (apt install php-cli php-xml)")
    results = {}
    for parser in ("simplexml", "xml"):
        done = subprocess.run(
            [php, str(WORDPRESS_IMPORTER / "parse.php"), parser, str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        results[parser] = json.loads(done.stdout)
    assert _as_text(results["xml"]) == _as_text(results["simplexml"])
    return results["simplexml"]


def _as_text(value):
    """A parser's result as the importer compares it: the XML parser gives every value
    as a string, and leaves out empty ones (a lone "0" among them, as PHP's falsy)."""
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items() if v not in ("", "0", 0, [], None)}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return str(value)


def wordpress_post(parsed: dict, post_id: int) -> dict:
    return next(p for p in parsed["posts"] if p["post_id"] == post_id)
