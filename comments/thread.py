"""Reading and rendering a page's thread in a fixed number of queries.

The thread is rendered to HTML in one pass over the comments in path order, without a
template include per comment, so a long thread costs little more than a short one.
"""

import functools
import hashlib
import hmac
import math
from dataclasses import dataclass

# The standard library's escape, as Django's (the same output) without the check for lazy
# strings that costs more than the escaping, a dozen times per comment.
from html import escape

from django.conf import settings
from django.db.models import Case, DateTimeField, F, Q, When
from django.db.models.functions import Substr
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import PATH_SEGMENT_LENGTH, PATH_SEPARATOR, Comment
from .params import whole_number
from .ranking import DEFAULT_SORT, rank_best, sort_of
from .services import DELETED_TEXT, can_author_change


def count_heading(count: int) -> str:
    if count == 0:
        return _("Be the first to comment")
    return ngettext("%(count)d Comment", "%(count)d Comments", count) % {"count": count}


def permalink_time(when) -> str:
    """ "January 4, 2024 at 12:30 pm", in the site's time zone."""
    return Labels.current().when(when)


@functools.lru_cache(maxsize=4096)
def avatar_colour(seed: str) -> int:
    """A hue derived from the name with the site's secret, so it reveals nothing."""
    digest = hmac.new(settings.SECRET_KEY.encode(), seed.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:2], "big") % 360


def initials(name: str) -> str:
    parts = [p for p in name.replace(".", " ").split() if p[:1].isalnum()]
    if not parts:
        return "?"
    letters = parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")
    return letters.upper()


@dataclass
class ThreadPage:
    comments: list
    number: int
    num_pages: int
    public_count: int
    sort: str = DEFAULT_SORT

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.num_pages


# What the thread shows of each comment, read as plain rows (named tuples): a page of a
# long thread builds no model instances.
THREAD_FIELDS = (
    "pk",
    "path",
    "depth",
    "status",
    "name",
    "website",
    "body_html",
    "created_at",
    "edited_at",
    "is_newsroom",
    "is_removed",
    "featured",
    "parent_id",
    "page_id",
    "likes",
    "dislikes",
)


def per_page() -> int:
    return max(settings.MASTHEAD_COMMENTS_PER_PAGE, 1)


def _branch(root_path: str) -> Q:
    """A top-level comment and everything under it: the paths from its own up to the
    next character after the separator."""
    return Q(path__gte=root_path, path__lt=root_path + chr(ord(PATH_SEPARATOR) + 1))


def fetch_thread(
    *, page_id: int, own_ids=(), number=None, public_count: int = 0, sort=DEFAULT_SORT
) -> ThreadPage:
    """The visible comments of one page of the thread (paged by top-level comment), in
    display order for `sort`, in two queries whatever the length of the thread: the
    top-level comments, then the page."""
    visible = Comment.objects.filter(page_id=page_id, kind=Comment.Kind.COMMENT).visible_to(own_ids)
    size = per_page()
    sort = sort_of(sort)
    top = visible.filter(depth=1).order_by("path")
    if sort == "best":
        # The time of a comment nobody voted on is not read: its score is 0 whatever its
        # age, and reading times is most of what ranking a long thread costs.
        voted_at = Case(
            When(Q(likes__gt=0) | Q(dislikes__gt=0), then=F("created_at")),
            output_field=DateTimeField(),
        )
        roots = list(
            top.annotate(voted_at=voted_at).values_list("path", "likes", "dislikes", "voted_at")
        )
    else:
        roots = list(top.values_list("path", flat=True))
    num_pages = max(math.ceil(len(roots) / size), 1)
    number = min(max(whole_number(number) or 1, 1), num_pages)
    if sort == "best":
        # Only the page's own branches: replies whose top-level comment is hidden have no
        # score to be placed by, so this order leaves them out.
        ranked = rank_best(roots, timezone.now())[(number - 1) * size : number * size]
        rank = {root[0]: i for i, root in enumerate(ranked)}
        # The page's branches by their top-level path: one IN, where a range per branch
        # took longer to build and to run than the rest of the page.
        rows = (
            visible.annotate(top_path=Substr("path", 1, PATH_SEGMENT_LENGTH))
            .filter(top_path__in=list(rank))
            .order_by("path")
            .values_list(*THREAD_FIELDS, named=True)
        )
        comments = sorted(rows, key=lambda c: rank[c.path[:PATH_SEGMENT_LENGTH]])
        return ThreadPage(comments, number, num_pages, public_count, sort)
    if sort == "newest":
        # Pages run from the newest top-level comment back.
        end = len(roots) - (number - 1) * size
        start = max(end - size, 0)
    else:
        start, end = (number - 1) * size, number * size
    # Pages are contiguous ranges of the path order, so replies whose top-level comment
    # is hidden still appear on the page where that comment would be.
    in_page = visible
    if start > 0:
        in_page = in_page.filter(path__gte=roots[start])
    if end < len(roots):
        in_page = in_page.filter(path__lt=roots[end])
    comments = list(in_page.order_by("path").values_list(*THREAD_FIELDS, named=True))
    if sort == "newest":
        # Branch by branch from the newest; a stable sort keeps each branch's replies in
        # conversation order.
        comments.sort(key=lambda c: c.path[:PATH_SEGMENT_LENGTH], reverse=True)
    return ThreadPage(comments, number, num_pages, public_count, sort)


