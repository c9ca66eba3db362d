"""Import a Disqus export: each thread is matched to an article, and its posts become
comments there, with their replies, spam and deletions as Disqus had them.

Threads are matched by an explicit mapping file first, then by the WordPress post id in a
thread's identifier, then by link: the old address of an imported WordPress post, then a
page of this site at that path. Threads that match nothing are listed, never guessed.
Posts are read as a stream; a reply that comes before its parent waits for it. A deleted
post becomes a placeholder ("This comment was deleted.") only when it has replies.
"""

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, transaction
from django.utils import timezone
from wagtail.models import Page, Site

from comments.models import Comment, CommentableMixin
from comments.services import ImportedComment, import_comments

from . import xmlstream
from .base import (
    ImportFailed,
    Progress,
    Registry,
    Summary,
    clean_email,
    clean_ip,
    parse_when,
    site_key,
    truthy,
    url_key,
)
from .html import plain_text
from .models import ImportedObject

Kind = ImportedObject.Kind
SOURCE = ImportedObject.Source.DISQUS
RECORD_TAGS = {"category", "thread", "post"}
FLUSH_EVERY = 500


def disqus_prefix(uri: str) -> str:
    if "disqus-internals" in uri:
        return "dsq"
    if "disqus.com" in uri:
        return ""
    return "ns"


def _fields(element) -> dict:
    out: dict = {}
    for child in element:
        out.setdefault(xmlstream.qualified(child, disqus_prefix), child)
    return out


def _text(fields: dict, tag: str) -> str:
    element = fields.get(tag)
    return (element.text or "").strip() if element is not None else ""


def _count(fields: dict, tag: str) -> int:
    text = _text(fields, tag)
    return int(text) if text.isascii() and text.isdigit() else 0


def _dsq_id(element) -> str:
    if element is None:
        return ""
    for name, value in element.attrib.items():
        if name.endswith("}id") or name == "id":
            return value.strip()
    return ""


@dataclass
class ThreadInfo:
    dsq_id: str
    link: str
    title: str
    identifier: str
    created_at: object
    deleted: bool
    page_id: int | None = None
    posts: int = 0


@dataclass
class Post:
    key: str
    dsq_id: str
    thread: str
    parent: str
    message: str
    created_at: object
    deleted: bool
    spam: bool
    approved: bool
    name: str
    email: str
    ip: str
    line: int
    likes: int = 0
    dislikes: int = 0

    @property
    def label(self) -> str:
        return f"post {self.dsq_id or self.key}"


def parse_post(element, line: int) -> Post:
    f = _fields(element)
    author = _fields(f["author"]) if f.get("author") is not None else {}
    dsq_id = _dsq_id(element)
    other_id = _text(f, "id")
    message = (f["message"].text or "") if f.get("message") is not None else ""
    created = _text(f, "createdAt")
    if dsq_id:
        key = dsq_id
    elif other_id:
        key = f"id:{other_id}"
    else:
        digest = hashlib.sha1(f"{created}|{_text(author, 'name')}|{message}".encode())
        key = f"h:{digest.hexdigest()[:16]}"
    return Post(
        key=key,
        dsq_id=dsq_id,
        thread=_dsq_id(f.get("thread")),
        parent=_dsq_id(f.get("parent")),
        message=message,
        created_at=parse_when(created),
        deleted=truthy(_text(f, "isDeleted")),
        spam=truthy(_text(f, "isSpam")),
        approved=_text(f, "isApproved").lower() != "false",
        name=_text(author, "name") or _text(author, "username"),
        email=_text(author, "email"),
        ip=_text(f, "ipAddress"),
        line=line,
        # Exports made through the Disqus API carry each post's votes.
        likes=_count(f, "likes"),
        dislikes=_count(f, "dislikes"),
    )


