"""Load benchmark: article pages with 0, 50, 500 and 5,000 comments, cached and uncached,
comment posts through the whole pipeline, and nginx serving the same bytes as a ceiling.

Run by hand (needs Debian's wrk and nginx: apt install wrk nginx):

    .venv/bin/python bench/load.py [--duration 10] [--connections 16]

The server (`masthead serve`, granian) is pinned to CPU 0 and wrk to CPU 1, all on
127.0.0.1. Every figure is also given as a ratio to nginx serving the same HTML in the
same run, since the machine is shared and absolute numbers drift: nginx's runs alternate
with masthead's, and each figure is the best of --rounds runs.

Comment posts go through the default pipeline with the default rate limits, each from
another reader (its own email address, and its own address in X-Forwarded-For, as a
reverse proxy in front reports it).

Isso 0.14 (gunicorn, one sync worker, SQLite; moderation and its rate-limiting guard off)
runs in the same way on the same cores, so posts are compared with Isso's in the same run,
and its thread JSON with 0, 50 and 500 comments is measured beside masthead's pages. The
first run installs it (bench/isso-requirements.txt) into var/bench/isso-venv; --no-isso
skips it and compares with the 268 posts/s Isso took on the machine the targets come from.
Isso's thread JSON here against its rates there also tells how fast this machine is, and
WordPress's rates (measured there, not run here) are given scaled by that too.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIZES = [0, 50, 500, 5000]
# WordPress 6.1 (PHP-FPM, MariaDB, nginx) serving the article page, req/s on one core.
WORDPRESS_RPS = {0: 51, 50: 12.6, 500: 1.9}
# Isso 0.14 (gunicorn, SQLite) taking comment posts one after another, posts/s, on the
# machine the targets come from (used with --no-isso).
ISSO_POSTS = 268
# Isso's thread JSON with 0, 50 and 500 comments there, req/s (16 connections).
ISSO_THREAD_RPS = {0: 1390, 50: 43, 500: 4.8}
ISSO_REQUIREMENTS = ROOT / "bench" / "isso-requirements.txt"
ISSO_VENV = ROOT / "var" / "bench" / "isso-venv"
ISSO_SIZES = [0, 50, 500]


def env_for(var_dir: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        MASTHEAD_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="masthead.settings",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        WAGTAIL_LOG_LEVEL="ERROR",
        LOG_LEVEL="WARNING",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def form_timestamp(var: Path) -> str:
    """A signed form timestamp from the site under `var`, as the comment form carries."""
    return subprocess.run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); "
            "from comments.moderation.checks import form_timestamp; print(form_timestamp())",
        ],
        cwd=ROOT,
        env=env_for(var),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


SETUP = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from comments.services import submit_comment
    from news.tests import factories
    settings.MASTHEAD_COMMENT_CHECKS = []
    settings.MASTHEAD_COMMENTS_PER_PAGE = 100000
    urls = {}
    for n in json.loads(sys.argv[1]):
        article = factories.article(f"An article with {n} comments")
        made = []
        for i in range(n):
            parent = made[i // 3] if i % 3 == 2 else None
            made.append(submit_comment(
                page=article, name=f"Reader {i}", email=f"reader{i}@example.com",
                body=f"Comment {i}: " + "a thoughtful sentence about the story. " * 4,
                parent=parent,
            ))
        urls[n] = article.url
    target = factories.article("Posting target")
    urls["post_page"] = target.pk
    print(json.dumps(urls))
    """
)

POST_LUA = textwrap.dedent(
    """
    counter = 0
    request = function()
      counter = counter + 1
      local id = "%s-" .. tostring(counter)
      local body = "page=%s&ts=%s&name=Load+Reader&email=load" .. id ..
        "%%40example.com&body=Posting+comment+" .. id .. "+about+the+harbour+plan."
      -- Each post from another reader, as a reverse proxy in front reports them.
      local address = string.format("10.%%d.%%d.%%d", %d, math.floor(counter / 256) %% 256,
        counter %% 256)
      return wrk.format("POST", "/comments/post/", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Accept"] = "application/json",
        ["X-Forwarded-For"] = address,
      }, body)
    end
    """
)