def fetch_branch(root, *, own_ids=()) -> ThreadPage:
    """A top-level comment and every visible reply under it, in path order."""
    comments = list(
        Comment.objects.filter(page_id=root.page_id, kind=Comment.Kind.COMMENT)
        .visible_to(own_ids)
        .filter(_branch(root.path))
        .order_by("path")
        .values_list(*THREAD_FIELDS, named=True)
    )
    return ThreadPage(comments, 1, 1, len(comments))


def page_of_comment(comment: Comment, own_ids=()) -> int:
    """Which page of its thread a comment is on (the page fetch_thread shows it on, also
    when its top-level comment is hidden)."""
    # Visible top-level comments up to and including this comment's own: when that one is
    # hidden, the comment sits on the page of the last visible one before it.
    up_to = (
        Comment.objects.filter(
            page_id=comment.page_id,
            kind=Comment.Kind.COMMENT,
            depth=1,
            path__lte=comment.top_level_path,
        )
        .visible_to(own_ids)
        .count()
    )
    return max(up_to - 1, 0) // per_page() + 1


def is_folded(comment, own_ids=()) -> bool:
    """Whether the comment is among the replies its branch folds away on the article page
    (so it is shown on the branch's own page)."""
    fold = settings.MASTHEAD_COMMENTS_REPLIES_SHOWN
    if not fold or comment.depth <= 1:
        return False
    before = (
        Comment.objects.filter(
            page_id=comment.page_id,
            kind=Comment.Kind.COMMENT,
            path__gt=comment.top_level_path,
            path__lt=comment.path,
        )
        .visible_to(own_ids)
        .count()
    )
    # Its visible top-level comment takes no place among the replies; when that is
    # hidden, the first of the branch's replies stands in for it.
    root_visible = (
        Comment.objects.filter(path=comment.top_level_path, page_id=comment.page_id)
        .visible_to(own_ids)
        .exists()
    )
    return before >= fold + (0 if root_visible else 1)


def comment_address(page_url: str, comment, own_ids=()) -> str:
    """Where a comment is shown: on the page of its thread that holds it, or on its
    branch's page when the article page folds it away."""
    if is_folded(comment, own_ids):
        return f"/comments/{root_id_of(comment.path)}/replies/#{comment.anchor}"
    number = page_of_comment(comment, own_ids)
    suffix = f"?cpage={number}" if number > 1 else ""
    return f"{page_url}{suffix}#{comment.anchor}"


class Labels:
    """Translated words and settings looked up once per language and time zone, not once
    per comment."""

    @classmethod
    def current(cls) -> "Labels":
        return _labels(translation.get_language(), timezone.get_current_timezone_name())

    def __init__(self):
        self.reply = escape(_("Reply"))
        self.edit = escape(_("Edit"))
        self.delete = escape(_("Delete"))
        self.newsroom = escape(_("Newsroom"))
        self.pick = escape(_("Editors’ pick"))
        self.report = escape(_("Report"))
        self.like = escape(_("Like"))
        self.dislike = escape(_("Dislike"))
        self.edited = escape(_("edited"))
        self.deleted_author = escape(_("Deleted"))
        self.deleted_text = escape(_(DELETED_TEXT))
        self.awaiting = escape(_("Your comment is awaiting moderation."))
        self.by = _("Comment by %(name)s")
        self.to = _("to %(name)s")
        self.months = [str(MONTHS[i]) for i in range(1, 13)]
        self.tz = timezone.get_current_timezone()

    def when(self, moment) -> str:
        local = moment.astimezone(self.tz)
        return "{month} {day}, {year} at {hour}:{minute:02d} {ampm}".format(
            month=self.months[local.month - 1],
            day=local.day,
            year=local.year,
            hour=local.hour % 12 or 12,
            minute=local.minute,
            ampm="am" if local.hour < 12 else "pm",
        )


