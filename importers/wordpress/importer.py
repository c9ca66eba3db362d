"""`masthead import-wordpress`: one run over a WXR file; see the package docstring."""

import re
from pathlib import Path
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from news.models import ArticlePage

from .. import pages, xmlstream
from ..base import (
    ImportFailed,
    Progress,
    Registry,
    Summary,
    parse_when,
    site_key,
    time_zone,
    url_key,
)
from ..html import Converter, ImageRef, plain_text, title_text
from ..models import ImportedObject
from ..wxr import (
    LEAD_CAPTION_META,
    WxrItem,
    child_text,
    children,
    damaged_label,
    parse_item,
    wxr_prefix,
    xmlns,
)
from .comments import CommentImport
from .media import MediaLibrary

Kind = ImportedObject.Kind
SOURCE = ImportedObject.Source.WORDPRESS

HEADER_TAGS = frozenset(
    {"title", "link", "description", "language", "wp:base_site_url", "wp:base_blog_url"}
)
RECORD_TAGS = {"item", "wp:author", "wp:category", "wp:tag", "wp:term"}
SKIPPED_STATUS = {
    "private": "private posts and pages",
    "trash": "trashed posts and pages",
    "auto-draft": "auto-drafts",
    "inherit": "revisions",
}


# The import ---------------------------------------------------------------------------------


