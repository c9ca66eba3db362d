"""What a thread costs to render: article page time and queries with 0, 50, 500 comments.

Run by hand: .venv/bin/python bench/thread_render.py [--repeat 30]
  [--sizes 0,5000 --per-page 50 --sorts oldest,newest,best]  (a long thread as readers get
  it: paged, its long branches folded, in each order)
Creates a throwaway SQLite database in a temporary folder. Times are server-side (Django
test client, no network); the ratio against the 0-comment page is the figure to compare,
since the machine is shared and noisy.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MASTHEAD_VAR_DIR", tempfile.mkdtemp(prefix="masthead-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
os.environ.setdefault("MASTHEAD_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("MASTHEAD_PAGE_CACHE", "false")  # every request renders: a cache miss

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def build(sizes, per_page):
    from django.conf import settings

    from comments.services import submit_comment
    from news.tests import factories

    settings.MASTHEAD_COMMENT_CHECKS = []  # the thread's cost, not the pipeline's
    settings.MASTHEAD_COMMENTS_PER_PAGE = per_page
    pages = {}
    for n in sizes:
        article = factories.article(f"Article with {n} comments")
        made = []
        for i in range(n):
            parent = made[i // 3] if i % 3 == 2 and made else None
            made.append(
                submit_comment(
                    page=article,
                    name=f"Reader {i}",
                    email=f"reader{i}@example.com",
                    body=f"Comment number {i}. Some *emphasis* and a link https://example.com/{i}",
                    parent=parent,
                )
            )
        pages[n] = article.url
    return pages


def measure(url, repeat):
    client = Client()
    client.get(url)  # warm up template and rendition caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(times), len(queries), len(response.content)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sizes", default="0,50,500")
    parser.add_argument(
        "--per-page", type=int, default=10_000, help="top-level comments a page (default: all)"
    )
    parser.add_argument("--sorts", default="oldest", help="orders to read the thread in")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    sizes = [int(s) for s in args.sizes.split(",")]
    pages = build(sizes, args.per_page)
    base = None
    print(f"{'comments':>8} {'order':>7} {'median ms':>10} {'x of 0':>7} {'queries':>8} {'KB':>7}")
    for n in sizes:
        for sort in args.sorts.split(","):
            query = "" if sort == "oldest" else f"?sort={sort}"
            median, queries, size = measure(pages[n] + query, args.repeat)
            base = base or median
            print(
                f"{n:>8} {sort:>7} {median * 1000:>10.1f} {median / base:>7.2f} {queries:>8}"
                f" {size / 1024:>7.0f}"
            )


if __name__ == "__main__":
    main()