@functools.lru_cache(maxsize=64)
def _labels(language, zone) -> Labels:
    return Labels()


def like_count_text(count: int) -> str:
    return ngettext("%(count)d like", "%(count)d likes", count) % {"count": count} if count else ""


def dislike_count_text(count: int) -> str:
    if not count:
        return ""
    return ngettext("%(count)d dislike", "%(count)d dislikes", count) % {"count": count}


def render_votes(comment, labels, *, dislikes: bool) -> str:
    """The like button (a form, so it works without JavaScript) and the counts as of this
    render. Nothing says who liked."""
    pk = comment.pk
    by = escape(labels.by % {"name": comment.name})
    html = (
        f'<form class="comment-like" method="post" action="/comments/{pk}/like/">'
        f'<button type="submit" class="like-button" name="value" value="1">{labels.like}'
        f'<span class="visually-hidden"> {by}</span></button> '
        f'<span class="like-count" data-count="{comment.likes}">'
        f"{like_count_text(comment.likes)}</span>"
    )
    if dislikes:
        html += (
            f' <button type="submit" class="dislike-button" name="value" value="-1">'
            f'{labels.dislike}<span class="visually-hidden"> {by}</span></button> '
            f'<span class="dislike-count" data-count="{comment.dislikes}">'
            f"{dislike_count_text(comment.dislikes)}</span>"
        )
    return html + "</form>"


def render_comment(
    comment, *, own_ids, can_reply: bool, reply_url: str, labels=None, dislikes=None
) -> str:
    """The HTML of one comment, without its replies or its closing </li>."""
    labels = labels or Labels.current()
    if dislikes is None:
        dislikes = settings.MASTHEAD_COMMENTS_DISLIKES
    # Held or caught as spam: either way its author just sees it waiting.
    pending = comment.status != Comment.Status.APPROVED
    name = escape(comment.name)
    pk = comment.pk
    # A placeholder shows nothing of what its author took back, not even in the label.
    label = _("Deleted comment") if comment.is_removed else labels.by % {"name": comment.name}
    if comment.is_removed:
        author = f'<span class="comment-author">{labels.deleted_author}</span>'
    elif comment.website.lower().startswith(("https://", "http://")):
        # Only web addresses become links: an imported or hand-edited "javascript:" one
        # would run in the reader's browser.
        author = (
            f'<a class="comment-author" href="{escape(comment.website)}" '
            f'rel="nofollow ugc noopener"><bdi>{name}</bdi></a>'
        )
    else:
        # <bdi>: a name written right to left does not reorder the text around it.
        author = f'<span class="comment-author"><bdi>{name}</bdi></span>'
    classes = f"comment depth-{comment.depth}"
    if pending:
        classes += " comment-pending"
    if comment.is_newsroom:
        classes += " comment-newsroom"
    if comment.featured:
        classes += " comment-featured"
    parts = [
        f'<li id="comment-{pk}" class="{classes}">'
        f'<article class="comment-body" aria-label="{escape(label)}">'
        '<footer class="comment-meta">'
        f'<span class="avatar" style="background:hsl({avatar_colour(comment.name)} 45% 38%)" '
        f'aria-hidden="true">{"–" if comment.is_removed else escape(initials(comment.name))}</span>'
        f"{author}",
        f' <span class="badge">{labels.newsroom}</span>' if comment.is_newsroom else "",
        f' <span class="badge badge-pick">{labels.pick}</span>' if comment.featured else "",
        f'<span class="comment-time"><a href="#comment-{pk}">'
        f'<time datetime="{comment.created_at.isoformat()}">'
        f"{labels.when(comment.created_at)}</time>"
        "</a>",
        f' · <span class="comment-edited">{labels.edited}</span>' if comment.edited_at else "",
        "</span></footer>",
    ]
    if pending:
        parts.append(f'<p class="comment-awaiting">{labels.awaiting}</p>')
    if comment.is_removed:
        parts.append(f'<p class="comment-deleted">{labels.deleted_text}</p>')
    else:
        parts.append(f'<div class="comment-text">{comment.body_html}</div>')
    actions = []
    if not pending and not comment.is_removed:
        actions.append(render_votes(comment, labels, dislikes=dislikes))
    if can_reply and not pending and not comment.is_removed:
        actions.append(
            f'<a class="comment-reply-link" rel="nofollow" '
            f'href="{escape(str(reply_url))}?replytocom={pk}#respond" '
            f'data-comment-id="{pk}" data-author="{name}">{labels.reply}'
            f'<span class="visually-hidden"> {escape(labels.to % {"name": comment.name})}'
            "</span></a>"
        )
    if own_ids and pk in own_ids and can_author_change(comment, own_ids):
        actions.append(
            f'<a class="comment-edit-link" href="/comments/{pk}/edit/">{labels.edit}</a>'
            f'<a class="comment-delete-link" href="/comments/{pk}/delete/">{labels.delete}</a>'
        )
    if not pending and not comment.is_removed:
        actions.append(
            f'<a class="comment-report-link" rel="nofollow" href="/comments/{pk}/report/">'
            f"{labels.report}</a>"
        )
    if actions:
        parts.append('<div class="comment-actions">' + "".join(actions) + "</div>")
    parts.append("</article>")
    return "".join(parts)


