"""Likes and live updates under load, beside bench/load.py (same server, same pinning):

- likes per second against comment posts per second (target: likes at least 3x posts),
  both from --connections at once, each from another reader and address range;
- the page-cache hit rate of the article page while a like storm runs on its comments
  (target: at least 99 %);
- live-state polls one process answers per second (a reader holding the current state
  gets a 304), and so how many open readers it sustains at MASTHEAD_COMMENTS_LIVE_POLL;
- the delay from a comment's approval to its appearing in the live state readers poll.

Run by hand (needs Debian's wrk: apt install wrk):

    .venv/bin/python bench/thread_live.py [--duration 10] [--connections 16]

The server (`masthead serve`) is pinned to CPU 0 and wrk to CPU 1, on 127.0.0.1, with a
throwaway SQLite database and file cache. This process opens the same database and cache
to approve comments, as a moderator's request would.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import POST_LUA, ROOT, Server, env_for, form_timestamp, wrk  # noqa: E402

sys.path.insert(0, str(ROOT))

SETUP = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from comments.services import submit_comment
    from news.tests import factories
    settings.MASTHEAD_COMMENT_CHECKS = []
    article = factories.article("Breaking: the storm")
    ids = [
        submit_comment(
            page=article, name=f"Reader {i}", email=f"reader{i}@example.com",
            body=f"Comment {i}: " + "a thoughtful sentence about the story. " * 4,
        ).pk
        for i in range(200)
    ]
    target = factories.article("Posting target")
    print(json.dumps({"url": article.url, "page": article.pk, "ids": ids, "post_page": target.pk}))
    """
)

# Each like from a new browser (no cookie) in another /24, on one of the storm's comments.
LIKE_LUA = textwrap.dedent(
    """
    local ids = {%s}
    counter = 0
    request = function()
      counter = counter + 1
      local id = ids[(counter %% #ids) + 1]
      local address = string.format("%d.%%d.%%d.1", math.floor(counter / 256) %% 256,
        counter %% 256)
      return wrk.format("POST", "/comments/" .. id .. "/like/", {
        ["Accept"] = "application/json",
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Forwarded-For"] = address,
      }, "value=1")
    end
    """
)

# Counts the page cache's answers (X-Cache) of the requests wrk sends.
COUNT_LUA = textwrap.dedent(
    """
    local threads = {}
    function setup(thread) table.insert(threads, thread) end
    function init(args) hits = 0; others = 0 end
    function response(status, headers, body)
      local cached = headers["X-Cache"] or headers["x-cache"]
      if status == 200 and cached == "HIT" then hits = hits + 1 else others = others + 1 end
    end
    function done(summary, latency, requests)
      for _, t in ipairs(threads) do
        io.write(string.format("COUNTED %%d %%d\\n", t:get("hits"), t:get("others")))
      end
    end
    """
)

POLL_LUA = textwrap.dedent(
    """
    wrk.headers["Accept"] = "application/json"
    wrk.headers["If-None-Match"] = '%s'
    """
)


def run_wrk_counting(url: str, duration: int, connections: int, script: Path) -> tuple[int, int]:
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{duration}s"]
    out = subprocess.run(
        [*cmd, "-s", str(script), url], capture_output=True, text=True, check=True
    ).stdout
    hits = others = 0
    for line in out.splitlines():
        if line.startswith("COUNTED"):
            _, h, o = line.split()
            hits, others = hits + int(h), others + int(o)
    return hits, others


