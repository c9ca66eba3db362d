"""Signals sent after commit, for side effects such as cache purges and notifications."""

from django.dispatch import Signal

# A page's visible thread changed: page_id, comment_ids.
thread_changed = Signal()
# A new comment was stored: comment, subscribe (what its author asked to be told of: a
# tuple holding "replies" and/or "page").
comment_submitted = Signal()
# A moderator changed a comment: comment, action, before (the old status), moderator.
comment_moderated = Signal()
