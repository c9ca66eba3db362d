"""`masthead backup`: an online backup of a running single-machine site, restored as
docs/operations.md says."""

import io
import os
import shutil
import sqlite3
import subprocess
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from conftest import ConsoleSite

TITLES = "from news.models import ArticlePage; print(sorted(ArticlePage.objects.values_list('title', flat=True)))"  # noqa: E501


def test_a_backup_taken_while_the_site_writes_restores_the_content_media_and_key(
    tmp_path, console_site
):
    console_site.env.pop("SECRET_KEY", None)

    def masthead(site, *args, returncode=0):
        done = site.run(*args, timeout=900)
        assert done.returncode == returncode, done.stderr
        return done

    # Migrating a new database takes minutes on a busy machine.
    masthead(console_site, "migrate", "--verbosity", "0")
    story = tmp_path / "bridge.md"
    story.write_text(
        "---\nsection: City\n---\nBridge reopens after repairs\n\nTraffic flows again.\n",
        encoding="utf-8",
    )
    masthead(console_site, "ingest", str(story))
    var = tmp_path / "var"
    (var / "media" / "documents").mkdir(parents=True)
    (var / "media" / "documents" / "budget.txt").write_text("The city budget.\n")
    key = (var / "secret_key").read_text()

    # A writer that has committed and not yet checkpointed: its change is only in the
    # -wal file, which a copy of db.sqlite3 alone would lose.
    writer = sqlite3.connect(console_site.database)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute(
            "UPDATE wagtailcore_page SET title = 'Bridge reopens for good' "
            "WHERE title = 'Bridge reopens after repairs'"
        )
        writer.commit()
        assert os.path.getsize(f"{console_site.database}-wal") > 0
        dest = tmp_path / "backup"
        backed_up = masthead(console_site, "backup", str(dest))
    finally:
        writer.close()

    assert backed_up.stdout.splitlines()[1:] == [
        f"{dest / 'media'}: the media folder {var / 'media'} (1 files)",
        f"{dest / 'secret_key'}: the secret key {var / 'secret_key'}",
    ]
    assert backed_up.stdout.startswith(f"{dest / 'db.sqlite3'}: the SQLite database (")
    assert sorted(path.name for path in dest.iterdir()) == ["db.sqlite3", "media", "secret_key"]

    # A second backup into the same folder is refused, and changes nothing, unless forced.
    database_before = (dest / "db.sqlite3").read_bytes()
    refused = masthead(console_site, "backup", str(dest), returncode=1)
    assert refused.stderr == (
        f"CommandError: {dest} already holds a backup (db.sqlite3, media, secret_key); give "
        "an empty or new folder, or --force to replace it.\n"
    )
    assert (dest / "db.sqlite3").read_bytes() == database_before
    masthead(console_site, "backup", str(dest), "--force")

    # Restore on a new machine: the database file, media/ and secret_key into its var/.
    restored_root = tmp_path / "restored"
    (restored_root / "var").mkdir(parents=True)
    shutil.copy(dest / "db.sqlite3", restored_root / "db.sqlite3")
    shutil.copytree(dest / "media", restored_root / "var" / "media")
    shutil.copy(dest / "secret_key", restored_root / "var" / "secret_key")
    restored = ConsoleSite(restored_root)
    restored.env.pop("SECRET_KEY", None)

    shown = masthead(
        restored,
        "shell",
        "--no-imports",
        "-c",
        f"{TITLES}; from django.conf import settings; print(settings.SECRET_KEY)",
    )
    assert shown.stdout.splitlines() == ["['Bridge reopens for good']", key]
    assert (restored_root / "var" / "media" / "documents" / "budget.txt").read_text() == (
        "The city budget.\n"
    )
    assert masthead(restored, "migrate", "--check").returncode == 0


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_backup_restores_into_a_fresh_database_with_pg_restore(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL; the SQLite backup is tested above")
    User.objects.create_user("night-editor", "night@example.org")
    dest = tmp_path / "backup"
    call_command("backup", str(dest), stdout=io.StringIO())
    assert (dest / "masthead.dump").stat().st_size > 0

    database = connection.settings_dict
    fresh = f"masthead_restore_{uuid.uuid4().hex[:8]}"
    pg = {
        **os.environ,
        "PGHOST": database["HOST"] or "",
        "PGPORT": str(database["PORT"] or ""),
        "PGUSER": database["USER"] or "",
        "PGPASSWORD": database["PASSWORD"] or "",
    }
    subprocess.run(["createdb", fresh], env=pg, check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={fresh}", str(dest / "masthead.dump")],
            env=pg,
            check=True,
        )
        restored = subprocess.run(
            [
                "psql",
                "--tuples-only",
                "--no-align",
                f"--dbname={fresh}",
                "--command",
                "SELECT username, email FROM auth_user",
            ],
            env=pg,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        subprocess.run(["dropdb", "--if-exists", fresh], env=pg, check=True)
    assert restored.stdout == "night-editor|night@example.org\n"
