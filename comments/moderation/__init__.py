"""The moderation pipeline: an ordered list of small checks, each giving a verdict.

Each check is a callable ``check(candidate) -> Verdict | None`` named in the setting
MASTHEAD_COMMENT_CHECKS. The strongest verdict wins (accept < hold < spam < reject); every
reason is kept on the comment for moderators, never shown to the poster. A check may also
raise an ApplicationError for what the poster must fix (a form that expired, too many posts).
"""

import enum
import logging
import sys
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from .. import markup

logger = logging.getLogger(__name__)

# The checks that follow rules, cheap and with no model to load.
RULE_CHECKS = [
    "comments.moderation.checks.bot_traps",
    "comments.moderation.checks.rate_limits",
    "comments.moderation.checks.duplicates",
    "comments.moderation.checks.links",
    "comments.moderation.checks.lists",
    "comments.moderation.checks.known_commenters",
]
DEFAULT_CHECKS = [
    *RULE_CHECKS,
    "comments.moderation.toxicity.check",
    "comments.moderation.spamfilter.check",
    "comments.moderation.akismet.check",
]


class Action(enum.IntEnum):
    # Ordered by strength: the strongest verdict of all checks wins.
    ACCEPT = 0
    HOLD = 1
    SPAM = 2
    TRASH = 3
    REJECT = 4


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
    user_agent: str = ""
    # Form fields that are not the comment: the honeypot and the signed timestamp.
    traps: dict | None = None
    # The comments this browser posted (its signed cookie): what it may be told about.
    own_ids: tuple = ()
    # The stored comment whose text this would replace, for an author's edit.
    editing: int | None = None
    # Scores that checks compute, kept on the comment for moderators.
    scores: dict = field(default_factory=dict)
    # The body as sanitised HTML, as it will be stored and shown (see rendered()).
    body_html: str | None = None

    def rendered(self) -> str:
        """The body as readers will get it: sanitised HTML, rendered once."""
        if self.body_html is None:
            self.body_html = markup.render(self.body)
        return self.body_html


@dataclass
class Decision:
    action: Action
    reasons: list[str]
    scores: dict = field(default_factory=dict)


def configured_checks():
    return [
        import_string(path) for path in getattr(settings, "MASTHEAD_COMMENT_CHECKS", DEFAULT_CHECKS)
    ]


def prepare() -> None:
    """Load what the configured checks keep in memory (the toxicity model takes seconds),
    so that the first reader to post after a start does not wait for it. A check's module
    may offer a `prepare()` that needs no database. One that fails is logged and left to
    fail again on the first comment, as it would have: the site still starts."""
    for check in configured_checks():
        module = sys.modules.get(getattr(check, "__module__", ""))
        prepare_check = getattr(module, "prepare", None)
        if callable(prepare_check):
            try:
                prepare_check()
            except Exception:
                logger.exception("preparing the moderation check %s failed", module.__name__)


def moderate(candidate: Candidate) -> Decision:
    """Run every configured check and combine their verdicts."""
    if candidate.user is not None and candidate.user.is_staff:
        return Decision(Action.ACCEPT, ["accept: newsroom account"])
    verdicts = []
    for check in configured_checks():
        verdict = check(candidate)
        if verdict is not None:
            verdicts.append(verdict)
    if not verdicts:
        return Decision(Action.ACCEPT, [], candidate.scores)
    strongest = max(v.action for v in verdicts)
    reasons = [f"{v.action.name.lower()}: {v.reason}" for v in verdicts]
    return Decision(strongest, reasons, candidate.scores)
