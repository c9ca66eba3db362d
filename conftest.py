"""Shared test fixtures: the site tree, factories, a real browser and a real SMTP server."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Playwright's synchronous API runs an event loop in the test thread; the database calls
# the tests make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MASTHEAD_CHROMIUM", "/usr/bin/chromium")


def _acceptance_data() -> Path:
    """Real exports and data sets written by others: MASTHEAD_ACCEPTANCE_DATA, or the
    shared folder beside the checkout."""
    candidates = [
        os.environ.get("MASTHEAD_ACCEPTANCE_DATA", ""),
        Path(__file__).resolve().parent.parent / "shared" / "acceptance-data",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return Path(candidates[1])


ACCEPTANCE_DATA = _acceptance_data()


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class ConsoleSite:
    """The `masthead` console script run as an operator runs it, on a site of its own: a
    fresh SQLite database and var folder under `root`."""

    SCRIPT = Path(sys.executable).parent / "masthead"

    def __init__(self, root: Path, **env):
        self.database = root / "db.sqlite3"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "masthead.settings",
            "DATABASE_URL": f"sqlite:///{self.database}",
            "MASTHEAD_VAR_DIR": str(root / "var"),
            **env,
        }
        self.env.pop("CACHE_URL", None)

    def run(self, *args, timeout: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.SCRIPT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, *args, log) -> subprocess.Popen:
        """A long-running command (server, worker), its output going to `log`."""
        return subprocess.Popen(
            [str(self.SCRIPT), *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )


@pytest.fixture
def console_site(tmp_path):
    return ConsoleSite(tmp_path)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped (never on CI) where it is absent."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if _on_ci():
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt install chromium to run browser tests)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshot_dir(request):
    path = Path(__file__).resolve().parent / "test-results" / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def acceptance_data():
    if not ACCEPTANCE_DATA.is_dir():
        pytest.skip(f"acceptance data not found at {ACCEPTANCE_DATA}")
    return ACCEPTANCE_DATA


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback (aiosmtpd); Django's SMTP backend sends to it.
    Yields the list of received messages (email.message.EmailMessage)."""
    import email
    import socket

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            message = email.message_from_bytes(envelope.content)
            message.envelope_to = list(envelope.rcpt_tos)
            received.append(message)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield received
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached pages and their versions live in the cache; each test starts with it empty."""
    from django.core.cache import cache

    from comments.moderation import checks, spamfilter
    from pagecache.entries import forget_local

    cache.clear()
    forget_local()
    # What a process keeps of database rows that each test's rollback takes away.
    checks.forget_rules()
    spamfilter.forget_loaded()
    yield
