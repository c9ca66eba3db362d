"""Create or update articles from plain-text and Markdown files.

A file is optional YAML front matter between ``---`` lines, then the headline on the first
line, then paragraphs separated by blank lines. Markdown files may use ``## `` subheadings,
``> `` block quotes (a last line starting with a dash is the attribution), ``*emphasis*``
and links. Front matter keys: slug, section, authors, dateline, topics, published, status
(live or draft), dek, updates (a list of {kind, at, text}).
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.text import slugify
from markdown_it import MarkdownIt
from wagtail.blocks import StreamValue

from .models import (
    ArticleByline,
    ArticlePage,
    ArticleUpdate,
    AuthorIndexPage,
    AuthorPage,
    HomePage,
    SectionPage,
)

FRONT_MATTER_KEYS = {
    "slug",
    "section",
    "authors",
    "dateline",
    "topics",
    "published",
    "status",
    "dek",
    "updates",
}

# What a copied web page leaves after the story: comment-form residue and share buttons.
BOILERPLATE = re.compile(
    r"^(?:leave a (?:reply|comment)|be the first to comment|\d+ comments?|comments?|"
    r"your email address will not be published.*|required fields are marked \*|"
    r"(?:comment|name|email|website) ?\*?|post comment|"
    r"save my name, email, and website in this browser.*|"
    r"share(?: this(?: article| story)?)?:?|share on \w+|click to (?:share|print|email).*|"
    r"like this:?|like loading\.*|tweet|print|email|facebook|twitter|x|linkedin|whatsapp|"
    r"reddit|related(?: articles| posts)?:?|(?:[\w ]+ \| )+[\w ]+)$",
    re.IGNORECASE,
)
# A Markdown heading: one to six # then a space, so "#1 seed" or "#MeToo" stay text.
HEADING = re.compile(r"^#{1,6}(?:\s+|$)")
QUOTE_CHARS = "\"“”'‘’"
ATTRIBUTION = re.compile(r"^\s*(?:—|–|--|-)\s*(?P<who>\S.*)$")

_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False})


class IngestError(Exception):
    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass
class ParsedArticle:
    headline: str
    blocks: list[tuple[str, object]]
    meta: dict = field(default_factory=dict)
    # Line of the headline and of each front matter key, for error messages.
    lines: dict = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.lines.get("headline", 1))


def parse_file(path: Path) -> ParsedArticle:
    """Read and parse one file; raise IngestError naming the file and line on any problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, 0, f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise IngestError(path, line, "is not UTF-8 text") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body, body_line = _split_front_matter(path, text)
    parsed = _parse_body(
        path, body, body_line, meta, markdown=path.suffix.lower() in {".md", ".markdown"}
    )
    parsed.lines.update({key: _line_of_key(text[4:], key) for key in meta})
    return parsed


