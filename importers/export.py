"""Export the site as a WordPress WXR 1.2 file: authors, sections (as categories), topics
(as tags), images (as attachments), articles (as posts) and their comments.

The file is written as a stream, one article at a time, in the shape WordPress's own
exporter writes (text in CDATA sections), so WordPress's importer takes it, and so does
`masthead import-wordpress`: importing an export into an empty site gives back the same
articles, comments, threading and counts.
"""

import datetime as dt
import html as htmllib
import re
from email.utils import format_datetime
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction
from wagtail.rich_text import expand_db_html

from comments.models import Comment
from comments.services import DELETED_TEXT
from comments.services.authors import PLACEHOLDER_NAME
from news.models import ArticlePage, AuthorPage, HomePage, SectionPage, Topic

from .wxr import LEAD_CAPTION_META, REMOVED_META, xmlns

# Characters XML 1.0 cannot hold at all.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
STATUS = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
}


def cdata(text) -> str:
    text = _INVALID_XML.sub("", str(text or ""))
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def esc(text) -> str:
    return escape(_INVALID_XML.sub("", str(text or "")), {'"': "&quot;"})


def text_cdata(text) -> str:
    """Plain text (a name, a dek) as WordPress stores it: HTML with &, < and > escaped,
    so that WordPress shows it as written and its importer's filters keep every word."""
    return cdata(htmllib.escape(str(text or ""), quote=False))


def _gmt(when: dt.datetime | None) -> str:
    if when is None:
        return "0000-00-00 00:00:00"
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _local(when: dt.datetime | None) -> str:
    if when is None:
        return "0000-00-00 00:00:00"
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")