def approval_delays(server_base: str, var: Path, page: dict, count: int) -> list[float]:
    """Hold a comment, approve it here (as a moderator's request does), and time how long
    until the live state the article's readers poll lists it, polling every 10 ms."""
    os.environ.update(env_for(var))
    import django

    django.setup()
    from wagtail.models import Page

    from comments import services
    from comments.tests import factories

    article = Page.objects.get(pk=page["page"]).specific
    url = f"{server_base}/comments/live/{page['page']}/?since={int(time.time() * 1000)}"
    delays = []
    for n in range(count):
        held = factories.comment(article, status="pending", name=f"Held {n}")
        urllib.request.urlopen(url, timeout=10).read()  # the state as readers hold it
        approved = time.monotonic()
        services.moderate_comments(comment_ids=[held.pk], action="approve")
        while True:
            state = json.loads(urllib.request.urlopen(url, timeout=10).read())
            if any(pk == held.pk for pk, _ in state["new"]):
                delays.append(time.monotonic() - approved)
                break
            time.sleep(0.01)
    return delays


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--approvals", type=int, default=10)
    parser.add_argument(
        "--poll", type=float, default=15, help="seconds between a reader's polls (the default)"
    )
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: apt install wrk util-linux")
    work = Path(tempfile.mkdtemp(prefix="masthead-thread-live-"))
    var = work / "var"
    print(f"Setting up an article with 200 comments in {var} ...", flush=True)
    page = json.loads(
        subprocess.run(
            [sys.executable, "-c", SETUP],
            cwd=ROOT,
            env=env_for(var),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[-1]
    )
    env = env_for(
        var,
        MASTHEAD_COMMENTS_MODERATION="none",
        MASTHEAD_COMMENTS_MIN_SECONDS=0,
        MASTHEAD_BEHIND_PROXY="true",
        MASTHEAD_COMMENTS_LIVE_POLL=int(args.poll),
    )
    server = Server(env, 8111, args.workers)
    ids = ",".join(map(str, page["ids"]))
    runs = iter(range(1, 1000))

    def script(template: str, *values) -> Path:
        path = work / f"script-{next(runs)}.lua"
        path.write_text(template % values)
        return path

    try:
        ts = form_timestamp(var)
        posts, likes = [], []
        for r in range(args.rounds):
            posts.append(
                wrk(
                    server.base + "/",
                    args.duration,
                    args.connections,
                    str(script(POST_LUA, f"p{r}", page["post_page"], ts, 20 + r)),
                )
            )
            likes.append(
                wrk(
                    server.base + "/",
                    args.duration,
                    args.connections,
                    str(script(LIKE_LUA, ids, 30 + r)),
                )
            )
        post = max(posts, key=lambda x: x["rps"])
        like = max(likes, key=lambda x: x["rps"])
        print(f"  posts {post}\n  likes {like}", flush=True)

        # A like storm on the article's comments while readers load the article.
        article = server.base + page["url"]
        urllib.request.urlopen(article).read()  # the render that fills the cache
        storm = subprocess.Popen(
            [
                "taskset",
                "-c",
                "1",
                "wrk",
                "-t1",
                f"-c{args.connections // 2}",
                f"-d{args.duration}s",
                "-s",
                str(script(LIKE_LUA, ids, 40)),
                server.base + "/",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        hits, others = run_wrk_counting(
            article, args.duration, args.connections // 2, script(COUNT_LUA)
        )
        storm_out = storm.communicate()[0]
        stormed = float(storm_out.split("Requests/sec:")[1].split()[0])
        print(f"  storm {stormed:.0f} likes/s, page hits {hits}, others {others}", flush=True)

        # Readers polling the live state: holding the current one (304), and without it.
        state_url = f"{server.base}/comments/live/{page['page']}/?since={int(time.time() * 1000)}"
        with urllib.request.urlopen(state_url) as response:
            etag = response.headers["ETag"]
        polls_304 = wrk(state_url, args.duration, args.connections, str(script(POLL_LUA, etag)))
        polls_200 = wrk(state_url, args.duration, args.connections)
        print(f"  polls 304 {polls_304}\n  polls 200 {polls_200}", flush=True)

        delays = approval_delays(server.base, var, page, args.approvals)
    finally:
        server.stop()

    print(
        f"\nServer: masthead serve, {args.workers} process(es) on CPU 0; wrk on CPU 1; "
        f"{args.connections} connections, {args.duration} s, best of {args.rounds}."
    )
    print(
        f"  comment posts      {post['rps']:8.0f} /s  p50 {post['p50']:.1f} ms"
        f"  p99 {post['p99']:.1f} ms  non-2xx {post['errors']}"
    )
    print(
        f"  likes              {like['rps']:8.0f} /s  p50 {like['p50']:.1f} ms"
        f"  p99 {like['p99']:.1f} ms  non-2xx {like['errors']}"
        f"  = {like['rps'] / post['rps']:.1f}x posts (target >= 3x)"
    )
    total = hits + others
    print(
        f"  like storm         {stormed:8.0f} likes/s while the article was read "
        f"{total / args.duration:.0f} times/s: page-cache hits {hits}/{total}"
        f" = {100 * hits / max(total, 1):.2f} % (target >= 99 %)"
    )
    print(
        f"  live-state polls   {polls_304['rps']:8.0f} /s answered 304 (p99 "
        f"{polls_304['p99']:.1f} ms), {polls_200['rps']:.0f} /s answered 200: one process "
        f"sustains {polls_304['rps'] * args.poll:,.0f} open readers polling every "
        f"{args.poll:g} s (no thread or connection held between polls)"
    )
    print(
        f"  approval->state    mean {1000 * statistics.mean(delays):.0f} ms, max "
        f"{1000 * max(delays):.0f} ms over {len(delays)} approvals: a reader polling every "
        f"{args.poll:g} s sees the comment {args.poll / 2:g} s after its approval on average, "
        f"{args.poll:g} s at most (plus that)"
    )


if __name__ == "__main__":
    main()
