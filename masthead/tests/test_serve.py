"""`masthead serve`, the production server, answering readers over a real socket."""

import gzip
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, data=None, headers=None, opener=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_the_production_server_serves_cached_pages_and_shows_a_new_comment_at_once(
    tmp_path, console_site
):
    console_site.env.update(MASTHEAD_COMMENTS_MODERATION="none", MASTHEAD_COMMENTS_MIN_SECONDS="0")

    def masthead(*args):
        done = console_site.run(*args, timeout=180)
        assert done.returncode == 0, done.stderr
        return done

    masthead("migrate", "--verbosity", "0")
    masthead("collectstatic", "--no-input", "--verbosity", "0")
    story = tmp_path / "bridge.md"
    story.write_text(
        "---\nsection: City\n---\nBridge reopens after repairs\n\nTraffic flows again.\n",
        encoding="utf-8",
    )
    masthead("ingest", str(story))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("w")
    server = console_site.start("serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", log=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                status, _, home = fetch(base + "/")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert status == 200
        url = base + re.search(r'href="(/city/bridge-reopens-after-repairs/)"', home).group(1)

        # Two worker processes: the first views fill the shared cache, then both answer
        # from it without rendering again.
        seen = [fetch(url)[1]["X-Cache"] for _ in range(6)]
        assert seen[0] == "MISS" and seen[-3:] == ["HIT"] * 3
        status, headers, page = fetch(url)
        assert (status, headers["Server"]) == (200, "granian")
        assert "Be the first to comment" in page
        form = dict(re.findall(r'name="(page|ts)" value="([^"]+)"', page))
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(response.read()).decode() == page

        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        status, headers, page = fetch(
            base + "/comments/post/",
            data=urllib.parse.urlencode(
                {**form, "name": "Ada", "email": "ada@example.com", "body": "Finally open."}
            ).encode(),
            headers={"Origin": base},
            opener=browser,
        )
        # The browser followed the 303 to the article: the comment is there, whichever
        # process answered, and so on every reload.
        assert status == 200 and "Finally open." in page
        for _ in range(4):
            assert "Finally open." in fetch(url, opener=browser)[2]
        time.sleep(0.3)  # other readers: within MASTHEAD_PAGE_CACHE_RECHECK (0.1 s)
        for _ in range(4):
            status, headers, page = fetch(url)
            assert "Finally open." in page and "1 Comment" in page
            assert "ada@example.com" not in page
        assert headers["X-Cache"] == "HIT"
        static = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
        status, headers, _ = fetch(base + static, headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_the_server_application_loads_the_toxicity_model_and_freezes_the_heap_at_start(
    console_site,
):
    # The first comment after a start is then as quick as any other, and the collector's
    # full passes skip the framework and the models (a stall of 100 ms and more otherwise).
    script = (
        "import gc, masthead.wsgi\n"
        "from comments.moderation import toxicity\n"
        "print(toxicity._model.cache_info().currsize, gc.get_freeze_count() > 100_000)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=console_site.env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "True"]

    # With the check turned off, the model is not loaded at all.
    off = {**console_site.env, "MASTHEAD_COMMENTS_TOXICITY_THRESHOLD": "0"}
    done = subprocess.run([sys.executable, "-c", script], env=off, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True"]
