"""State changes of comments. Every write goes through here, in one transaction, and
schedules its side effects with transaction.on_commit."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import markup, signals, sql, tasks
from .errors import (
    AlreadyReported,
    CommentsClosed,
    EditWindowClosed,
    NotFound,
    Refused,
    ValidationFailed,
)
from .models import (
    PATH_SEGMENT,
    PATH_SEPARATOR,
    Comment,
    Commenter,
    ModerationEvent,
    Report,
    Thread,
)
from .moderation import Action, Candidate, moderate

LIMITS = {"body": 5000, "name": 100, "email": 254, "website": 200, "note": 300}
DELETED_TEXT = "This comment was deleted."


def comments_open(page) -> bool:
    """Whether `page` accepts new comments now."""
    specific = page.specific
    if not getattr(specific, "comments_enabled", False):
        return False
    days = settings.MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS
    published = page.first_published_at
    if days and published and timezone.now() > published + dt.timedelta(days=days):
        return False
    return True


def _path_segment(created_at: dt.datetime, pk: int) -> str:
    return PATH_SEGMENT.format(millis=int(created_at.timestamp() * 1000), pk=pk)


def _recount(page_id: int) -> int:
    """Store the page's public comment count; call inside the transaction that changed
    a comment's visibility so the count is never wrong.

    The thread row is locked before counting: a concurrent change to the same page waits
    here until this transaction commits, then counts with this one's comments in view
    (counting first and locking after lost one of two concurrent comments on PostgreSQL)."""
    thread, _ = Thread.objects.select_for_update().get_or_create(page_id=page_id)
    # A placeholder left by its author's delete holds replies but is no comment to count.
    count = Comment.objects.filter(
        page_id=page_id,
        status=Comment.Status.APPROVED,
        kind=Comment.Kind.COMMENT,
        is_removed=False,
    ).count()
    if thread.public_count != count:
        Thread.objects.filter(pk=thread.pk).update(public_count=count)
    return count


def _count_one_more(page_id: int) -> None:
    """Add a new public comment to the page's stored count. The increment is one UPDATE,
    which waits for the row lock and adds to the latest committed value, so concurrent
    posts each count; a page without a count yet is counted in full."""
    updated = sql.execute(
        f"UPDATE {sql.table(Thread)} SET public_count = public_count + 1 WHERE page_id = %s",
        [page_id],
    )
    if not updated:
        _recount(page_id)


def _after_commit(page_id: int, *, comment_ids=()):
    transaction.on_commit(
        lambda: signals.thread_changed.send(
            sender=Comment, page_id=page_id, comment_ids=list(comment_ids)
        )
    )


def check_limits(**values) -> None:
    """Field errors for values over their limit, and for a website that is not http(s)."""
    errors = {}
    website = values.get("website")
    if website and not website.lower().startswith(("http://", "https://")):
        errors["website"] = [_("Please enter a web address, like https://example.com.")]
    for field, value in values.items():
        limit = LIMITS.get(field)
        if limit and value and len(value) > limit:
            errors[field] = [
                _("Ensure this value has at most %(limit)d characters (it has %(count)d).")
                % {"limit": limit, "count": len(value)}
            ]
    if errors:
        raise ValidationFailed(fields=errors)


def submit_comment(
    *,
    page,
    body: str,
    name: str = "",
    email: str = "",
    website: str = "",
    parent: Comment | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    user=None,
    created_at: dt.datetime | None = None,
    traps: dict | None = None,
) -> Comment:
    """Store a new comment on `page` with the status the moderation pipeline gives it.

    Raises CommentsClosed when the page takes no comments, Refused when the pipeline
    rejects it, ValidationFailed for bad input, and what a pipeline check raises (the form
    expired, too many posts, a duplicate). A signed-in staff member comments as themselves
    and is marked as from the newsroom. `traps` carries the form's honeypot and signed
    timestamp for the bot-trap check; posts from the web always pass it.
    """
    if not comments_open(page):
        raise CommentsClosed()
    body = (body or "").strip()
    if user is not None and user.is_authenticated and user.is_staff:
        name = user.get_full_name() or user.get_username()
        email = user.email
    else:
        user = None
    name, email, website = name.strip(), email.strip(), website.strip()
    errors = {}
    if not body:
        errors["body"] = [_("Please type your comment.")]
    if not name:
        errors["name"] = [_("Please enter your name.")]
    if not email and user is None:
        errors["email"] = [_("Please enter your email address.")]
    if errors:
        raise ValidationFailed(fields=errors)
    check_limits(body=body, name=name, email=email, website=website)

    if parent is not None:
        if parent.page_id != page.pk or parent.status != Comment.Status.APPROVED:
            raise ValidationFailed(
                _("The comment you are replying to is not available."),
                fields={"parent": [_("The comment you are replying to is not available.")]},
            )
        # A reply to a comment at the deepest level joins that comment's level.
        while parent is not None and parent.depth >= settings.MASTHEAD_COMMENTS_MAX_DEPTH:
            parent = parent.parent

    decision = moderate(
        Candidate(
            page=page,
            name=name,
            email=email,
            website=website,
            body=body,
            ip_address=ip_address,
            user=user,
            parent=parent,
            user_agent=user_agent or "",
            traps=traps,
        )
    )
    if decision.action == Action.REJECT:
        raise Refused()
    status = {
        Action.ACCEPT: Comment.Status.APPROVED,
        Action.HOLD: Comment.Status.PENDING,
        Action.SPAM: Comment.Status.SPAM,
        Action.TRASH: Comment.Status.TRASH,
    }[decision.action]

    created_at = created_at or timezone.now()
    with transaction.atomic():
        comment = Comment(
            page_id=page.pk,
            parent=parent,
            path="",
            depth=(parent.depth + 1) if parent else 1,
            status=status,
            name=name,
            email=email,
            website=website,
            body=body,
            body_html=markup.render(body),
            user=user,
            is_newsroom=user is not None,
            ip_address=ip_address or None,
            user_agent=(user_agent or "")[:255],
            moderation_reasons=decision.reasons,
            spam_score=decision.scores.get("spam"),
            toxicity=decision.scores.get("toxicity"),
            created_at=created_at,
        )
        sql.insert(comment)
        sql.insert(
            ModerationEvent(
                comment=comment,
                action="submitted",
                to_status=status,
                note="; ".join(decision.reasons)[:255],
            )
        )
        segment = _path_segment(created_at, comment.pk)
        comment.path = (parent.path + PATH_SEPARATOR + segment) if parent else segment
        sql.execute(
            f"UPDATE {sql.table(Comment)} SET path = %s WHERE id = %s", [comment.path, comment.pk]
        )
        if status == Comment.Status.APPROVED:
            # Only a public comment changes what readers see.
            _count_one_more(page.pk)
            _after_commit(page.pk, comment_ids=[comment.pk])
    transaction.on_commit(lambda: signals.comment_submitted.send(sender=Comment, comment=comment))
    if status == Comment.Status.PENDING:
        transaction.on_commit(lambda: tasks.comments_held(comment_ids=[comment.pk]))
    return comment


def can_author_change(comment: Comment, own_ids) -> bool:
    """The author may edit or delete from the browser that posted it, for a while."""
    if comment.pk not in set(own_ids) or comment.is_removed:
        return False
    if comment.status not in (Comment.Status.APPROVED, Comment.Status.PENDING):
        return False
    window = dt.timedelta(minutes=settings.MASTHEAD_COMMENTS_EDIT_MINUTES)
    return timezone.now() <= comment.created_at + window


def _own_comment(comment_id: int, own_ids) -> Comment:
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or comment.pk not in set(own_ids):
        raise NotFound()
    if not can_author_change(comment, own_ids):
        raise EditWindowClosed()
    return comment


def author_edit_comment(*, comment_id: int, own_ids, body: str) -> Comment:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(fields={"body": [_("Please type your comment.")]})
    check_limits(body=body)
    with transaction.atomic():
        comment = _own_comment(comment_id, own_ids)
        comment.body = body
        comment.body_html = markup.render(body)
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "body_html", "edited_at"])
        _after_commit(comment.page_id, comment_ids=[comment.pk])
    return comment


def author_delete_comment(*, comment_id: int, own_ids) -> None:
    """Delete the author's own comment. One with public replies stays as a placeholder
    ("This comment was deleted.") so the conversation keeps its shape."""
    with transaction.atomic():
        comment = _own_comment(comment_id, own_ids)
        _remove(comment)
        _recount(comment.page_id)
        _after_commit(comment.page_id, comment_ids=[comment.pk])


def _remove(comment: Comment) -> None:
    # Replies that are or may become public keep a placeholder to hang from; spam and
    # trash do not, or readers would see "deleted" over nothing.
    live = (Comment.Status.APPROVED, Comment.Status.PENDING)
    if comment.replies.filter(status__in=live).exists():
        comment.is_removed = True
        comment.body = ""
        comment.body_html = ""
        comment.website = ""
        comment.save(update_fields=["is_removed", "body", "body_html", "website"])
    else:
        comment.delete()


# Moderator actions ---------------------------------------------------------------------

MODERATION_ACTIONS = (
    "approve",
    "unapprove",
    "spam",
    "trash",
    "restore",
    "delete",
    "feature",
    "unfeature",
    "trust",
    "ban",
)
TARGETS = {
    "approve": Comment.Status.APPROVED,
    "unapprove": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "trust": Comment.Status.APPROVED,
    "ban": Comment.Status.SPAM,
}
TEACHING = {Comment.Status.APPROVED, Comment.Status.SPAM}


def _target_status(comment: Comment, action: str) -> str | None:
    if action == "restore":
        if comment.status not in (Comment.Status.TRASH, Comment.Status.SPAM):
            return None
        restored = comment.status_before_trash or Comment.Status.PENDING
        if restored in (Comment.Status.TRASH, Comment.Status.SPAM):
            restored = Comment.Status.PENDING
        return restored
    return TARGETS.get(action)


def moderate_comments(*, comment_ids, action: str, moderator=None) -> int:
    """Apply a moderator's decision to comments; returns how many changed.

    approve / unapprove (back to pending) / spam / trash / restore (from trash or spam to
    what it was, or pending) / delete (forever) / feature and unfeature (editors' picks) /
    trust (approve, and approve that email from now on) / ban (spam, and send that email
    to spam from now on). Each change is logged with who made it; approve and spam teach
    the spam filter, and undoing such a decision retrains it."""
    if action not in MODERATION_ACTIONS:
        raise ValidationFailed(_("Unknown action."), fields={"action": [_("Unknown action.")]})
    actor = moderator if getattr(moderator, "pk", None) else None
    changed = 0
    learn, retrain = [], False
    with transaction.atomic():
        comments = list(Comment.objects.select_for_update().filter(pk__in=list(comment_ids)))
        pages = set()
        for comment in comments:
            before = comment.status
            if action in ("trust", "ban") and comment.email:
                Commenter.objects.update_or_create(
                    email=comment.email.lower(),
                    defaults={"standing": "trusted" if action == "trust" else "banned"},
                )
            if action == "delete":
                if before in TEACHING and _decided_by_moderator(comment):
                    retrain = True
                comment.delete()
            elif action in ("feature", "unfeature"):
                featured = action == "feature"
                if comment.featured == featured or (featured and before != "approved"):
                    continue
                comment.featured = featured
                comment.save(update_fields=["featured"])
                ModerationEvent.objects.create(
                    comment=comment,
                    actor=actor,
                    action=action,
                    from_status=before,
                    to_status=before,
                )
            else:
                target = _target_status(comment, action)
                if target is None or target == before:
                    if action not in ("trust", "ban"):
                        continue
                else:
                    if target in (Comment.Status.TRASH, Comment.Status.SPAM) and before not in (
                        Comment.Status.TRASH,
                        Comment.Status.SPAM,
                    ):
                        comment.status_before_trash = before
                    if target == Comment.Status.APPROVED:
                        Report.objects.filter(comment=comment).update(resolved=True)
                    comment.status = target
                    comment.save(update_fields=["status", "status_before_trash"])
                    if before in TEACHING and _decided_by_moderator(comment):
                        retrain = True
                    elif target in TEACHING and actor is not None:
                        learn.append((comment.pk, target == Comment.Status.SPAM))
                ModerationEvent.objects.create(
                    comment=comment,
                    actor=actor,
                    action=action,
                    from_status=before,
                    to_status=comment.status,
                )
            changed += 1
            pages.add(comment.page_id)
            transaction.on_commit(
                lambda c=comment, b=before: signals.comment_moderated.send(
                    sender=Comment, comment=c, action=action, before=b, moderator=moderator
                )
            )
        for page_id in sorted(pages):  # one lock order for every transaction
            _recount(page_id)
            _after_commit(page_id)
    if retrain:
        transaction.on_commit(tasks.spam_filter_retrain)
    elif learn:
        transaction.on_commit(lambda: tasks.spam_filter_learn(decisions=learn))
    return changed


def _decided_by_moderator(comment: Comment) -> bool:
    """Whether the comment's current approve/spam status came from a moderator."""
    last = (
        ModerationEvent.objects.filter(comment=comment)
        .exclude(action__in=["feature", "unfeature"])
        .order_by("-at", "-pk")
        .first()
    )
    return last is not None and last.actor_id is not None


def report_comment(*, comment_id: int, reason: str, reporter_key: str, note: str = "") -> Report:
    """A reader reports a public comment. Reports from MASTHEAD_COMMENTS_REPORTS_TO_HOLD
    different readers hold it until a moderator decides; a reader reports a comment once."""
    if reason not in Report.Reason.values:
        raise ValidationFailed(fields={"reason": [_("Please choose a reason.")]})
    check_limits(note=note)
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update()
            .filter(pk=comment_id, status=Comment.Status.APPROVED)
            .first()
        )
        if comment is None:
            raise NotFound()
        if Report.objects.filter(comment=comment, reporter=reporter_key).exists():
            raise AlreadyReported()
        report = Report.objects.create(
            comment=comment, reason=reason, note=note.strip(), reporter=reporter_key
        )
        comment.report_count = Report.objects.filter(comment=comment, resolved=False).count()
        fields = ["report_count"]
        threshold = settings.MASTHEAD_COMMENTS_REPORTS_TO_HOLD
        if threshold and comment.report_count >= threshold:
            comment.status = Comment.Status.PENDING
            comment.moderation_reasons = [
                *comment.moderation_reasons,
                f"hold: reported by {comment.report_count} readers",
            ]
            fields += ["status", "moderation_reasons"]
            ModerationEvent.objects.create(
                comment=comment,
                action="reported",
                from_status="approved",
                to_status="pending",
                note=f"reported by {comment.report_count} readers",
            )
        comment.save(update_fields=fields)
        if "status" in fields:
            _recount(comment.page_id)
            _after_commit(comment.page_id, comment_ids=[comment.pk])
            transaction.on_commit(lambda: tasks.comments_held(comment_ids=[comment.pk]))
    return report


def moderator_edit_comment(*, comment: Comment, name: str, email: str, website: str, body: str):
    check_limits(body=body, name=name, email=email, website=website)
    with transaction.atomic():
        comment.name, comment.email, comment.website = name, email, website
        comment.body = body
        comment.body_html = markup.render(body)
        comment.edited_at = timezone.now()
        comment.save()
        _after_commit(comment.page_id, comment_ids=[comment.pk])
    return comment


def public_count(page_id: int) -> int:
    found = sql.rows(f"SELECT public_count FROM {sql.table(Thread)} WHERE page_id = %s", [page_id])
    return found[0][0] if found else 0


# Imports from other systems ---------------------------------------------------------------

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
    ):
        self.name, self.body_html, self.created_at = name, body_html, created_at
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
                        user_agent=(item.user_agent or "")[:255],
                        moderation_reasons=[item.note] if item.note else [],
                        created_at=item.created_at,
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


def recount(page_id: int) -> int:
    """Store and return the page's public comment count (approved reader comments)."""
    with transaction.atomic():
        count = _recount(page_id)
        _after_commit(page_id)
    return count