def render_picks(comments, *, reply_url: str) -> str:
    """The editors' picks, each linking to its place in the thread."""
    labels = Labels.current()
    items = []
    for comment in comments:
        items.append(
            f'<li class="comment-pick"><p class="comment-meta"><span class="comment-author">'
            f"<bdi>{escape(comment.name)}</bdi></span> · "
            f'<a href="/comments/{comment.pk}/">{labels.when(comment.created_at)}</a></p>'
            f'<div class="comment-text">{comment.body_html}</div></li>'
        )
    return mark_safe('<ol class="pick-list">' + "".join(items) + "</ol>")


def more_replies_link(root_id: int, hidden: int, first_hidden: int) -> str:
    text = ngettext("Show %(count)d more reply", "Show %(count)d more replies", hidden) % {
        "count": hidden
    }
    return (
        f'<li class="comment-more"><a class="more-replies-link" data-root="{root_id}" '
        f'href="/comments/{root_id}/replies/#comment-{first_hidden}">{escape(text)}</a></li>'
    )


def root_id_of(path: str) -> int:
    """The id of the top-level comment a path starts with (its segment ends with it)."""
    return int(path[PATH_SEGMENT_LENGTH - 10 : PATH_SEGMENT_LENGTH])


def render_thread(thread: ThreadPage, *, own_ids=(), can_reply=True, reply_url="", fold=None):
    """Nested <ol>/<li> HTML of the thread page, built in one pass over the comments (each
    branch in path order).

    A reply whose parent is not visible (held, spam, trashed) nests under its nearest
    visible ancestor, or stands at the top level. Beyond the first `fold` replies of a
    branch (MASTHEAD_COMMENTS_REPLIES_SHOWN when None; 0 shows them all), the rest folds
    behind a link to the branch's own page."""
    if fold is None:
        fold = settings.MASTHEAD_COMMENTS_REPLIES_SHOWN
    out = ['<ol class="comment-list">']
    stack: list[list] = []  # [path, whether its <ol class="children"> is open]
    own_ids = set(own_ids)
    labels = Labels.current()
    dislikes = settings.MASTHEAD_COMMENTS_DISLIKES
    branch, position, hidden, first_hidden = None, 0, 0, 0

    def close(keep: int) -> None:
        while len(stack) > keep:
            _, children_open = stack.pop()
            out.append("</ol></li>" if children_open else "</li>")

    def end_branch() -> None:
        if hidden:
            more = more_replies_link(root_id_of(branch), hidden, first_hidden)
            close(1)
            if stack and not stack[-1][1]:
                out.append('<ol class="children">')
                stack[-1][1] = True
            out.append(more)
        close(0)

    for comment in thread.comments:
        top = comment.path[:PATH_SEGMENT_LENGTH]
        if top != branch:
            end_branch()
            branch, position, hidden, first_hidden = top, 0, 0, 0
        position += 1
        if fold and position > fold + 1:
            hidden += 1
            first_hidden = first_hidden or comment.pk
            continue
        while stack and not comment.path.startswith(stack[-1][0] + PATH_SEPARATOR):
            _, children_open = stack.pop()
            out.append("</ol></li>" if children_open else "</li>")
        if stack and not stack[-1][1]:
            out.append('<ol class="children">')
            stack[-1][1] = True
        out.append(
            render_comment(
                comment,
                own_ids=own_ids,
                can_reply=can_reply,
                reply_url=reply_url,
                labels=labels,
                dislikes=dislikes,
            )
        )
        stack.append([comment.path, False])
    end_branch()
    out.append("</ol>")
    return mark_safe("".join(out))
