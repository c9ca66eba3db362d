"""The orders a reader may read a thread in: oldest first (the default), newest first, and
best. Orders apply to top-level comments; replies stay in conversation order under them.

Best is likes with time decay (see docs/thread.md for why not the Wilson lower bound):

    score = (likes - dislikes) / (hours since posted + 2) ** GRAVITY

A like on a young comment weighs more than one on an old comment, so the first comments
of a discussion, which every early reader saw, do not stay on top for the rest of its life;
once a discussion has quietened, ages differ little and the order is close to the order
of likes.
"""

import datetime as dt

SORTS = ("oldest", "newest", "best")
DEFAULT_SORT = "oldest"
# As Hacker News's front page (1.8) would bury a thread's comments in hours; 1.5 lets a
# comment with twice the likes of one posted an hour before it stay above it for a day.
GRAVITY = 1.5


def sort_of(value) -> str:
    """The sort named by a query parameter; the default for anything else."""
    return value if value in SORTS else DEFAULT_SORT


def best_score(likes: int, dislikes: int, created_at: dt.datetime, now: dt.datetime) -> float:
    hours = max((now - created_at).total_seconds(), 0) / 3600
    return (likes - dislikes) / (hours + 2) ** GRAVITY


def rank_best(roots, now: dt.datetime) -> list:
    """Top-level comments as (path, likes, dislikes, created_at) in path order, best first;
    ties keep path order (oldest first). `created_at` may be None for a comment nobody
    voted on (its score is 0)."""

    def score(root) -> float:
        _path, likes, dislikes, created_at = root
        return 0.0 if created_at is None else best_score(likes, dislikes, created_at, now)

    return sorted(roots, key=score, reverse=True)
