"""A production configuration: `masthead check --deploy`, HTTPS only, and the generated
secret key."""

import ctypes
import os
import re
import secrets
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client

from news.tests import factories

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "docs" / "operations.md"


def masthead(*args, **env) -> subprocess.CompletedProcess:
    """Run the `masthead` command in a clean environment holding only `env`."""
    return subprocess.run(
        [sys.executable, "-m", "masthead.cli", *args],
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def documented_production_environment() -> dict[str, str]:
    """The environment file shown under "Production / Environment" in operations.md."""
    section = OPERATIONS.read_text().split("### Environment", 1)[1]
    block = re.search(r"\n\n((?:    .+\n)+)", section).group(1)
    pairs = [line.strip().split("=", 1) for line in block.splitlines()]
    return dict(pairs)


def test_the_documented_production_configuration_passes_check_deploy(tmp_path):
    env = documented_production_environment()
    assert env["SECRET_KEY"] == "…50 random characters…"
    env["SECRET_KEY"] = secrets.token_urlsafe(50)

    result = masthead(
        "check", "--deploy", "--fail-level", "WARNING", MASTHEAD_VAR_DIR=str(tmp_path), **env
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (0 silenced).\n"


@pytest.mark.django_db
def test_over_plain_http_readers_are_sent_to_https_and_told_to_stay_there(settings):
    settings.MASTHEAD_PAGE_CACHE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    article = factories.article()

    plain = Client().get(article.url)
    first, second = Client().get(article.url, secure=True), Client().get(article.url, secure=True)

    assert (plain.status_code, plain["Location"]) == (301, f"https://testserver{article.url}")
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    for response in (first, second):
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )


GENERATE_KEY = """
import runpy, sys, time
import dj_database_url, django.core.management.utils, masthead.env  # loaded before the start
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
print(runpy.run_path(sys.argv[2])["SECRET_KEY"])
"""


def test_processes_starting_at_once_share_one_generated_key_only_its_owner_can_read(tmp_path):
    var = tmp_path / "var"
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "MASTHEAD_VAR_DIR": str(var)}
    start = str(time.time() + 3)
    settings_file = str(ROOT / "masthead" / "settings.py")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", GENERATE_KEY, start, settings_file],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    results = [process.communicate(timeout=60) for process in processes]

    assert [err for _, err in results] == [""] * 8
    keys = {out.strip() for out, _ in results}
    key_file = var / "secret_key"
    assert keys == {key_file.read_text()}
    assert len(key_file.read_text()) == 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert sorted(os.listdir(var)) == ["secret_key"]


# inotify(7): what the kernel reports of a folder's files, as any other process would see it.
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVED_TO, IN_CREATE = 0x2, 0x4, 0x8, 0x80, 0x100
EVENT = struct.Struct("iIII")


def watch(folder: Path) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    descriptor = libc.inotify_init1(os.O_NONBLOCK)
    mask = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE
    assert libc.inotify_add_watch(descriptor, os.fsencode(folder), mask) >= 0
    return descriptor


def events(descriptor: int) -> list[tuple[str, int]]:
    data, found = os.read(descriptor, 65536), []
    while data:
        _, mask, _, length = EVENT.unpack_from(data)
        name = data[EVENT.size : EVENT.size + length].rstrip(b"\0").decode()
        found.append((name, mask))
        data = data[EVENT.size + length :]
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
def test_the_generated_key_appears_whole_and_private_in_one_step(tmp_path, monkeypatch):
    """No other process can open the key file while it is empty, half-written or readable
    by others: once it has its name it is never written to or changed again."""
    import runpy

    var = tmp_path / "var"
    var.mkdir()
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("MASTHEAD_VAR_DIR", str(var))
    descriptor = watch(var)
    try:
        key = runpy.run_path(str(ROOT / "masthead" / "settings.py"))["SECRET_KEY"]
        seen = [mask for name, mask in events(descriptor) if name == "secret_key"]
    finally:
        os.close(descriptor)

    assert seen in ([IN_CREATE], [IN_MOVED_TO])
    assert (var / "secret_key").read_text() == key
    assert (var / "secret_key").stat().st_mode & 0o777 == 0o600
