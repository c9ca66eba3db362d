"""Settings read from the environment, and the SQLite connection they make."""

import os
import runpy
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "settings.py"


# The SQLite connection ---------------------------------------------------------------------


def sqlite_database_settings(var_dir: Path) -> dict:
    """The database settings.py makes when DATABASE_URL is not set, whatever database this
    test run itself uses (the suite also runs on PostgreSQL)."""
    saved = {name: os.environ.pop(name) for name in ("DATABASE_URL",) if name in os.environ}
    os.environ["MASTHEAD_VAR_DIR"], var = str(var_dir), os.environ.get("MASTHEAD_VAR_DIR")
    try:
        return runpy.run_path(str(SETTINGS_FILE))["DATABASES"]["default"]
    finally:
        os.environ.update(saved)
        if var is None:
            os.environ.pop("MASTHEAD_VAR_DIR", None)
        else:
            os.environ["MASTHEAD_VAR_DIR"] = var


@contextmanager
def sqlite_file_database(path: Path):
    """An alias for a SQLite file database with the settings' connection options; each
    thread that uses it gets its own connection, as each request would."""
    alias = "sqlite_file"
    config = {**sqlite_database_settings(path.parent), "NAME": str(path), "TEST": {}}
    connections.settings[alias] = connections.configure_settings({"default": config})["default"]
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path, django_db_blocker):
    with django_db_blocker.unblock(), sqlite_file_database(tmp_path / "db.sqlite3") as alias:
        with connections[alias].cursor() as cursor:
            pragmas = {}
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous"):
                cursor.execute(f"PRAGMA {name}")
                pragmas[name] = cursor.fetchone()[0]

    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": 20_000,
        "foreign_keys": 1,
        "synchronous": 1,  # NORMAL: durable across application crashes, fast under WAL
    }


