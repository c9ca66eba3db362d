"""System checks of masthead's settings, run as every `masthead` command starts."""

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from comments.tests import factories as comment_factories
from news.tests import factories


def depth_errors():
    return [(e.msg, e.hint) for e in checks.run_checks() if e.id == "masthead.E001"]


@pytest.mark.parametrize("depth", [0, 11, 40])
def test_a_comment_depth_the_path_column_cannot_hold_stops_start_up(settings, depth):
    settings.MASTHEAD_COMMENTS_MAX_DEPTH = depth

    assert depth_errors() == [
        (
            f"MASTHEAD_COMMENTS_MAX_DEPTH={depth} is outside what a comment thread can hold "
            "(1 to 10 levels of replies).",
            "Set MASTHEAD_COMMENTS_MAX_DEPTH to a whole number from 1 to 10.",
        )
    ]
    with pytest.raises(SystemCheckError, match="masthead.E001"):
        call_command("check")


@pytest.mark.django_db
def test_the_deepest_depth_allowed_saves_a_full_thread(settings):
    """Ten levels of replies fit the path column, on PostgreSQL as on SQLite."""
    settings.MASTHEAD_COMMENTS_MAX_DEPTH = 10
    assert depth_errors() == []

    comment = comment_factories.comment(factories.article())
    for _ in range(10):
        comment = comment_factories.reply(comment)

    assert comment.depth == 10
    assert len(comment.path) == 10 * 23 + 9
