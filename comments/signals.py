"""The comments app's signals.

`thread_changing`, `comment_submitted` and `comment_moderated` are sent inside the
transaction that makes the change, so that what their receivers record (a task for the
worker, a subscription) is committed with the change or not at all: a server process
stopped right after the commit loses nothing. A receiver that fails is logged and its work
undone; the change itself stands (see `send_in_transaction`). `thread_changed` is sent
after the commit, for what only this process needs to know at once (its caches).
"""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# A page's visible thread is changing (inside the transaction): page_id, comment_ids.
thread_changing = Signal()
# A page's visible thread changed (after the commit): page_id, comment_ids.
thread_changed = Signal()
# A new comment is being stored: comment, subscribe (what its author asked to be told of:
# a tuple holding "replies" and/or "page").
comment_submitted = Signal()
# A moderator is changing a comment: comment, action, before (the old status), moderator.
comment_moderated = Signal()


def send_in_transaction(signal: Signal, **kwargs) -> None:
    """Send `signal` inside the current transaction, in a savepoint of its own: if a
    receiver fails, what the receivers wrote is rolled back and the failure logged, and
    the transaction that sends it goes on."""
    try:
        with transaction.atomic():
            signal.send(**kwargs)
    except Exception:
        logger.exception("A receiver of %s failed; its work was undone", kwargs.get("sender"))
