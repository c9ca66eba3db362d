"""The comments of one WordPress post: their keys, state, authors and threading, stored
through comments.services.import_comments."""

import datetime as dt
import hashlib

from django.utils import timezone

from comments.models import Comment
from comments.services import ImportedComment, import_comments
from comments.services.authors import PLACEHOLDER_NAME

from ..base import Registry, Summary, clean_email, clean_ip, clean_website, parse_when
from ..html import plain_text
from ..models import ImportedObject
from ..wxr import REMOVED_META, WxrComment, WxrItem

Kind = ImportedObject.Kind

COMMENT_STATUS = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "approved": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
COMMENT_KIND = {
    "": Comment.Kind.COMMENT,
    "comment": Comment.Kind.COMMENT,
    "pingback": Comment.Kind.PINGBACK,
    "trackback": Comment.Kind.TRACKBACK,
    "webmention": Comment.Kind.PINGBACK,
}


class CommentImport:
    """Imports the comments of the posts of one run; `tz` reads dates given only in the
    blog's local time. `staff_ids` holds the WordPress user ids of the file's authors
    (`wp:author_id`): a comment written by one of them is a newsroom comment, as
    WordPress's importer gives such a comment that user and no other."""

    def __init__(self, *, registry: Registry, summary: Summary, tz: dt.tzinfo, staff_ids: set[str]):
        self.registry, self.summary, self.tz = registry, summary, tz
        self.staff_ids = staff_ids

    def run(self, item: WxrItem, post_key: str, article) -> None:
        """Store the comments of `item` not imported before on `article`, replies under
        their parents (also ones imported by an earlier run). Runs in the caller's
        transaction."""
        if not item.comments:
            return
        keys, first_key_of = self._keys(item, post_key)
        existing = self.registry.existing(Kind.COMMENT, keys)
        post_date = article.first_published_at or timezone.now()
        new: dict[str, ImportedComment] = {}
        sources: dict[str, WxrComment] = {}
        for comment, key in zip(item.comments, keys, strict=True):
            if key in existing:
                self.summary.existing["comments"] += 1
                continue
            new[key] = self._comment(comment, post_date)
            sources[key] = comment
        if not new:
            return
        self._attach_parents(item, post_key, article, new, sources, existing, first_key_of)
        self._break_loops(new, sources)
        import_comments(page=article, comments=list(new.values()))
        self._mark_newsroom(new, sources)
        rows = []
        for key, imported in new.items():
            rows.append(self.registry.row(Kind.COMMENT, key, imported.comment))
            what = (
                "comments" if imported.kind == Comment.Kind.COMMENT else "pingbacks and trackbacks"
            )
            self.summary.created[what] += 1
            for note in imported.notes:
                self.summary.warn(f"line {sources[key].line}: comment {sources[key].id} {note}")
        self.registry.remember_all(rows)

    def _keys(self, item: WxrItem, post_key: str) -> tuple[list[str], dict[str, str]]:
        """Each comment's key, in file order, and the first key given to each comment id
        (the one replies to that id hang from)."""
        keys: list[str] = []
        first_key_of: dict[str, str] = {}
        for comment in item.comments:
            if comment.id:
                base = f"{post_key}/{comment.id}"
            else:
                digest = hashlib.sha1(
                    f"{comment.date_gmt}|{comment.date}|{comment.author}|{comment.content}".encode()
                ).hexdigest()[:16]
                base = f"{post_key}/h{digest}"
            key, n = base, 2
            while key in first_key_of.values() or key in keys:
                key = f"{base}#{n}"
                n += 1
            if key != base:
                self.summary.warn(
                    f"line {comment.line}: comment {comment.id} on {item.label} has the same "
                    "id as another comment there; imported separately"
                )
            keys.append(key)
            if comment.id:
                first_key_of.setdefault(comment.id, key)
        return keys, first_key_of

    def _comment(self, comment: WxrComment, post_date: dt.datetime) -> ImportedComment:
        status = COMMENT_STATUS.get(comment.approved)
        if status is None:
            status = Comment.Status.PENDING
            self.summary.warn(
                f"line {comment.line}: comment {comment.id} has approval state "
                f"{comment.approved!r}; imported as pending"
            )
        kind = COMMENT_KIND.get(comment.type, Comment.Kind.COMMENT)
        when = parse_when(comment.date_gmt) or parse_when(comment.date, tz=self.tz)
        if when is None:
            when = post_date
            self.summary.warn(
                f"line {comment.line}: comment {comment.id} has no usable date; dated with its post"
            )
        note = f"imported from WordPress (comment {comment.id or 'without id'})"
        if comment.meta.get(REMOVED_META) == "1":
            # Deleted by its author: nothing of who wrote it comes in, whatever the file
            # (an older export) still holds.
            return ImportedComment(
                name=PLACEHOLDER_NAME,
                body_html="",
                created_at=when,
                status=status,
                kind=kind,
                is_removed=True,
                note=note,
            )
        email, unusable = clean_email(comment.email)
        if unusable:
            self.summary.notes["commenter email addresses unusable, left out"] += 1
        return ImportedComment(
            name=plain_text(comment.author) or "Anonymous",
            email=email,
            website=clean_website(comment.url),
            ip_address=clean_ip(comment.ip),
            body_html=comment.content,
            created_at=when,
            status=status,
            kind=kind,
            note=note,
        )

    def _mark_newsroom(self, new: dict[str, ImportedComment], sources) -> None:
        """Mark the comments the site's staff wrote. (ImportedComment carries no such
        mark, so it is set here, in the same transaction, before the cached thread is
        refreshed after commit.)"""
        staff = [
            imported.comment
            for key, imported in new.items()
            if not imported.is_removed
            and sources[key].user_id not in ("", "0")
            and sources[key].user_id in self.staff_ids
        ]
        if not staff:
            return
        Comment.objects.filter(pk__in=[c.pk for c in staff]).update(is_newsroom=True)
        for comment in staff:
            comment.is_newsroom = True
        self.summary.notes["comments by the site's staff, marked as newsroom comments"] += len(
            staff
        )

    def _attach_parents(self, item, post_key, article, new, sources, existing, first_key_of):
        stored_parents: dict[str, Comment] = {}
        for key, imported in new.items():
            comment = sources[key]
            parent_id = comment.parent
            if not parent_id or parent_id == "0":
                continue
            parent_key = first_key_of.get(parent_id, f"{post_key}/{parent_id}")
            if parent_id == comment.id or parent_key == key:
                self.summary.warn(
                    f"line {comment.line}: comment {comment.id} names itself as its parent; "
                    "imported at the top level"
                )
            elif parent_key in new:
                imported.parent = new[parent_key]
            else:
                parent = stored_parents.get(parent_key)
                if parent is None:
                    object_id = (
                        existing[parent_key].object_id
                        if parent_key in existing
                        else self.registry.object_id(Kind.COMMENT, parent_key)
                    )
                    parent = (
                        Comment.objects.filter(pk=object_id, page_id=article.pk).first()
                        if object_id
                        else None
                    )
                if parent is not None:
                    stored_parents[parent_key] = parent
                    imported.parent = parent
                else:
                    self.summary.warn(
                        f"line {comment.line}: comment {comment.id} on {item.label} replies "
                        f"to comment {parent_id}, which is not in the file; imported at the "
                        "top level"
                    )

    def _break_loops(self, new, sources) -> None:
        for key, imported in new.items():
            seen, node = set(), imported
            while isinstance(node, ImportedComment) and node.parent is not None:
                if id(node) in seen:
                    self.summary.warn(
                        f"line {sources[key].line}: comment {sources[key].id} is in a loop of "
                        "replies; imported at the top level"
                    )
                    imported.parent = None
                    break
                seen.add(id(node))
                node = node.parent