def wait_for(url: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children."""
    total = 0
    pids = [pid]
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True
    ).stdout.split()
    pids += [int(c) for c in children]
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except FileNotFoundError:
            continue
        match = re.search(r"VmRSS:\s+(\d+)", status)
        total += int(match.group(1)) if match else 0
    return total


def wrk(url: str, duration: int, connections: int, script: str | None = None) -> dict:
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout

    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.MULTILINE)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rate,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


class Server:
    """`masthead serve`, the production server, pinned to CPU 0 (so one worker process)."""

    def __init__(self, env, port, workers):
        self.proc = subprocess.Popen(
            [
                "taskset",
                "-c",
                "0",
                PYTHON,
                "-m",
                "masthead.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                *(["--workers", str(workers)] if workers else []),
                "--no-access-log",
            ],
            cwd=ROOT,
            env={**env, "MASTHEAD_SERVER_LOG_LEVEL": "warning"},
        )
        self.base = f"http://127.0.0.1:{port}"
        wait_for(self.base + "/")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)


def nginx(root: Path, port: int):
    conf = root / "nginx.conf"
    conf.write_text(
        textwrap.dedent(f"""
        worker_processes 1;
        pid {root}/nginx.pid;
        error_log {root}/error.log;
        events {{ worker_connections 1024; }}
        http {{
          access_log off;
          sendfile on;
          default_type text/html;
          client_body_temp_path {root}/tmp;
          proxy_temp_path {root}/tmp;
          fastcgi_temp_path {root}/tmp;
          uwsgi_temp_path {root}/tmp;
          scgi_temp_path {root}/tmp;
          server {{ listen 127.0.0.1:{port}; root {root}/html; }}
        }}
    """)
    )
    (root / "tmp").mkdir(exist_ok=True)
    (root / "html" / "ready.html").write_text("ready")
    proc = subprocess.Popen(["taskset", "-c", "0", "nginx", "-c", str(conf), "-g", "daemon off;"])
    try:
        wait_for(f"http://127.0.0.1:{port}/ready.html")
    except RuntimeError:
        proc.send_signal(signal.SIGQUIT)
        raise
    return proc


ISSO_POST_LUA = textwrap.dedent(
    """
    counter = 0
    request = function()
      counter = counter + 1
      local id = "%s-" .. tostring(counter)
      local body = '{"title": "Posting target", "author": "Load Reader", "email": "load' ..
        id .. '@example.com", "text": "Posting comment ' .. id .. ' about the harbour plan."}'
      return wrk.format("POST", "/new?uri=/posting-target", {
        ["Content-Type"] = "application/json",
      }, body)
    end
    """
)


def isso_venv() -> Path:
    """A venv holding Isso at the pinned versions, made on first use."""
    stamp = ISSO_VENV / "installed-from.txt"
    wanted = ISSO_REQUIREMENTS.read_text()
    if not stamp.exists() or stamp.read_text() != wanted:
        print(f"Installing Isso into {ISSO_VENV} ...", flush=True)
        subprocess.run([PYTHON, "-m", "venv", "--clear", str(ISSO_VENV)], check=True)
        subprocess.run(
            [str(ISSO_VENV / "bin" / "pip"), "install", "--quiet", "-r", str(ISSO_REQUIREMENTS)],
            check=True,
        )
        stamp.write_text(wanted)
    return ISSO_VENV


class Isso:
    """Isso under gunicorn (one sync worker) pinned to CPU 0, with its own SQLite file.
    Moderation and the guard (which allows two posts a minute per address) are off, as
    for a posting benchmark."""

    def __init__(self, root: Path, port: int):
        root.mkdir(parents=True, exist_ok=True)
        conf = root / "isso.cfg"
        conf.write_text(
            textwrap.dedent(f"""
            [general]
            dbpath = {root}/comments.db
            host = http://127.0.0.1:{port}/
            [moderation]
            enabled = false
            [guard]
            enabled = false
            """)
        )
        venv = isso_venv()
        self.proc = subprocess.Popen(
            [
                "taskset",
                "-c",
                "0",
                str(venv / "bin" / "gunicorn"),
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "isso.run",
            ],
            cwd=root,
            env={**os.environ, "ISSO_SETTINGS": str(conf)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        wait_for(self.base + "/?uri=/ready")

    def post(self, uri: str, i: int, parent=None) -> int:
        data = {
            "title": uri,
            "author": f"Reader {i}",
            "email": f"reader{i}@example.com",
            "text": f"Comment {i}: " + "a thoughtful sentence about the story. " * 4,
            "parent": parent,
        }
        request = urllib.request.Request(
            f"{self.base}/new?uri={uri}",
            data=json.dumps(data).encode(),
            headers={"Content-Type": "application/json"},
        )
        return json.loads(urllib.request.urlopen(request).read())["id"]

    def thread(self, n: int) -> str:
        """A thread with n comments, a third of them replies, as masthead's articles."""
        uri = f"/n{n}"
        made = []
        for i in range(n):
            made.append(self.post(uri, i, made[i // 3] if i % 3 == 2 else None))
        return f"{self.base}/?uri={uri}"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)


def isso_threads(isso: Isso, sizes, args) -> dict:
    """Isso's thread JSON for each size, in this run."""
    figures = {}
    for n in [n for n in ISSO_SIZES if n in sizes]:
        url = isso.thread(n)
        kb = len(urllib.request.urlopen(url).read()) / 1024
        result = max(
            (wrk(url, args.duration, args.connections) for _ in range(args.rounds)),
            key=lambda r: r["rps"],
        )
        figures[n] = {**result, "kb": kb, "rss": rss_kb(isso.proc.pid)}
        print(f"  isso     N={n:<5} {result['rps']:9.0f} req/s  (thread JSON)", flush=True)
    return figures


def measure_posts(work: Path, var: Path, urls: dict, args, isso) -> dict:
    """Comment posts through the whole default pipeline, from many readers behind a proxy
    (so the default rate limits apply per reader): one after another, and from
    --connections at once. Isso's sequential rounds alternate with masthead's, and it takes
    --connections at once after masthead."""
    server = Server(
        env_for(
            var,
            MASTHEAD_COMMENTS_MODERATION="none",
            MASTHEAD_COMMENTS_MIN_SECONDS=0,
            MASTHEAD_BEHIND_PROXY="true",
        ),
        8101,
        args.workers,
    )
    try:
        ts = form_timestamp(var)
        runs = iter(range(1, 256))

        def script(name):
            run = next(runs)
            path = work / f"post-{name}-{run}.lua"
            path.write_text(POST_LUA % (f"{name}{run}", urls["post_page"], ts, run))
            return str(path)

        # Load the models, waiting for the answer (the first post takes seconds).
        warm = urllib.request.Request(
            server.base + "/comments/post/",
            data=urllib.parse.urlencode(
                {
                    "page": urls["post_page"],
                    "ts": ts,
                    "name": "Warm",
                    "email": "warm@example.com",
                    "body": "Warming up the models.",
                }
            ).encode(),
            headers={"Accept": "application/json", "X-Forwarded-For": "10.0.0.1"},
        )
        urllib.request.urlopen(warm, timeout=120).read()
        wrk(server.base + "/", 2, 1, script("warm"))
        sequential, isso_sequential = [], []
        for _ in range(args.rounds):
            sequential.append(wrk(server.base + "/", args.duration, 1, script("seq")))
            if isso:
                path = work / f"isso-post-{len(isso_sequential)}.lua"
                path.write_text(ISSO_POST_LUA % f"isso{len(isso_sequential)}")
                isso_sequential.append(wrk(isso.base + "/", args.duration, 1, str(path)))
        parallel = wrk(server.base + "/", args.duration, args.connections, script("par"))
        isso_parallel = None
        if isso:
            path = work / "isso-post-parallel.lua"
            path.write_text(ISSO_POST_LUA % "isso-par")
            isso_parallel = wrk(isso.base + "/", args.duration, args.connections, str(path))
    finally:
        server.stop()
    best = lambda rounds: max(rounds, key=lambda r: r["rps"])  # noqa: E731
    return {
        "sequential": best(sequential),
        "parallel": parallel,
        "isso": best(isso_sequential) if isso_sequential else None,
        "isso_parallel": isso_parallel,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--workers", type=int, default=0, help="server processes (default: one per core it has)"
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--no-isso", action="store_true", help="do not run Isso beside masthead")
    parser.add_argument(
        "--rounds", type=int, default=2, help="runs of each measurement; the best is kept"
    )
    args = parser.parse_args()
    for tool in ("wrk", "nginx", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: apt install wrk nginx util-linux")
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="masthead-load-"))
    work.chmod(0o755)  # nginx's workers read the pages from here
    var = work / "var"
    print(f"Setting up articles with {sizes} comments in {var} ...", flush=True)
    urls = json.loads(
        subprocess.run(
            [PYTHON, "-c", SETUP, json.dumps(sizes)],
            cwd=ROOT,
            env=env_for(var),
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    results = []
    ceilings = {}
    html = work / "nginx" / "html"
    html.mkdir(parents=True)
    for n in sizes:  # nginx serves the cached pages, written as the cached server runs
        (html / f"n{n}.html").write_bytes(b"")
    proc = nginx(work / "nginx", 8102)
    try:
        for label, cache in (("cached", "true"), ("uncached", "false")):
            server = Server(env_for(var, MASTHEAD_PAGE_CACHE=cache), 8101, args.workers)
            try:
                for n in sizes:
                    url = server.base + urls[str(n)]
                    body = urllib.request.urlopen(url).read()
                    static = f"http://127.0.0.1:8102/n{n}.html"
                    if label == "cached":
                        (html / f"n{n}.html").write_bytes(body)
                    # Each figure is the best of its rounds, and nginx's rounds alternate
                    # with masthead's, so a busy spell on the machine hits both alike.
                    rounds = []
                    for _ in range(args.rounds):
                        rounds.append(wrk(url, args.duration, args.connections))
                        if label == "cached":
                            ceiling = wrk(static, args.duration, args.connections)
                            if ceiling["rps"] > ceilings.get(n, {"rps": 0})["rps"]:
                                ceilings[n] = ceiling
                    result = max(rounds, key=lambda r: r["rps"])
                    result.update(kind=label, n=n, kb=len(body) / 1024, rss=rss_kb(server.proc.pid))
                    results.append(result)
                    print(
                        f"  {label:8} N={n:<5} {result['rps']:9.0f} req/s"
                        f"  p50 {result['p50']:.2f} ms  p99 {result['p99']:.2f} ms"
                        f"  {result['kb']:.0f} KB",
                        flush=True,
                    )
            finally:
                server.stop()
    finally:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(timeout=20)

    isso = None if args.no_isso else Isso(work / "isso", 8103)
    try:
        isso_figures = isso_threads(isso, sizes, args) if isso else {}
        posts = measure_posts(work, var, urls, args, isso)
    finally:
        if isso:
            isso.stop()

    print(
        "\nArticle page, server on one core, wrk on the other "
        f"({args.connections} connections, {args.duration} s)"
    )
    print(
        f"{'':9} {'N':>5} {'KB':>5} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'RSS MB':>7}"
        f" {'nginx req/s':>11} {'x nginx':>7}"
    )
    for r in results:
        ceiling = ceilings[r["n"]]["rps"]
        print(
            f"{r['kind']:9} {r['n']:>5} {r['kb']:5.0f} {r['rps']:8.0f} {r['p50']:7.2f} "
            f"{r['p99']:7.2f} {r['rss'] / 1024:7.0f} {ceiling:11.0f} {r['rps'] / ceiling:7.2f}"
        )
    # How fast this machine is against the one the targets were measured on, from Isso's
    # thread JSON measured there and here: WordPress did not run here, so its rates are
    # also given scaled by that.
    speeds = sorted(isso_figures[n]["rps"] / ISSO_THREAD_RPS[n] for n in isso_figures)
    speed = speeds[len(speeds) // 2] if speeds else None
    print(
        "\nUncached pages (every request renders; one core, so server time per render is "
        "1/rate), against WordPress 6.1 measured on a 2-core machine like this one"
    )
    if speed:
        print(
            f"  (this machine ran Isso's thread JSON at {speed:.2f}x the rate measured there; "
            "the last column scales WordPress's rate by that)"
        )
    for r in results:
        if r["kind"] == "uncached" and r["n"] in WORDPRESS_RPS:
            wordpress = WORDPRESS_RPS[r["n"]]
            scaled = f"  {r['rps'] / (wordpress * speed):6.1f}x scaled" if speed else ""
            print(
                f"  N={r['n']:<5} {1000 / r['rps']:6.1f} ms a render  "
                f"{r['rps'] / wordpress:6.1f}x WordPress ({wordpress} req/s){scaled}"
            )
    if isso_figures:
        print("\nIsso 0.14's thread JSON (gunicorn, one worker, the same core), this run")
        for n, r in isso_figures.items():
            print(
                f"  N={n:<5} {r['kb']:5.0f} KB {r['rps']:8.0f} req/s  p50 {r['p50']:.2f} ms"
                f"  p99 {r['p99']:.2f} ms  RSS {r['rss'] / 1024:.0f} MB"
            )
    isso_posts = posts["isso"]["rps"] if posts["isso"] else ISSO_POSTS
    where = "this run" if posts["isso"] else "the targets' machine"
    print(
        "\nComment POST through the default pipeline (JSON), against Isso's "
        f"{isso_posts:.0f} posts/s ({where})"
    )
    rows = [
        ("sequential (1 connection)", posts["sequential"]),
        (f"{args.connections} connections", posts["parallel"]),
    ]
    if posts["isso"]:
        rows.append(("Isso, sequential", posts["isso"]))
        rows.append((f"Isso, {args.connections} connections", posts["isso_parallel"]))
    for label, r in rows:
        print(
            f"  {label:26} {r['rps']:7.0f} posts/s  p50 {r['p50']:.2f} ms  "
            f"p99 {r['p99']:.2f} ms  errors {r['errors']}  {r['rps'] / isso_posts:.2f}x Isso"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