class WxrExport:
    """Writes the export to `out` (a text stream). `base_url` makes links absolute."""

    def __init__(self, out, *, base_url: str = "", progress=None):
        self.out = out
        self.base = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/")
        self.progress = progress
        self.counts = {"articles": 0, "comments": 0, "authors": 0, "images": 0}
        last_page = Page.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        # Attachments need ids no article has; so do the newsroom's commenters, among
        # the authors.
        self.image_offset = last_page
        home = HomePage.objects.first()
        self.lead_story_id = home.lead_story_id if home is not None else None
        self.captions: dict[int, str] = {}  # image -> the lead-image caption it exports
        self.staff: dict[object, int] = {}  # user id, or name -> wp:author_id

    def write(self, text: str) -> None:
        self.out.write(text)

    def absolute(self, url: str) -> str:
        if not url:
            return ""
        if url.startswith(("http://", "https://")):
            return url
        return self.base + "/" + url.lstrip("/")

    def run(self) -> dict:
        now = timezone.now()
        self.write('<?xml version="1.0" encoding="UTF-8" ?>\n')
        self.write(f'<!-- generator="masthead" created="{_gmt(now)}" -->\n')
        self.write('<rss version="2.0"\n\t' + xmlns("\n\t") + "\n>\n<channel>\n")
        self.write(
            f"\t<title>{esc(settings.WAGTAIL_SITE_NAME)}</title>\n"
            f"\t<link>{esc(self.base)}</link>\n"
            "\t<description></description>\n"
            f"\t<pubDate>{format_datetime(now)}</pubDate>\n"
            f"\t<language>{esc(settings.LANGUAGE_CODE)}</language>\n"
            "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
            f"\t<wp:base_site_url>{esc(self.base)}</wp:base_site_url>\n"
            f"\t<wp:base_blog_url>{esc(self.base)}</wp:base_blog_url>\n\n"
        )
        self._authors()
        self._terms()
        self._images()
        for article in ArticlePage.objects.order_by("path").iterator(chunk_size=200):
            self._article(article)
            if self.progress is not None:
                self.progress.advance()
        self.write("</channel>\n</rss>\n")
        return self.counts

    def _authors(self) -> None:
        ids_by_name: dict[str, int] = {}
        logins: set[str] = set()
        for author in AuthorPage.objects.order_by("pk").iterator():
            self._author(author.pk, author.slug, author.title)
            ids_by_name.setdefault(author.title.lower(), author.pk)
            logins.add(author.slug)
        # Whoever wrote a newsroom comment is one of the site's users in WordPress: an
        # author of the file, whose id the comment carries (wp:comment_user_id).
        newsroom = (
            Comment.objects.filter(is_newsroom=True, is_removed=False)
            .order_by("user_id", "name")
            .values_list("user_id", "user__username", "name")
            .distinct()
        )
        next_id = self.image_offset  # above every author page's id
        for user_id, username, name in newsroom:
            key = user_id or name
            if key in self.staff:
                continue
            if name.lower() in ids_by_name:
                self.staff[key] = ids_by_name[name.lower()]
                continue
            next_id += 1
            login = base = _slug(username or name) or f"newsroom-{next_id}"
            n = 2
            while login in logins:
                login, n = f"{base}-{n}", n + 1
            logins.add(login)
            ids_by_name[name.lower()] = self.staff[key] = next_id
            self._author(next_id, login, name)

    def _author(self, author_id: int, login: str, name: str) -> None:
        self.write(
            "\t<wp:author>"
            f"<wp:author_id>{author_id}</wp:author_id>"
            f"<wp:author_login>{cdata(login)}</wp:author_login>"
            f"<wp:author_email>{cdata('')}</wp:author_email>"
            f"<wp:author_display_name>{text_cdata(name)}</wp:author_display_name>"
            f"<wp:author_first_name>{cdata('')}</wp:author_first_name>"
            f"<wp:author_last_name>{cdata('')}</wp:author_last_name>"
            "</wp:author>\n"
        )
        self.counts["authors"] += 1

    def _terms(self) -> None:
        for section in SectionPage.objects.order_by("path").iterator():
            self.write(
                "\t<wp:category>"
                f"<wp:term_id>{section.pk}</wp:term_id>"
                f"<wp:category_nicename>{cdata(section.slug)}</wp:category_nicename>"
                f"<wp:category_parent>{cdata('')}</wp:category_parent>"
                f"<wp:cat_name>{text_cdata(section.title)}</wp:cat_name>"
                "</wp:category>\n"
            )
        for topic in Topic.objects.order_by("pk").iterator():
            self.write(
                "\t<wp:tag>"
                f"<wp:term_id>{topic.pk}</wp:term_id>"
                f"<wp:tag_slug>{cdata(topic.slug)}</wp:tag_slug>"
                f"<wp:tag_name>{text_cdata(topic.name)}</wp:tag_name>"
                "</wp:tag>\n"
            )

    def _images(self) -> None:
        # A lead image's caption is its attachment's excerpt, which WordPress shows under
        # the featured image; the first article (in tree order) that captions it gives it.
        for image_id, caption in (
            ArticlePage.objects.filter(lead_image__isnull=False)
            .exclude(lead_image_caption="")
            .order_by("path")
            .values_list("lead_image_id", "lead_image_caption")
        ):
            self.captions.setdefault(image_id, caption)
        for image in get_image_model().objects.order_by("pk").iterator():
            url = self.absolute(image.file.url)
            post_id = self.image_offset + image.pk
            self.write(
                "\t<item>\n"
                f"\t\t<title>{text_cdata(image.title)}</title>\n"
                f"\t\t<link>{esc(url)}</link>\n"
                f"\t\t<pubDate>{format_datetime(image.created_at)}</pubDate>\n"
                f"\t\t<dc:creator>{cdata('')}</dc:creator>\n"
                f'\t\t<guid isPermaLink="false">{esc(url)}</guid>\n'
                "\t\t<description></description>\n"
                f"\t\t<content:encoded>{cdata('')}</content:encoded>\n"
                f"\t\t<excerpt:encoded>{text_cdata(self.captions.get(image.pk, ''))}"
                "</excerpt:encoded>\n"
                f"\t\t<wp:post_id>{post_id}</wp:post_id>\n"
                f"\t\t<wp:post_date>{cdata(_local(image.created_at))}</wp:post_date>\n"
                f"\t\t<wp:post_date_gmt>{cdata(_gmt(image.created_at))}</wp:post_date_gmt>\n"
                f"\t\t<wp:comment_status>{cdata('closed')}</wp:comment_status>\n"
                f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>\n"
                f"\t\t<wp:post_name>{cdata(_slug(image.title) or f'image-{image.pk}')}"
                "</wp:post_name>\n"
                f"\t\t<wp:status>{cdata('inherit')}</wp:status>\n"
                "\t\t<wp:post_parent>0</wp:post_parent>\n"
                "\t\t<wp:menu_order>0</wp:menu_order>\n"
                f"\t\t<wp:post_type>{cdata('attachment')}</wp:post_type>\n"
                f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n"
                "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
                f"\t\t<wp:attachment_url>{cdata(url)}</wp:attachment_url>\n"
                + self._meta("_wp_attached_file", image.file.name)
                + self._meta("_wp_attachment_image_alt", image.default_alt_text)
                + "\t</item>\n"
            )
            self.counts["images"] += 1

    def _meta(self, key: str, value) -> str:
        return (
            f"\t\t<wp:postmeta><wp:meta_key>{cdata(key)}</wp:meta_key>"
            f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>\n"
        )

    def _article(self, page: ArticlePage) -> None:
        scheduled = bool(not page.live and page.go_live_at and page.go_live_at > timezone.now())
        article = page if page.live else (page.get_latest_revision_as_object() or page)
        if page.live:
            status = "publish"
            published = page.first_published_at or page.last_published_at
        elif scheduled:
            status, published = "future", page.go_live_at
        else:
            status, published = "draft", None
        section = page.get_parent()
        bylines = [b.author for b in article.bylines.all().order_by("sort_order")]
        bylines = [a for a in bylines if a is not None]
        creator = bylines[0].slug if bylines else ""
        password = (
            PageViewRestriction.objects.filter(
                page=page, restriction_type=PageViewRestriction.PASSWORD
            )
            .values_list("password", flat=True)
            .first()
        )
        link = self.absolute(page.url or page.url_path)
        parts = [
            "\t<item>\n",
            f"\t\t<title>{text_cdata(article.title)}</title>\n",
            f"\t\t<link>{esc(link)}</link>\n",
            f"\t\t<pubDate>{format_datetime(published) if published else ''}</pubDate>\n",
            f"\t\t<dc:creator>{cdata(creator)}</dc:creator>\n",
            f'\t\t<guid isPermaLink="false">{esc(self.base)}/?p={page.pk}</guid>\n',
            "\t\t<description></description>\n",
            f"\t\t<content:encoded>{cdata(self._body(article))}</content:encoded>\n",
            f"\t\t<excerpt:encoded>{text_cdata(article.dek)}</excerpt:encoded>\n",
            f"\t\t<wp:post_id>{page.pk}</wp:post_id>\n",
            f"\t\t<wp:post_date>{cdata(_local(published))}</wp:post_date>\n",
            f"\t\t<wp:post_date_gmt>{cdata(_gmt(published))}</wp:post_date_gmt>\n",
            f"\t\t<wp:comment_status>{cdata('open' if article.comments_enabled else 'closed')}"
            "</wp:comment_status>\n",
            f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>\n",
            f"\t\t<wp:post_name>{cdata(page.slug)}</wp:post_name>\n",
            f"\t\t<wp:status>{cdata(status)}</wp:status>\n",
            "\t\t<wp:post_parent>0</wp:post_parent>\n",
            "\t\t<wp:menu_order>0</wp:menu_order>\n",
            f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>\n",
            f"\t\t<wp:post_password>{cdata(password or '')}</wp:post_password>\n",
            f"\t\t<wp:is_sticky>{int(page.pk == self.lead_story_id)}</wp:is_sticky>\n",
            f'\t\t<category domain="category" nicename="{esc(section.slug)}">'
            f"{text_cdata(section.title)}</category>\n",
        ]
        for topic in article.topics.all().order_by("name"):
            parts.append(
                f'\t\t<category domain="post_tag" nicename="{esc(topic.slug)}">'
                f"{text_cdata(topic.name)}</category>\n"
            )
        if len(bylines) > 1:
            # Co-Authors Plus keeps every byline, in order, as an author term.
            for author in bylines:
                parts.append(
                    f'\t\t<category domain="author" nicename="cap-{esc(author.slug)}">'
                    f"{cdata(author.slug)}</category>\n"
                )
        if article.lead_image_id:
            parts.append(self._meta("_thumbnail_id", self.image_offset + article.lead_image_id))
            if article.lead_image_caption != self.captions.get(article.lead_image_id, ""):
                parts.append(self._meta(LEAD_CAPTION_META, article.lead_image_caption))
        if article.seo_title:
            parts.append(self._meta("_yoast_wpseo_title", article.seo_title))
        if article.search_description:
            parts.append(self._meta("_yoast_wpseo_metadesc", article.search_description))
        if article.dateline:
            parts.append(self._meta("masthead_dateline", article.dateline))
        self.write("".join(parts))
        self._comments(page)
        self.write("\t</item>\n")
        self.counts["articles"] += 1

    def _body(self, article: ArticlePage) -> str:
        html = []
        for block in article.body:
            kind, value = block.block_type, block.value
            if kind == "paragraph":
                html.append(self._links(expand_db_html(value.source)))
            elif kind == "heading":
                html.append(f"<h2>{esc(value)}</h2>")
            elif kind == "quote":
                paragraphs = [p for p in re.split(r"\n\s*\n", value["quote"]) if p.strip()]
                inner = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
                cite = f"<cite>{esc(value['attribution'])}</cite>" if value["attribution"] else ""
                html.append(f'<blockquote class="wp-block-quote">{inner}{cite}</blockquote>')
            elif kind == "image":
                image = value["image"]
                if image is None:
                    continue
                caption = esc(value["caption"])
                if value["credit"]:
                    caption += f' <span class="credit">{esc(value["credit"])}</span>'
                src = esc(self.absolute(image.file.url))
                html.append(
                    '<figure class="wp-block-image">'
                    f'<img src="{src}" alt="{esc(value["alt_text"])}"'
                    f' class="wp-image-{self.image_offset + image.pk}"/>'
                    + (f"<figcaption>{caption}</figcaption>" if caption else "")
                    + "</figure>"
                )
            elif kind == "embed":
                provider = _slug(value["provider"])
                classes = "wp-block-embed" + (f" is-provider-{provider}" if provider else "")
                html.append(
                    f'<figure class="{classes}" data-provider="{esc(value["provider"])}">'
                    '<div class="wp-block-embed__wrapper">\n'
                    f"{esc(value['url'])}\n</div>"
                    f"<figcaption>{esc(value['title'])}</figcaption></figure>"
                )
        return "\n\n".join(html)

    def _links(self, html: str) -> str:
        return re.sub(
            r'href="(/[^"]*)"', lambda m: f'href="{esc(self.absolute(m.group(1)))}"', html
        )

    def _comments(self, page) -> None:
        comments = Comment.objects.filter(page_id=page.pk).order_by("path")
        for comment in comments.iterator(chunk_size=500):
            kind = "" if comment.kind == Comment.Kind.COMMENT else comment.kind
            name, email, website = comment.name, comment.email, comment.website
            ip = comment.ip_address or ""
            user_id = self.staff.get(comment.user_id or comment.name, 0)
            user_id = user_id if comment.is_newsroom else 0
            content, meta = comment.body_html, ""
            if comment.is_removed:
                # Its author took it back: nothing of who wrote it goes out, whatever a
                # placeholder made before they were scrubbed still holds.
                content, name, user_id = DELETED_TEXT, PLACEHOLDER_NAME, 0
                email = website = ip = ""
                meta = (
                    f"\t\t\t<wp:commentmeta><wp:meta_key>{cdata(REMOVED_META)}</wp:meta_key>"
                    f"<wp:meta_value>{cdata('1')}</wp:meta_value></wp:commentmeta>\n"
                )
            self.write(
                "\t\t<wp:comment>\n"
                f"\t\t\t<wp:comment_id>{comment.pk}</wp:comment_id>\n"
                f"\t\t\t<wp:comment_author>{text_cdata(name)}</wp:comment_author>\n"
                f"\t\t\t<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>\n"
                f"\t\t\t<wp:comment_author_url>{cdata(website)}</wp:comment_author_url>\n"
                f"\t\t\t<wp:comment_author_IP>{cdata(ip)}</wp:comment_author_IP>\n"
                f"\t\t\t<wp:comment_date>{cdata(_local(comment.created_at))}</wp:comment_date>\n"
                f"\t\t\t<wp:comment_date_gmt>{cdata(_gmt(comment.created_at))}"
                "</wp:comment_date_gmt>\n"
                f"\t\t\t<wp:comment_content>{cdata(content)}</wp:comment_content>\n"
                f"\t\t\t<wp:comment_approved>{cdata(STATUS.get(comment.status, '0'))}"
                "</wp:comment_approved>\n"
                f"\t\t\t<wp:comment_type>{cdata(kind)}</wp:comment_type>\n"
                f"\t\t\t<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>\n"
                f"\t\t\t<wp:comment_user_id>{user_id}</wp:comment_user_id>\n"
                f"{meta}"
                "\t\t</wp:comment>\n"
            )
            self.counts["comments"] += 1