def _label(tag: str, raw: str) -> str:
    match = re.search(r'dsq:id="([^"]*)"', raw)
    return f"dsq:id {match.group(1)}" if match else ""


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping file: CSV rows of (Disqus thread link, dsq:id or identifier; this site's
    page id, path or address). Blank lines and lines starting with # are ignored."""
    mapping = {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                cells = [cell.strip() for cell in row]
                if not cells or not cells[0] or cells[0].startswith("#"):
                    continue
                if len(cells) < 2 or not cells[1]:
                    raise ImportFailed(
                        f"{path}:{number}: each line needs two values: the Disqus thread "
                        "(link, dsq:id or identifier) and the page here (id, path or address)."
                    )
                if number == 1 and cells[0].lower() in {"disqus", "thread", "from", "link"}:
                    continue
                mapping[cells[0]] = cells[1]
                full, _ = url_key(cells[0])
                if full:
                    mapping.setdefault(f"url:{full}", cells[1])
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read the mapping file: {exc.strerror}.") from None
    return mapping


class DisqusImport:
    """One run of `masthead import-disqus`. See the module docstring and docs/import.md."""

    def __init__(
        self,
        path: Path,
        *,
        site: str = "",
        mapping: Path | None = None,
        keep_going: bool = False,
        progress: bool | None = None,
        stream=None,
    ):
        self.path = Path(path)
        self.site_option = site
        self.mapping = read_mapping(mapping) if mapping else {}
        self.keep_going = keep_going
        self.progress = progress
        self.stream = stream
        self.summary = Summary()
        self.threads: dict[str, ThreadInfo] = {}
        self.forum = ""
        self.damaged = False
        self.pages: dict[int, Page] = {}
        self.buffer: dict[str, tuple[Post, ImportedComment, int]] = {}
        self.waiting: dict[str, list[Post]] = {}
        self.held_deleted: dict[str, Post] = {}
        self.post_counts: dict[str, int] = {}

    def _read(self):
        if not self.damaged:
            yield from xmlstream.records(self.path, depth=2, prefixes=disqus_prefix)
            return
        yield from xmlstream.salvage(
            self.path,
            record_tags=RECORD_TAGS,
            fresh_tags=RECORD_TAGS,
            prefixes=disqus_prefix,
            default_root=(
                '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
            ),
            label=_label,
        )

    def run(self) -> Summary:
        if not self.path.is_file():
            raise ImportFailed(f"{self.path}: no such file.")
        problem, _ = xmlstream.check(self.path)
        if problem is not None:
            if not self.keep_going:
                raise ImportFailed(
                    f"{self.path}:{problem.line}:{problem.column}: the file is not well-formed "
                    f"XML: {problem.message} (line {problem.line}, column {problem.column}). "
                    "Nothing was imported. Repair the file, or run again with --keep-going "
                    "to import every complete post and list what the damage cost."
                )
            self.damaged = True
            self.summary.damage = (
                f"{problem.message} at line {problem.line}, column {problem.column}"
            )
        total = self._prepare()
        self.site = site_key(self.site_option) if self.site_option else self.forum
        if not self.site:
            raise ImportFailed(
                f"{self.path} names no Disqus forum; give its shortname with --site so that "
                "running the import again recognises what is already here."
            )
        self.registry = Registry(SOURCE, self.site)
        self.summary.title = f"Disqus import of {self.path.name} (forum {self.site})"
        progress = Progress(total=total, label="post", stream=self.stream, bar=self.progress)
        try:
            for record in self._read():
                if isinstance(record, xmlstream.Damaged):
                    self.summary.lost.append(
                        f"{record.tag} at line {record.line} {record.label}: {record.problem}"
                    )
                    if record.tag == "post":
                        progress.advance()
                    continue
                if record.tag == "post":
                    self._post(parse_post(record.element, record.line))
                    progress.advance()
                    if len(self.buffer) >= FLUSH_EVERY:
                        self._flush()
            self._finish()
        finally:
            progress.close()
        for thread in self.threads.values():
            thread.posts = self.post_counts.get(thread.dsq_id, 0)
            if thread.page_id is None and not thread.deleted and thread.posts:
                self.summary.unmatched.append(
                    f"thread {thread.dsq_id} {thread.link or '(no link)'} "
                    f'"{thread.title}" ({thread.posts} post{"s" if thread.posts != 1 else ""})'
                )
        return self.summary

    # Threads --------------------------------------------------------------------------

    def _prepare(self) -> int:
        total = 0
        for record in self._read():
            if isinstance(record, xmlstream.Damaged):
                total += record.tag == "post"
                continue
            f = _fields(record.element)
            if record.tag in ("category", "thread") and not self.forum:
                self.forum = _text(f, "forum")
            if record.tag == "post":
                total += 1
                thread_id = _dsq_id(f.get("thread"))
                self.post_counts[thread_id] = self.post_counts.get(thread_id, 0) + 1
            elif record.tag == "thread":
                dsq_id = _dsq_id(record.element)
                info = ThreadInfo(
                    dsq_id=dsq_id,
                    link=_text(f, "link"),
                    title=plain_text(_text(f, "title")),
                    identifier=_text(f, "id"),
                    created_at=parse_when(_text(f, "createdAt")),
                    deleted=truthy(_text(f, "isDeleted")),
                )
                info.page_id = self._match(info)
                self.threads[dsq_id] = info
        return total

    def _match(self, thread: ThreadInfo) -> int | None:
        candidates = [thread.dsq_id, thread.identifier, thread.link]
        full, path = url_key(thread.link)
        for candidate in candidates:
            target = self.mapping.get(candidate) if candidate else None
            if target is None and candidate == thread.link and full:
                target = self.mapping.get(f"url:{full}")
            if target:
                page = self._page_for(target)
                if page is None:
                    raise ImportFailed(
                        f"The mapping file sends thread {candidate} to {target}, which is no "
                        "page of this site that takes comments."
                    )
                return page
        first = (thread.identifier or "").split(" ", 1)[0]
        if first.isdigit():
            rows = ImportedObject.objects.filter(
                source=ImportedObject.Source.WORDPRESS, kind=Kind.ARTICLE, external_id=first
            )
            if full:
                site = full.split("/", 1)[0]
                rows = rows.filter(source_site__startswith=site.split("?")[0]) or rows
            ids = list(rows.values_list("object_id", flat=True)[:2])
            if len(ids) == 1:
                return ids[0]
        if not full:
            return None
        rows = ImportedObject.objects.filter(
            source=ImportedObject.Source.WORDPRESS, kind=Kind.ARTICLE
        )
        for lookup in ({"source_url": full}, {"source_path": path}):
            ids = list(rows.filter(**lookup).values_list("object_id", flat=True)[:2])
            if len(ids) == 1:
                return ids[0]
            if len(ids) > 1:
                return None
        page = self._page_for(path)
        return page

    def _page_for(self, target: str) -> int | None:
        """A page of this site that takes comments, by id, path or address."""
        if target.isdigit():
            page = Page.objects.filter(pk=int(target)).first()
        else:
            _, path = url_key(target)
            path = path.split("?", 1)[0].strip("/")
            page = None
            for site in Site.objects.select_related("root_page"):
                url_path = site.root_page.url_path + (f"{path}/" if path else "")
                page = Page.objects.filter(url_path=url_path).first()
                if page is not None:
                    break
        if page is None or not issubclass(page.specific_class or Page, CommentableMixin):
            return None
        return page.pk

    # Posts ----------------------------------------------------------------------------

    def _post(self, post: Post, *, orphan: bool = False) -> None:
        thread = self.threads.get(post.thread)
        if thread is None:
            self.summary.skip("posts whose thread is not in the file")
            return
        if thread.deleted:
            self.summary.skip("posts in threads deleted in Disqus")
            return
        if thread.page_id is None:
            self.summary.skip("posts in threads matched to no article")
            return
        if post.key in self.buffer or self.registry.object_id(Kind.COMMENT, post.key):
            if post.key not in self.buffer:
                self.summary.existing["comments"] += 1
            self._release(post.key)
            return
        if post.deleted and not self.waiting.get(post.key):
            self.held_deleted[post.key] = post
            return
        parent = None
        if post.parent and not orphan:
            parent = self._parent(post)
            if parent is False:
                self.waiting.setdefault(post.parent, []).append(post)
                return
        self._accept(post, thread, parent)

    def _parent(self, post: Post):
        """The parent to attach to: an ImportedComment of this batch, a stored Comment,
        or False when it has not been read yet."""
        key = post.parent
        if key in self.buffer:
            return self.buffer[key][1] if self.buffer[key][2] == self._page_of(post) else None
        object_id = self.registry.object_id(Kind.COMMENT, key)
        if object_id:
            return Comment.objects.filter(pk=object_id).first()
        if key in self.held_deleted:
            return self._materialise(key)
        return False

    def _page_of(self, post: Post) -> int | None:
        thread = self.threads.get(post.thread)
        return thread.page_id if thread is not None else None

    def _materialise(self, key: str):
        """Bring in a held deleted post as a placeholder, now that it has a reply."""
        held = self.held_deleted.pop(key)
        thread = self.threads[held.thread]
        parent = None
        if held.parent:
            parent = self._parent(held)
            if parent is False:
                # Its own parent is not here yet: the placeholder waits too, and so do
                # the replies, which will follow it.
                self.waiting.setdefault(held.parent, []).append(held)
                return False
        self._accept(held, thread, parent, release=False)
        return self.buffer[key][1]

    def _accept(self, post: Post, thread: ThreadInfo, parent, *, release: bool = True) -> None:
        created_at = post.created_at
        if created_at is None:
            created_at = thread.created_at or timezone.now()
            self.summary.warn(f"line {post.line}: {post.label} has no usable date")
        if parent is not None and getattr(parent, "page_id", thread.page_id) != thread.page_id:
            parent = None
        email, unusable = clean_email(post.email)
        if unusable:
            self.summary.notes["commenter email addresses unusable, left out"] += 1
        if post.deleted:
            status = "approved"
        elif post.spam:
            status = "spam"
        else:
            status = "approved" if post.approved else "pending"
        imported = ImportedComment(
            name=plain_text(post.name) or "Anonymous",
            email=email,
            ip_address=clean_ip(post.ip),
            body_html=post.message,
            created_at=created_at,
            status=status,
            parent=parent,
            is_removed=post.deleted,
            note=f"imported from Disqus (post {post.dsq_id or post.key})",
            likes=post.likes,
            dislikes=post.dislikes,
        )
        self.buffer[post.key] = (post, imported, thread.page_id)
        if release:
            self._release(post.key)

    def _release(self, key: str) -> None:
        for child in self.waiting.pop(key, []):
            self._post(child)

    def _flush(self) -> None:
        if not self.buffer:
            return
        by_page: dict[int, list[tuple[str, Post, ImportedComment]]] = {}
        for key, (post, imported, page_id) in self.buffer.items():
            by_page.setdefault(page_id, []).append((key, post, imported))
        for page_id, entries in by_page.items():
            page = self.pages.get(page_id) or Page.objects.filter(pk=page_id).first()
            if page is None:
                self.summary.skip("posts whose article was deleted here", len(entries))
                continue
            self.pages[page_id] = page
            items = [imported for _, _, imported in entries]
            here = {id(imported) for imported in items}
            for imported in items:
                parent = imported.parent
                if isinstance(parent, ImportedComment) and id(parent) not in here:
                    imported.parent = parent.comment
            try:
                with transaction.atomic():
                    import_comments(page=page, comments=items)
                    self.registry.remember_all(
                        [
                            self.registry.row(Kind.COMMENT, key, imported.comment)
                            for key, _, imported in entries
                        ]
                    )
            except (DatabaseError, ValueError) as exc:
                self.summary.warn(f"comments on page {page_id} could not be imported: {exc}")
                self.summary.skip("posts that could not be imported", len(entries))
                continue
            for _, _, imported in entries:
                if imported.is_removed:
                    self.summary.created["placeholders of deleted posts"] += 1
                else:
                    self.summary.created["comments"] += 1
        self.buffer = {}

    def _finish(self) -> None:
        # Replies whose parent never came: at the top level, with a warning.
        while self.waiting:
            parent_key, children = self.waiting.popitem()
            for child in children:
                self.summary.warn(
                    f"line {child.line}: {child.label} replies to post {parent_key}, which is "
                    "not in the file; imported at the top level"
                )
                self._post(child, orphan=True)
        self._flush()
        if self.held_deleted:
            self.summary.skip("deleted posts without replies", len(self.held_deleted))
