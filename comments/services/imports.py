"""Comments brought in from other systems (WordPress, Disqus) as they were there."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from .. import markup, networks
from ..models import PATH_SEGMENT, PATH_SEPARATOR, Comment
from .common import LIMITS, _after_commit, _path_segment, _recount

# How deep a thread can nest before its materialised path outgrows the column.
IMPORT_MAX_DEPTH = (Comment._meta.get_field("path").max_length + len(PATH_SEPARATOR)) // (
    len(PATH_SEGMENT.format(millis=0, pk=0)) + len(PATH_SEPARATOR)
)


class ImportedComment:
    """A comment as another system (WordPress, Disqus) stored it, for import_comments.

    `parent` is a stored Comment or another ImportedComment of the same batch. `body_html`
    is that system's HTML; it is sanitised on the way in. After import_comments,
    `comment` is the stored Comment and `notes` says what had to change."""

    def __init__(
        self,
        *,
        name: str,
        body_html: str,
        created_at: dt.datetime,
        status: str = Comment.Status.APPROVED,
        kind: str = Comment.Kind.COMMENT,
        email: str = "",
        website: str = "",
        ip_address: str | None = None,
        user_agent: str = "",
        parent=None,
        is_removed: bool = False,
        note: str = "",
        likes: int = 0,
        dislikes: int = 0,
    ):
        self.name, self.body_html, self.created_at = name, body_html, created_at
        # The totals the other system kept (it says not who liked).
        self.likes, self.dislikes = max(likes, 0), max(dislikes, 0)
        self.status, self.kind, self.is_removed = status, kind, is_removed
        self.email, self.website = email, website
        self.ip_address, self.user_agent = ip_address, user_agent
        self.parent, self.note = parent, note
        self.comment: Comment | None = None
        self.notes: list[str] = []

    def _parent_comment(self) -> Comment | None:
        if isinstance(self.parent, ImportedComment):
            return self.parent.comment
        return self.parent


def _import_depth(item: ImportedComment, seen=()) -> int:
    parent = item.parent
    if parent is None:
        return 1
    if isinstance(parent, Comment):
        return parent.depth + 1
    if parent is item or parent in seen:
        raise ValueError("imported comments whose parents form a loop")
    return _import_depth(parent, (*seen, item)) + 1


def import_comments(*, page, comments: list[ImportedComment]) -> list[Comment]:
    """Store comments taken from another system on `page` as they were there: status,
    kind, author, time and threading. No moderation check runs and nobody is notified;
    the page's public count is recounted once and its cached thread refreshed after
    commit. Parents may come after their replies in `comments`. A reply nested deeper
    than IMPORT_MAX_DEPTH joins the deepest level (noted in its `notes`). Runs in one
    transaction."""
    if not comments:
        return []
    levels: dict[int, list[ImportedComment]] = {}
    for item in comments:
        levels.setdefault(_import_depth(item), []).append(item)
    stored = []
    with transaction.atomic():
        for depth in sorted(levels):
            batch = []
            for item in levels[depth]:
                parent = item._parent_comment()
                while parent is not None and parent.depth >= IMPORT_MAX_DEPTH:
                    parent = parent.parent
                    item.notes.append(f"nested deeper than {IMPORT_MAX_DEPTH} levels")
                body_html = "" if item.is_removed else markup.clean_html(item.body_html)
                email = (item.email or "").strip()
                website = (item.website or "").strip()
                batch.append(
                    Comment(
                        page_id=page.pk,
                        parent=parent,
                        path="",
                        depth=(parent.depth + 1) if parent else 1,
                        kind=item.kind,
                        status=item.status,
                        name=(item.name or "").strip()[: LIMITS["name"]] or _("Anonymous"),
                        email=email if len(email) <= LIMITS["email"] else "",
                        website=website if len(website) <= LIMITS["website"] else "",
                        body=markup.html_to_text(body_html),
                        body_html=body_html,
                        is_removed=item.is_removed,
                        ip_address=item.ip_address or None,
                        ip_network=networks.sender_network(item.ip_address),
                        user_agent=(item.user_agent or "")[:255],
                        moderation_reasons=[item.note] if item.note else [],
                        created_at=item.created_at,
                        likes=item.likes,
                        dislikes=item.dislikes,
                    )
                )
            Comment.objects.bulk_create(batch)
            for item, comment in zip(levels[depth], batch, strict=True):
                segment = _path_segment(comment.created_at, comment.pk)
                parent = comment.parent
                comment.path = (parent.path + PATH_SEPARATOR + segment) if parent else segment
                item.comment = comment
            Comment.objects.bulk_update(batch, ["path"], batch_size=500)
            stored.extend(batch)
        _recount(page.pk)
        _after_commit(page.pk, comment_ids=[c.pk for c in stored])
    return stored


def import_comment(*, page, parent: Comment | None = None, **fields) -> Comment:
    """One comment from another system; see import_comments."""
    return import_comments(page=page, comments=[ImportedComment(parent=parent, **fields)])[0]
