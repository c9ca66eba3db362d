"""State changes of comments. Every write goes through here, in one transaction; the work
it hands on (mail, purges) is recorded in that transaction through the signals of
`comments.signals`, and only cache versions wait for the commit.

One module per responsibility: `common` (limits, the stored count, cache signals),
`submit` (new comments), `authors` (the author's edit and delete from their browser),
`addresses` (the proven owner of an address: edit, delete, erase), `decisions`
(moderators), `reports` (readers' reports), `likes` (readers' likes), `imports` (other
systems' comments)."""

from .addresses import (
    Erased,
    commenter_delete_comment,
    commenter_edit_comment,
    erase_commenter,
)
from .authors import (
    author_delete_comment,
    author_edit_comment,
    can_author_change,
    edit_comment_text,
)
from .common import (
    DELETED_TEXT,
    LIMITS,
    _recount,
    check_limits,
    comments_open,
    public_count,
    recount,
)
from .decisions import MODERATION_ACTIONS, moderate_comments, moderator_edit_comment
from .imports import IMPORT_MAX_DEPTH, ImportedComment, import_comment, import_comments
from .likes import like_comment
from .reports import report_comment
from .submit import submit_comment

__all__ = [
    "DELETED_TEXT",
    "Erased",
    "IMPORT_MAX_DEPTH",
    "LIMITS",
    "MODERATION_ACTIONS",
    "ImportedComment",
    "_recount",
    "author_delete_comment",
    "author_edit_comment",
    "can_author_change",
    "check_limits",
    "commenter_delete_comment",
    "commenter_edit_comment",
    "edit_comment_text",
    "comments_open",
    "erase_commenter",
    "import_comment",
    "import_comments",
    "like_comment",
    "moderate_comments",
    "moderator_edit_comment",
    "public_count",
    "recount",
    "report_comment",
    "submit_comment",
]