def _split_front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    if not text.startswith("---\n"):
        return {}, text, 1
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise IngestError(path, 1, "front matter starts with --- but never ends")
    block = text[4 : end + 1]
    try:
        meta = yaml.safe_load(block) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise IngestError(path, line, f"front matter is not valid YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise IngestError(path, 2, "front matter must be a list of key: value lines")
    unknown = sorted(set(meta) - FRONT_MATTER_KEYS)
    if unknown:
        raise IngestError(
            path,
            _line_of_key(block, unknown[0]),
            f"unknown front matter key {unknown[0]!r}; known keys: "
            + ", ".join(sorted(FRONT_MATTER_KEYS)),
        )
    body_line = block.count("\n") + 3
    return meta, text[end + 5 :], body_line


def _line_of_key(block: str, key: str) -> int:
    for number, line in enumerate(block.split("\n"), start=2):
        if line.startswith(f"{key}:"):
            return number
    return 2


def _parse_body(path, body, first_line, meta, *, markdown):
    # Paragraphs with the line each starts on, for error messages.
    paragraphs: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = first_line
    for number, line in enumerate(body.split("\n"), start=first_line):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            paragraphs.append((start, current))
            current = []
    if current:
        paragraphs.append((start, current))
    if not paragraphs:
        raise IngestError(path, first_line, "has no headline: the first line must be the headline")

    head_line, head = paragraphs[0]
    headline = HEADING.sub("", head[0]).strip() if markdown else head[0].strip()
    if len(headline) > 255:
        raise IngestError(path, head_line, "headline is longer than 255 characters")
    rest = paragraphs[1:]
    if len(head) > 1:
        rest.insert(0, (head_line + 1, head[1:]))

    while rest and all(BOILERPLATE.match(line.strip()) for line in rest[-1][1]):
        rest.pop()

    blocks = []
    for _, lines in rest:
        if markdown and HEADING.match(lines[0]) and len(lines) > 1:
            # A subheading with text right under it: the text is the next paragraph.
            blocks.append(_block(lines[:1], markdown=True))
            lines = lines[1:]
        blocks.append(_block(lines, markdown=markdown))
    if not blocks:
        raise IngestError(path, head_line, "has a headline but no story text")
    return ParsedArticle(headline=headline, blocks=blocks, meta=meta, lines={"headline": head_line})


def _inline(text: str, *, markdown: bool) -> str:
    if markdown:
        return _markdown.renderInline(text)
    return escape(text)


def _block(lines: list[str], *, markdown: bool):
    if markdown and HEADING.match(lines[0]):
        return ("heading", HEADING.sub("", lines[0]).strip())
    if markdown and all(line.startswith(">") for line in lines):
        quoted = [line[1:].strip() for line in lines]
        attribution = ""
        match = ATTRIBUTION.match(quoted[-1])
        if match and len(quoted) > 1:
            attribution = match.group("who").strip()
            quoted = quoted[:-1]
        return ("quote", {"quote": " ".join(quoted), "attribution": attribution})
    text = " ".join(line.strip() for line in lines)
    return ("paragraph", f"<p>{_inline(text, markdown=markdown)}</p>")


def _parse_when(path, value, key, line) -> dt.datetime:
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time(0, 0))
    else:
        when = parse_datetime(str(value)) if value else None
        if when is None:
            raise IngestError(
                path, line, f"{key}: {value!r} is not a date and time (YYYY-MM-DD HH:MM)"
            )
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [str(item).strip() for item in value if str(item).strip()]


@dataclass
class IngestResult:
    article: ArticlePage
    created: bool
    scheduled: bool
    # A section this file's article needed and the site did not have yet, and whether it
    # is the default section (MASTHEAD_DEFAULT_SECTION) because the file named none.
    new_section: SectionPage | None = None
    in_default_section: bool = False


def ingest_file(path: Path, *, default_status: str = "live", prepare=None) -> IngestResult:
    """Create or update (same slug) one article from `path`, all or nothing. `prepare`,
    if given, is called with the article just before it is saved, to set more fields."""
    parsed = parse_file(path)
    meta = parsed.meta
    status = str(meta.get("status", default_status)).lower()
    if status not in {"live", "draft"}:
        raise IngestError(
            path, parsed.line_of("status"), f"status: {status!r} must be live or draft"
        )
    published = (
        _parse_when(path, meta["published"], "published", parsed.line_of("published"))
        if meta.get("published")
        else None
    )
    updates = []
    for entry in meta.get("updates") or []:
        if not isinstance(entry, dict) or not entry.get("text"):
            raise IngestError(
                path, parsed.line_of("updates"), "updates: each entry needs kind, at and text"
            )
        kind = str(entry.get("kind", "update")).lower()
        if kind not in ArticleUpdate.Kind.values:
            raise IngestError(
                path,
                parsed.line_of("updates"),
                f"updates: kind {kind!r} must be update or correction",
            )
        at = _parse_when(path, entry.get("at"), "updates.at", parsed.line_of("updates"))
        updates.append((kind, at, str(entry["text"])))
    slug = slugify(str(meta.get("slug") or parsed.headline))[:255]
    if not slug:
        raise IngestError(
            path,
            parsed.line_of("slug"),
            "cannot make a slug from the headline; set slug: in front matter",
        )

    try:
        return _save(path, parsed, status, published, updates, slug, prepare)
    except ValidationError as exc:
        # A value the page model refuses (a dateline too long...) fails this file only.
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"headline": exc.messages}
        name, messages = next(iter(fields.items()))
        key = {"title": "headline", "draft_title": "headline"}.get(name, name)
        raise IngestError(path, parsed.line_of(key), f"{key}: {' '.join(messages)}") from None


