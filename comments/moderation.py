"""The moderation pipeline: an ordered list of small checks, each giving a verdict.

Each check is a callable ``check(candidate) -> Verdict | None`` named in the setting
MASTHEAD_COMMENT_CHECKS. The strongest verdict wins; every reason is kept on the comment
for moderators.
"""

import enum
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_CHECKS = ["comments.moderation.known_commenters"]


class Action(enum.IntEnum):
    # Ordered by strength: the strongest verdict of all checks wins.
    ACCEPT = 0
    HOLD = 1
    SPAM = 2
    REJECT = 3


@dataclass(frozen=True)
class Verdict:
    action: Action
    reason: str


@dataclass
class Candidate:
    """What the checks see of a comment before it is stored."""

    page: object
    name: str
    email: str
    website: str
    body: str
    ip_address: str | None
    user: object | None = None
    parent: object | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Decision:
    action: Action
    reasons: list[str]


def moderate(candidate: Candidate) -> Decision:
    if candidate.user is not None and candidate.user.is_staff:
        return Decision(Action.ACCEPT, ["newsroom account"])
    verdicts = []
    for path in getattr(settings, "MASTHEAD_COMMENT_CHECKS", DEFAULT_CHECKS):
        verdict = import_string(path)(candidate)
        if verdict is not None:
            verdicts.append(verdict)
    if not verdicts:
        return Decision(Action.ACCEPT, [])
    strongest = max(v.action for v in verdicts)
    return Decision(strongest, [f"{v.action.name.lower()}: {v.reason}" for v in verdicts])


def known_commenters(candidate: Candidate) -> Verdict | None:
    """WordPress's default: hold a commenter's first comment; once a moderator has
    approved one of theirs, let the next ones through. MASTHEAD_COMMENTS_MODERATION may be
    "first" (this rule), "all" (hold everything) or "none" (hold nothing)."""
    from .models import Comment

    mode = settings.MASTHEAD_COMMENTS_MODERATION
    if mode == "none":
        return None
    if mode == "all":
        return Verdict(Action.HOLD, "every comment is held for review")
    known = Comment.objects.filter(
        email__iexact=candidate.email, status=Comment.Status.APPROVED
    ).exists()
    if known:
        return Verdict(Action.ACCEPT, "known commenter")
    return Verdict(Action.HOLD, "first comment from this email address")
