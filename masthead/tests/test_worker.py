"""`masthead worker`, the process started beside the web server, publishes on time."""

import datetime as dt
import sqlite3
import time
from pathlib import Path


def page_row(database: Path, slug: str):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT live, first_published_at FROM wagtailcore_page WHERE slug = ?", [slug]
        ).fetchone()


def test_the_worker_publishes_a_scheduled_article_on_time_without_anyone_touching_it(
    tmp_path, console_site
):
    database = console_site.database
    masthead = console_site.run

    assert masthead("migrate", "--verbosity", "0").returncode == 0
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=6)).replace(microsecond=0)
    story = tmp_path / "budget.md"
    story.write_text(
        f"---\nsection: Politics\npublished: {due.isoformat()}\n---\n"
        "Council passes the budget\n\nThe vote was 6-3.\n",
        encoding="utf-8",
    )
    ingested = masthead("ingest", str(story))
    assert ingested.stdout == (
        f"{story}: created section 'Politics' at /politics/\n"
        f"{story}: created scheduled article 'council-passes-the-budget'\n"
    )
    assert page_row(database, "council-passes-the-budget") == (0, None)

    log = (tmp_path / "worker.log").open("w")
    worker = console_site.start("worker", "--interval", "1", log=log)
    try:
        deadline = due + dt.timedelta(seconds=15)
        while dt.datetime.now(dt.UTC) < deadline:
            live, first_published_at = page_row(database, "council-passes-the-budget")
            if live:
                break
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.25)
    finally:
        worker.terminate()
        returncode = worker.wait(timeout=20)
        log.close()

    output = (tmp_path / "worker.log").read_text()
    assert live == 1, output
    assert dt.datetime.fromisoformat(first_published_at).replace(tzinfo=dt.UTC) >= due
    assert returncode == 0, output
    assert output.startswith("masthead worker: checking every 1 s\n")
    assert "Traceback" not in output
