"""System checks of masthead's settings: run by every `masthead` command as it starts
(`serve`, `worker`, `migrate`, `check`), so a value that would fail later fails at once
with the fix in the message."""

from django.conf import settings
from django.core import checks


@checks.register()
def comments_max_depth(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """MASTHEAD_COMMENTS_MAX_DEPTH fits the comment's materialised path: each level adds
    a segment to it, and a path longer than its column fails to save on PostgreSQL."""
    from comments.services import IMPORT_MAX_DEPTH as deepest

    value = settings.MASTHEAD_COMMENTS_MAX_DEPTH
    if 1 <= value <= deepest:
        return []
    return [
        checks.Error(
            f"MASTHEAD_COMMENTS_MAX_DEPTH={value} is outside what a comment thread can "
            f"hold (1 to {deepest} levels of replies).",
            hint=f"Set MASTHEAD_COMMENTS_MAX_DEPTH to a whole number from 1 to {deepest}.",
            id="masthead.E001",
        )
    ]
