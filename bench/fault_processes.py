"""The processes bench/faults.py runs and breaks: a site (`masthead serve` and `masthead
worker`), a PostgreSQL server and a Redis of its own, and sinks that count the mail and the
CDN purges the site sends."""

import collections
import contextlib
import http.server
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from load import PYTHON, ROOT, wait_for

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Sinks ------------------------------------------------------------------------------------


class MailSink:
    """An SMTP server on loopback that keeps each message's subject."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        sink = self
        self.subjects = collections.Counter()

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes, policy

                message = message_from_bytes(envelope.content, policy=policy.default)
                sink.subjects[str(message["Subject"]).strip()] += 1
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()


class PurgeSink:
    """An HTTP server taking the PURGE requests Wagtail's HTTP front-end cache backend
    sends, with the time of each."""

    def __init__(self):
        sink = self
        self.times = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):
                sink.times.append(time.time())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


# Services of its own ----------------------------------------------------------------------


class Postgres:
    """A PostgreSQL server of its own, on another port, that can be stopped and started."""

    def __init__(self, root: Path):
        if not (PG_BIN / "initdb").exists():
            raise SystemExit(f"PostgreSQL server binaries not found in {PG_BIN}")
        self.root = root / "pg"
        self.root.mkdir()
        shutil.chown(self.root, "postgres")
        self.port = free_port()
        self._as_postgres(
            PG_BIN / "initdb",
            "-D",
            self.root / "data",
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )
        self.start()
        self._as_postgres(
            "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "masthead"
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/masthead"

    def _as_postgres(self, *argv):
        cmd = [str(a) for a in argv]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True)

    def start(self):
        self._as_postgres(
            PG_BIN / "pg_ctl",
            "-D",
            self.root / "data",
            "-w",
            "-l",
            self.root / "log",
            "-o",
            f"-p {self.port} -k {self.root} -c max_connections=200 -c fsync=off",
            "start",
        )

    def stop(self):
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.root / "data", "-m", "immediate", "stop")


class Redis:
    def __init__(self, root: Path):
        if shutil.which("redis-server") is None:
            raise SystemExit("redis-server is not installed")
        self.root = root
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


class Site:
    """`masthead serve` with two processes and `masthead worker`, logging to files."""

    def __init__(self, root: Path, env: dict):
        self.root, self.env = root, env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.logs = []
        self.server = self._spawn(
            "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--no-access-log"
        )
        self.worker = self._spawn("worker")
        wait_for(self.base + "/")

    def _spawn(self, *argv):
        log = self.root / f"{argv[0]}-{len(self.logs)}.log"
        self.logs.append(log)
        return subprocess.Popen(
            [PYTHON, "-m", "masthead.cli", *argv],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def server_processes(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.server.pid)], capture_output=True, text=True
        ).stdout.split()
        return [int(p) for p in out]

    def kill_server_process(self):
        os.kill(self.server_processes()[0], signal.SIGKILL)

    def kill_worker(self):
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def start_worker(self):
        self.worker = self._spawn("worker")

    def stop(self):
        for proc in (self.server, self.worker):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in (self.server, self.worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    def log_text(self) -> str:
        return "".join(log.read_text(errors="replace") for log in self.logs)