class WordPressImport:
    """One run of `masthead import-wordpress`. See the package docstring and docs/import.md."""

    def __init__(
        self,
        path: Path,
        *,
        site: str = "",
        categories_as: str = "sections",
        section: str = "News",
        pages_section: str = "Pages",
        uploads: Path | None = None,
        tz: str | None = None,
        keep_going: bool = False,
        progress: bool | None = None,
        stream=None,
    ):
        if categories_as not in ("sections", "topics"):
            raise ImportFailed("--categories-as must be sections or topics.")
        self.path = Path(path)
        self.site_option = site
        self.categories_as = categories_as
        self.default_section = section
        self.pages_section = pages_section
        self.uploads = Path(uploads) if uploads else None
        self.tz = time_zone(tz)
        self.keep_going = keep_going
        self.progress = progress
        self.stream = stream
        self.summary = Summary()
        self.header: dict[str, str] = {}
        self.authors: dict[str, str] = {}  # login -> display name
        self.author_pages: dict[str, object] = {}
        self.sections: dict[str, object] = {}
        self.staff_ids: set[str] = set()  # wp:author_id of the file's authors
        self.sticky: list[tuple] = []  # (published, article) of live sticky posts
        self.seen_items: set[str] = set()
        self.site = ""
        self.registry: Registry | None = None
        self.damaged = False

    # Reading --------------------------------------------------------------------------

    def _read(self):
        if not self.damaged:
            yield from xmlstream.records(self.path, depth=3, prefixes=wxr_prefix)
            return
        yield from xmlstream.salvage(
            self.path,
            record_tags=RECORD_TAGS,
            fresh_tags=RECORD_TAGS,
            prefixes=wxr_prefix,
            default_root=f"<rss {xmlns()}>",
            header_tags=HEADER_TAGS,
            label=damaged_label,
        )

    def run(self) -> Summary:
        if not self.path.is_file():
            raise ImportFailed(f"{self.path}: no such file.")
        pages.home()
        problem, _ = xmlstream.check(self.path)
        if problem is not None:
            where = f"{self.path}:{problem.line}:{problem.column}"
            if not self.keep_going:
                raise ImportFailed(
                    f"{where}: the file is not well-formed XML: {problem.message} "
                    f"(line {problem.line}, column {problem.column}). Nothing was imported. "
                    "Repair the file, or run again with --keep-going to import every "
                    "complete item and list what the damage cost."
                )
            self.damaged = True
            self.summary.damage = (
                f"{problem.message} at line {problem.line}, column {problem.column}"
            )
        total = self._prepare()
        if not self.site:
            self._set_site(self.first_link)
        self.summary.title = f"WordPress import of {self.path.name} (site {self.site})"
        progress = Progress(total=total, label="item", stream=self.stream, bar=self.progress)
        try:
            for record in self._read():
                if isinstance(record, xmlstream.Damaged):
                    self.summary.lost.append(
                        f"{record.tag} at line {record.line} {record.label}: "
                        f"{record.problem}".replace("  ", " ")
                    )
                    if record.tag == "item":
                        progress.advance()
                    continue
                if record.tag == "item":
                    self._item(parse_item(record.element, record.line))
                    progress.advance()
        finally:
            progress.close()
        self._lead_story()
        return self.summary

    def _set_site(self, item_link: str) -> None:
        if self.site:
            return
        candidates = [
            self.site_option,
            self.header.get("wp:base_blog_url"),
            self.header.get("link"),
            self.header.get("wp:base_site_url"),
        ]
        if item_link:
            key = url_key(item_link)[0]
            candidates.append(key.split("/", 1)[0].split("?", 1)[0])
        for candidate in candidates:
            if candidate and site_key(candidate):
                self.site = site_key(candidate)
                break
        else:
            raise ImportFailed(
                f"{self.path} does not say which site it comes from (no <link> or "
                "<wp:base_blog_url>); give it with --site https://old-site.example so "
                "that running the import again recognises what is already here."
            )
        self.registry = Registry(SOURCE, self.site)
        self.media = MediaLibrary(
            registry=self.registry, summary=self.summary, uploads=self.uploads
        )
        self.comments = CommentImport(
            registry=self.registry, summary=self.summary, tz=self.tz, staff_ids=self.staff_ids
        )
        self.base_url = (
            self.header.get("wp:base_blog_url") or self.header.get("link") or ""
        ).strip() or f"http://{self.site}"

    def _prepare(self) -> int:
        """First pass: people, categories and the media library; returns the number of
        items, for the progress display."""
        total = 0
        attachments = []
        self.first_link = ""
        for record in self._read():
            if isinstance(record, xmlstream.Damaged):
                if record.tag == "item":
                    total += 1
                continue
            tag, element = record.tag, record.element
            if tag in HEADER_TAGS:
                self.header.setdefault(tag, (element.text or "").strip())
            elif tag == "wp:author":
                f = children(element)
                login = child_text(f, "wp:author_login")
                first, last = (
                    child_text(f, "wp:author_first_name"),
                    child_text(f, "wp:author_last_name"),
                )
                name = child_text(f, "wp:author_display_name") or f"{first} {last}".strip()
                login = login.strip(" <>\t\n")
                if login:
                    self.authors[login] = name or login
                author_id = child_text(f, "wp:author_id")
                if author_id not in ("", "0"):
                    self.staff_ids.add(author_id)
            elif tag == "item":
                total += 1
                if not self.first_link:
                    self.first_link = child_text(children(element), "link")
                post_type = child_text(children(element), "wp:post_type").lower()
                if post_type == "attachment":
                    item = parse_item(element, record.line)
                    self._set_site(item.link)
                    attachments.append(self.media.attachment_row(item))
                    if len(attachments) >= 500:
                        self.registry.remember_all(attachments)
                        attachments = []
                elif post_type == "guest-author":
                    item = parse_item(element, record.line)
                    login = item.meta.get("cap-user_login") or item.post_name
                    name = item.meta.get("cap-display_name") or title_text(item.title)
                    if login and name:
                        self.authors.setdefault(login, name)
                        self.authors.setdefault(f"cap-{login}", name)
        if attachments:
            self.registry.remember_all(attachments)
        return total

    # Items ----------------------------------------------------------------------------

    def _skip_reason(self, item: WxrItem) -> str:
        if item.post_type not in ("post", "page"):
            if item.post_type == "attachment":
                return ""
            return f"{item.post_type} items"
        return SKIPPED_STATUS.get(item.status, "")

    def _item_key(self, item: WxrItem) -> str:
        base = item.post_id or "link:" + url_key(item.link or item.guid)[0]
        key = base
        if key in self.seen_items:
            key = f"{base}:{pages.make_slug(unquote(item.post_name), title_text(item.title))}"
            n = 2
            while key in self.seen_items:
                key = f"{base}:{n}"
                n += 1
            self.summary.warn(
                f"line {item.line}: {item.label} has the same WordPress id as an earlier "
                f"item; imported separately (key {key})"
            )
        self.seen_items.add(key)
        return key

    def _item(self, item: WxrItem) -> None:
        self._set_site(item.link)
        if item.post_type == "attachment":
            self.summary.notes["attachments recorded (for featured images and galleries)"] += 1
            return
        reason = self._skip_reason(item)
        if reason:
            self.summary.skip(reason)
            self.summary.skip("comments on skipped items", len(item.comments))
            return
        key = self._item_key(item)
        try:
            with transaction.atomic():
                article = self._article(item, key)
                if article is not None:
                    self.comments.run(item, key, article)
        except (ValidationError, DatabaseError, ValueError) as exc:
            message = "; ".join(getattr(exc, "messages", None) or [str(exc)])
            self.summary.warn(f"line {item.line}: {item.label} could not be imported: {message}")
            self.summary.skip("items that could not be imported")
            self.summary.skip("comments on skipped items", len(item.comments))

    def _article(self, item: WxrItem, key: str):
        row = self.registry.get(Kind.ARTICLE, key)
        if row is not None:
            article = ArticlePage.objects.filter(pk=row.object_id).first()
            if article is None:
                self.summary.skip("items whose article was deleted here since an earlier import")
                self.summary.skip("comments on skipped items", len(item.comments))
                return None
            self.summary.existing["posts and pages"] += 1
            return article

        status = {
            "publish": pages.LIVE,
            "future": pages.SCHEDULED,
            "draft": pages.DRAFT,
            "pending": pages.DRAFT,
        }.get(item.status)
        if status is None:
            self.summary.warn(
                f"line {item.line}: {item.label} has status {item.status or 'none'!r}; "
                "imported as a draft"
            )
            status = pages.DRAFT
        published = (
            parse_when(item.post_date_gmt)
            or parse_when(item.pub_date)
            or parse_when(item.post_date, tz=self.tz)
        )
        if status == pages.SCHEDULED and (published is None or published <= timezone.now()):
            status = pages.LIVE

        parent, topics = self._placement(item)

        converter = Converter(
            base_url=self.base_url, image_for=self.media.image_for, gallery=self.media.gallery
        )
        body = converter.convert(item.content)
        for note in converter.notes:
            self.summary.notes[note] += 1

        title = title_text(item.title)
        if not title:
            title = "Untitled"
            self.summary.notes["items without a title (called Untitled)"] += 1
        dek = plain_text(item.excerpt)
        if len(dek) > 400:
            dek = dek[:399].rstrip() + "…"
            self.summary.notes["excerpts shortened to 400 characters"] += 1

        lead_image, lead_caption = self._lead_image(item)

        meta = item.meta
        seo_title = meta.get("_yoast_wpseo_title") or meta.get("_aioseop_title") or ""
        if seo_title:
            seo_title = re.sub(r"%%title%%", title, seo_title)
            seo_title = re.sub(r"%%sitename%%", self.header.get("title", ""), seo_title)
            seo_title = re.sub(r"%%sep%%", "–", seo_title)
            seo_title = re.sub(r"\s+", " ", re.sub(r"%%\w+%%", "", seo_title)).strip(" –-|")
        description = meta.get("_yoast_wpseo_metadesc") or meta.get("_aioseop_description") or ""

        article = pages.create_article(
            parent,
            pages.ArticleData(
                title=title,
                slug=pages.make_slug(
                    unquote(item.post_name), title, fallback=f"post-{item.post_id or 'x'}"
                ),
                status=status,
                published_at=published,
                body=body,
                dek=dek,
                dateline=meta.get("masthead_dateline", ""),
                topics=topics,
                authors=self._bylines(item),
                seo_title=seo_title,
                search_description=plain_text(description),
                comments_enabled=item.comment_status != "closed",
                lead_image=lead_image,
                lead_image_caption=lead_caption,
                password=item.password,
            ),
        )
        full, path = url_key(item.link)
        self.registry.remember(
            Kind.ARTICLE,
            key,
            article,
            source_url=full,
            source_path=path,
            data={"guid": url_key(item.guid)[0], "type": item.post_type},
        )
        self.summary.created["pages" if item.post_type == "page" else "posts"] += 1
        if item.is_sticky:
            self.summary.notes["sticky posts"] += 1
            if status == pages.LIVE:
                self.sticky.append((published or timezone.now(), article))
        return article

    def _placement(self, item: WxrItem) -> tuple:
        """The section an item goes to, and its topics as (name, slug) pairs; the slugs
        are WordPress's own (its nicenames), so /topics/zoes-picks/ keeps its address."""
        if item.post_type == "page":
            return self._section(self.pages_section, ""), []
        section_categories = [
            (nicename, name)
            for domain, nicename, name in item.categories
            if domain == "category" and nicename != "uncategorized"
        ]
        tags = [
            (nicename, name) for domain, nicename, name in item.categories if domain == "post_tag"
        ]
        if self.categories_as == "sections" and section_categories:
            parent = self._section(section_categories[0][1], section_categories[0][0])
            terms = section_categories[1:] + tags
        else:
            parent = self._section(self.default_section, "")
            terms = section_categories + tags
        topics = {}
        for nicename, name in terms:
            name = name.strip()[:100]
            if name and name.lower() not in topics:
                topics[name.lower()] = (name, unquote(nicename))
        return parent, list(topics.values())

    def _lead_image(self, item: WxrItem) -> tuple:
        """The featured image and its caption: the attachment's, unless the post gives
        its own (a masthead export does when articles show one image with different
        captions)."""
        thumbnail = item.meta.get("_thumbnail_id", "").strip()
        if not thumbnail:
            return None, ""
        lead_image, caption = None, ""
        attachment = self.registry.get(Kind.ATTACHMENT, thumbnail)
        if attachment is not None:
            data = attachment.data
            lead_image = self.media.image_for(
                ImageRef(url=data.get("url", ""), alt=data.get("alt", ""), attachment_id=thumbnail)
            )
            caption = data.get("caption", "")
        if lead_image is None:
            self.summary.notes[
                "featured images left out (no --uploads folder, or the file is not in it)"
            ] += 1
        if LEAD_CAPTION_META in item.meta:
            caption = item.meta[LEAD_CAPTION_META].strip()
        return lead_image, caption

    def _lead_story(self) -> None:
        """The newest live sticky post becomes the front page's lead story, unless an
        editor has chosen one (or has unpublished changes to the front page)."""
        if not self.sticky:
            return
        made = pages.lead_story(max(self.sticky, key=lambda pair: pair[0])[1])
        if made:
            self.summary.notes["sticky post made the front page's lead story"] = 1
        left = self.summary.notes["sticky posts"] - made
        if left:
            self.summary.notes["sticky posts not made the front page's lead story (it has one)"] = (
                left
            )

    def _section(self, title: str, nicename: str):
        cache_key = nicename or f"title:{title.lower()}"
        if cache_key in self.sections:
            return self.sections[cache_key]
        self.sections[cache_key] = section = self._recorded(
            Kind.SECTION,
            nicename or f"title:{title}",
            pages.SectionPage,
            lambda: pages.section(title, unquote(nicename)),
            "sections",
        )
        return section

    def _recorded(self, kind: str, external_id: str, model, make, counted: str):
        """The page an earlier run made of this record, or the one `make` finds or makes
        (counted as created when it is new), recorded for the next run."""
        object_id = self.registry.object_id(kind, external_id)
        page = model.objects.filter(pk=object_id).first() if object_id else None
        if page is None:
            page, created = make()
            if created:
                self.summary.created[counted] += 1
            self.registry.replace(kind, external_id, page)
        return page

    def _bylines(self, item: WxrItem) -> list:
        logins = [
            nicename or name for domain, nicename, name in item.categories if domain == "author"
        ]
        if not logins and item.creator:
            logins = [item.creator]
        authors = []
        # Some exports leave stray brackets around a login (">themereviewteam").
        for login in dict.fromkeys(login.strip(" <>\t\n") for login in logins):
            if not login:
                continue
            page = self._author(login)
            if page is not None and page not in authors:
                authors.append(page)
        return authors

    def _author(self, login: str):
        if login in self.author_pages:
            return self.author_pages[login]
        plain = login[4:] if login.startswith("cap-") else login
        name = self.authors.get(login) or self.authors.get(plain) or plain
        self.author_pages[login] = page = self._recorded(
            Kind.AUTHOR, plain, pages.AuthorPage, lambda: pages.author(name, plain), "authors"
        )
        return page