def _save(path, parsed, status, published, updates, slug, prepare) -> "IngestResult":
    meta = parsed.meta
    with transaction.atomic():
        section, section_created = _section(meta.get("section"), path)
        authors = [_author(name) for name in _as_list(meta.get("authors"))]
        article = ArticlePage.objects.filter(slug=slug).first()
        created = article is None
        if created:
            article = ArticlePage(title=parsed.headline, slug=slug, live=False)
            section.add_child(instance=article)
            article = ArticlePage.objects.get(pk=article.pk)
        elif article.get_parent().pk != section.pk:
            article.move(section, pos="last-child")
            article = ArticlePage.objects.get(pk=article.pk)

        article.title = parsed.headline
        article.dek = str(meta.get("dek") or "")
        article.dateline = str(meta.get("dateline") or "")
        article.body = StreamValue(article.body.stream_block, parsed.blocks, is_lazy=False)
        article.topics.set(_as_list(meta.get("topics")))
        # Keep the byline rows of authors who stay, so nothing that refers to them breaks.
        kept = {byline.author_id: byline for byline in article.bylines.all()}
        article.bylines = [
            _byline(kept.get(author.pk), author, position)
            for position, author in enumerate(authors)
        ]
        article.updates = [
            ArticleUpdate(kind=kind, published_at=when, text=text, sort_order=i)
            for i, (kind, when, text) in enumerate(updates)
        ]
        if prepare is not None:
            prepare(article)
        scheduled = bool(status == "live" and published and published > timezone.now())
        article.go_live_at = published if scheduled else None
        if created and status == "draft":
            article.live = False
            article.save()
        revision = article.save_revision()
        if status == "live":
            revision.publish()
            if published and not scheduled:
                # An update dated ahead is not shown yet, so it cannot date the article.
                now = timezone.now()
                ArticlePage.objects.filter(pk=article.pk).update(
                    first_published_at=published,
                    last_published_at=max([published] + [u[1] for u in updates if u[1] <= now]),
                )
        article.refresh_from_db()
    return IngestResult(
        article=article,
        created=created,
        scheduled=scheduled,
        new_section=section if section_created else None,
        in_default_section=section_created and not meta.get("section"),
    )


def _byline(existing, author, position: int) -> ArticleByline:
    byline = existing or ArticleByline(author=author)
    byline.sort_order = position
    return byline


def _section(value, path) -> tuple[SectionPage, bool]:
    """The section named `value` (or the first section, or the default section on a site
    that has none yet), and whether it had to be created."""
    home = HomePage.objects.first()
    if home is None:
        raise IngestError(path, 1, "the site has no front page; run migrations first")
    if not value:
        section = SectionPage.objects.child_of(home).first()
        if section is not None:
            return section, False
        # As WordPress files a post without a category under "Uncategorized".
        value = settings.MASTHEAD_DEFAULT_SECTION
        if not slugify(str(value).strip()):
            raise IngestError(
                path,
                1,
                "no section given, the site has no sections yet, and "
                f"MASTHEAD_DEFAULT_SECTION={value!r} cannot name one; set section: in front "
                "matter or give MASTHEAD_DEFAULT_SECTION a name",
            )
    name = str(value).strip()
    section = (
        SectionPage.objects.filter(title__iexact=name).first()
        or SectionPage.objects.filter(slug=slugify(name)).first()
    )
    if section is not None:
        return section, False
    section = SectionPage(title=name, slug=slugify(name))
    home.add_child(instance=section)
    section.save_revision().publish()
    return section, True


def _author(name: str) -> AuthorPage:
    author = AuthorPage.objects.filter(title__iexact=name).first()
    if author is not None:
        return author
    index_page = AuthorIndexPage.objects.first()
    if index_page is None:
        home = HomePage.objects.first()
        index_page = AuthorIndexPage(title="Authors", slug="authors")
        home.add_child(instance=index_page)
        index_page.save_revision().publish()
    author = AuthorPage(title=name, slug=slugify(name) or "author")
    index_page.add_child(instance=author)
    author.save_revision().publish()
    return author
