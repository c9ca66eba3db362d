import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

SQLITE_FILE = "db.sqlite3"
DUMP_FILE = "masthead.dump"
MEDIA_DIR = "media"
KEY_FILE = "secret_key"
BACKUP_PARTS = (SQLITE_FILE, DUMP_FILE, MEDIA_DIR, KEY_FILE)


class Command(BaseCommand):
    help = (
        "Back up the site into DEST_DIR while it runs: the database (an online copy of the "
        "SQLite file, or pg_dump --format=custom on PostgreSQL), the media folder and the "
        "generated secret key. docs/operations.md says how to restore it."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest_dir", type=Path, metavar="DEST_DIR")
        parser.add_argument(
            "--force", action="store_true", help="Replace a backup already in DEST_DIR."
        )

    def handle(self, *args, dest_dir, force, **options):
        dest = dest_dir.resolve()
        if dest.exists() and not dest.is_dir():
            raise CommandError(f"{dest} is not a folder; give a folder to back up into.")
        found = [name for name in BACKUP_PARTS if (dest / name).exists()]
        if found and not force:
            raise CommandError(
                f"{dest} already holds a backup ({', '.join(found)}); give an empty or new "
                "folder, or --force to replace it."
            )
        dest.mkdir(parents=True, exist_ok=True)
        for name in found:
            part = dest / name
            shutil.rmtree(part) if part.is_dir() and not part.is_symlink() else part.unlink()

        if connection.vendor == "sqlite":
            self._sqlite(dest / SQLITE_FILE)
        elif connection.vendor == "postgresql":
            self._pg_dump(dest / DUMP_FILE)
        else:
            raise CommandError(f"masthead backup does not know the {connection.vendor} database.")
        self._media(dest / MEDIA_DIR)
        self._secret_key(dest / KEY_FILE)

    def _wrote(self, path: Path, what: str) -> None:
        self.stdout.write(f"{path}: {what}")

    def _sqlite(self, target: Path) -> None:
        """sqlite3's online backup: a consistent copy, with the commits still in the -wal
        file, taken while the site reads and writes."""
        source_path = Path(settings.DATABASES["default"]["NAME"])
        if not source_path.is_file():
            raise CommandError(f"the database {source_path} does not exist.")
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        source = sqlite3.connect(source_path, timeout=30)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
        except sqlite3.Error as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"could not back up {source_path}: {error}") from None
        finally:
            source.close()
        partial.rename(target)
        self._wrote(target, f"the SQLite database ({_size(target)})")

    def _pg_dump(self, target: Path) -> None:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError(
                "pg_dump was not found on PATH; install PostgreSQL's client tools, of the "
                "server's major version or newer (on Debian and Ubuntu: apt install "
                "postgresql-client), and run masthead backup again."
            )
        db = settings.DATABASES["default"]
        env = dict(os.environ)
        for variable, key in (
            ("PGHOST", "HOST"),
            ("PGPORT", "PORT"),
            ("PGUSER", "USER"),
            ("PGPASSWORD", "PASSWORD"),
        ):
            if db.get(key):
                env[variable] = str(db[key])
        partial = target.with_name(f".{target.name}.partial")
        done = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", db["NAME"]],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {done.stderr.strip()}")
        partial.rename(target)
        self._wrote(target, f"pg_dump of the database {db['NAME']} ({_size(target)})")

    def _media(self, target: Path) -> None:
        media = Path(settings.MEDIA_ROOT)
        if not media.is_dir():
            self.stdout.write(f"{media}: no media folder; nothing uploaded yet")
            return
        shutil.copytree(media, target, symlinks=True)
        files = sum(1 for path in target.rglob("*") if path.is_file())
        self._wrote(target, f"the media folder {media} ({files} files)")

    def _secret_key(self, target: Path) -> None:
        key_file = settings.VAR_DIR / KEY_FILE
        if not key_file.is_file():
            self.stdout.write(
                "SECRET_KEY is set in the environment, not kept in a file; "
                "back up the environment file that holds it."
            )
            return
        shutil.copy2(key_file, target)
        os.chmod(target, 0o600)
        self._wrote(target, f"the secret key {key_file}")


def _size(path: Path) -> str:
    size = path.stat().st_size
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