def test_sqlite_write_transactions_start_immediately(tmp_path):
    assert sqlite_database_settings(tmp_path)["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_two_concurrent_read_then_write_transactions_both_succeed(tmp_path, django_db_blocker):
    """Both read a counter, pause, then write it back plus one. In SQLite's default
    (deferred) mode the second writer fails at once with "database is locked"; with
    immediate transactions it waits its turn and sees the first one's write."""
    errors = []
    start = threading.Barrier(2)

    def add_one(alias):
        try:
            start.wait()
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT value FROM counter")
                (value,) = cursor.fetchone()
                time.sleep(0.3)
                cursor.execute("UPDATE counter SET value = %s", [value + 1])
        except Exception as exc:  # any failure of either writer is the finding
            errors.append(repr(exc))
        finally:
            connections[alias].close()

    with django_db_blocker.unblock(), sqlite_file_database(tmp_path / "db.sqlite3") as alias:
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE counter (value INTEGER NOT NULL)")
            cursor.execute("INSERT INTO counter (value) VALUES (0)")
        threads = [threading.Thread(target=add_one, args=[alias]) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT value FROM counter")
            (value,) = cursor.fetchone()

    assert errors == []
    assert value == 2


# Reading the environment -------------------------------------------------------------------


@pytest.fixture
def load_settings(monkeypatch, tmp_path):
    """Build masthead's settings afresh from the given environment (nothing else set)."""

    def load(**env):
        for name in (
            "DATABASE_URL",
            "CACHE_URL",
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "SQLITE_BUSY_TIMEOUT",
            "MASTHEAD_PAGE_SIZE",
            "DATABASE_CONN_MAX_AGE",
            "MASTHEAD_SSL_REDIRECT",
            "MASTHEAD_HSTS_SECONDS",
            "MASTHEAD_HSTS_INCLUDE_SUBDOMAINS",
            "MASTHEAD_HSTS_PRELOAD",
            "MASTHEAD_SECURE_COOKIES",
        ):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("MASTHEAD_VAR_DIR", str(tmp_path / "var"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


def test_without_database_url_the_database_is_sqlite_in_the_var_directory(load_settings, tmp_path):
    database = load_settings()["DATABASES"]["default"]

    assert (database["ENGINE"], database["NAME"]) == (
        "django.db.backends.sqlite3",
        str(tmp_path / "var" / "db.sqlite3"),
    )
    # Connections are kept between requests: opening one runs the PRAGMAs below, and
    # closing the last one checkpoints the write-ahead log.
    assert database["CONN_MAX_AGE"] == 60
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] == 20
    assert "PRAGMA journal_mode=WAL;" in database["OPTIONS"]["init_command"]


def test_sqlite_busy_timeout_sets_how_long_a_writer_waits(load_settings):
    database = load_settings(SQLITE_BUSY_TIMEOUT="5")["DATABASES"]["default"]

    assert database["OPTIONS"]["timeout"] == 5


def test_database_url_selects_postgresql_with_persistent_connections(load_settings):
    database = load_settings(DATABASE_URL="postgres://news:pw@db.internal:5432/masthead")[
        "DATABASES"
    ]["default"]

    assert (database["ENGINE"], database["HOST"], database["NAME"], database["USER"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        "masthead",
        "news",
    )
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    assert database.get("OPTIONS", {}) == {}


def test_cache_url_selects_a_shared_redis_cache(load_settings):
    cache = load_settings(CACHE_URL="redis://cache.internal:6379/1")["CACHES"]["default"]

    assert cache == {
        "BACKEND": "masthead.cache.RedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
        "KEY_PREFIX": "masthead",
        "OPTIONS": {"timeout": 0.5},
    }


def test_without_cache_url_the_cache_is_in_files_shared_by_all_processes(load_settings, tmp_path):
    """The web server's processes and the worker must see one cache: a page the worker
    unpublishes on schedule stops being served from the page cache at once."""
    cache = load_settings()["CACHES"]["default"]

    assert (cache["BACKEND"], cache["LOCATION"]) == (
        "masthead.cache.FileCache",
        str(tmp_path / "var" / "cache"),
    )


def test_cache_url_locmem_keeps_a_cache_in_each_process(load_settings):
    cache = load_settings(CACHE_URL="locmem://")["CACHES"]["default"]

    assert cache["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_an_unsupported_cache_url_says_which_ones_work(load_settings):
    with pytest.raises(ImproperlyConfigured) as failure:
        load_settings(CACHE_URL="memcached://cache:11211")

    assert str(failure.value) == (
        "CACHE_URL='memcached://cache:11211' is not supported; use redis://host:port/db, "
        "locmem:// or dummy://."
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean; use true or false."),
        ("MASTHEAD_PAGE_SIZE", "twelve", "MASTHEAD_PAGE_SIZE='twelve' is not a whole number."),
    ],
)
def test_a_malformed_value_names_the_variable_and_what_it_should_be(
    load_settings, name, value, message
):
    with pytest.raises(ImproperlyConfigured) as failure:
        load_settings(**{name: value})

    assert str(failure.value) == message


def test_debug_and_allowed_hosts_come_from_the_environment(load_settings):
    loaded = load_settings(DEBUG="true", ALLOWED_HOSTS="news.example.org, www.news.example.org")

    assert loaded["DEBUG"] is True
    assert loaded["ALLOWED_HOSTS"] == ["news.example.org", "www.news.example.org"]


def test_debug_is_off_and_hosts_are_local_by_default(load_settings):
    loaded = load_settings()

    assert loaded["DEBUG"] is False
    assert loaded["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]


def test_without_secret_key_a_generated_key_is_kept_in_the_var_directory(load_settings, tmp_path):
    first = load_settings()["SECRET_KEY"]
    second = load_settings()["SECRET_KEY"]

    key_file = tmp_path / "var" / "secret_key"
    assert first == second == key_file.read_text()
    assert len(first) == 50
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_secret_key_from_the_environment_wins(load_settings, tmp_path):
    assert load_settings(SECRET_KEY="from-the-environment")["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "var" / "secret_key").exists()


def test_https_only_is_set_from_the_environment(load_settings):
    loaded = load_settings(
        MASTHEAD_SECURE_COOKIES="true",
        MASTHEAD_SSL_REDIRECT="true",
        MASTHEAD_HSTS_SECONDS="31536000",
        MASTHEAD_HSTS_INCLUDE_SUBDOMAINS="true",
        MASTHEAD_HSTS_PRELOAD="true",
    )

    assert {
        name: loaded[name]
        for name in (
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_HSTS_PRELOAD",
        )
    } == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }


def test_https_only_is_off_by_default_for_a_site_on_plain_http(load_settings):
    loaded = load_settings()

    assert (
        loaded["SECURE_SSL_REDIRECT"],
        loaded["SECURE_HSTS_SECONDS"],
        loaded["SESSION_COOKIE_SECURE"],
    ) == (False, 0, False)


# The var directory -------------------------------------------------------------------------


def masthead_command(*args, **env):
    """Run the `masthead` command in a clean environment holding only `env`."""
    import subprocess
    import sys

    root = SETTINGS_FILE.parent.parent
    return subprocess.run(
        [sys.executable, "-m", "masthead.cli", *args],
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(root), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_var_directory_that_does_not_exist_yet_is_created(tmp_path):
    var = tmp_path / "new" / "var"

    result = masthead_command(
        "check", "--database", "default", MASTHEAD_VAR_DIR=str(var), SECRET_KEY="k" * 50
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert (var / "db.sqlite3").is_file()


def test_a_var_directory_that_cannot_be_created_is_named_in_one_line(tmp_path):
    (tmp_path / "a-file").write_text("")
    var = tmp_path / "a-file" / "var"

    result = masthead_command("check", MASTHEAD_VAR_DIR=str(var), SECRET_KEY="k" * 50)

    assert result.returncode == 1
    assert result.stderr == (
        f"masthead: MASTHEAD_VAR_DIR={var} cannot be created (Not a directory); create it, "
        "or point MASTHEAD_VAR_DIR at a folder the site may write to.\n"
    )
