"""How WordPress import time and memory grow with the size of the export.

Generates a WXR file with N posts and 20 comments on each (a third of them replies, some
several levels deep, some replies written before their parents), imports it into a fresh
SQLite database with `masthead import-wordpress`'s code, and reports the time taken (also
per post) and the peak resident memory of the process. Each run starts with an empty
page cache (the default file cache, in the run's own folder), which each published
article and each thread adds to. Each size runs in its own process, so each
peak is its own. The CPU time is given beside the wall-clock time: on a shared machine
the wall-clock time also counts what other processes took.

    .venv/bin/python bench/import_scale.py                  # 10,000 posts, 200,000 comments
    .venv/bin/python bench/import_scale.py --scale 0.1 0.2   # 1,000 and 2,000 posts

Run by hand; not part of the test suite.
"""

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from importers.wxr import xmlns

ROOT = Path(__file__).resolve().parent.parent
FULL_POSTS = 10_000
COMMENTS_PER_POST = 20

HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
    + xmlns("\n ")
    + """>
<channel>
<title>Bench Gazette</title>
<link>https://bench.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example</wp:base_site_url>
<wp:base_blog_url>https://bench.example</wp:base_blog_url>
"""
)
AUTHORS = ["ada", "grace", "linus", "margaret"]
SECTIONS = ["world", "politics", "business", "science", "culture", "sport"]
WORDS = (
    "the council voted on tuesday to approve a budget that residents said would raise "
    "taxes for the first time in a decade while officials argued it protects services"
).split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate(path: Path, posts: int, seed: int = 1) -> int:
    """Write the export; return its number of comments."""
    rng = random.Random(seed)
    comment_id = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD)
        for login in AUTHORS:
            out.write(
                f"<wp:author><wp:author_login>{login}</wp:author_login>"
                f"<wp:author_display_name>{login.title()} Reporter</wp:author_display_name>"
                "</wp:author>\n"
            )
        for slug in SECTIONS:
            out.write(
                f"<wp:category><wp:category_nicename>{slug}</wp:category_nicename>"
                f"<wp:cat_name>{slug.title()}</wp:cat_name></wp:category>\n"
            )
        for post in range(1, posts + 1):
            day = f"20{10 + post % 14:02d}-{1 + post % 12:02d}-{1 + post % 28:02d}"
            paragraphs = "\n\n".join(sentence(rng, 30) for _ in range(6))
            heading, quote = sentence(rng, 5), sentence(rng, 12)
            body = f"{paragraphs}\n\n<h2>{heading}</h2>\n\n<blockquote>{quote}</blockquote>"
            out.write(
                "<item>\n"
                f"<title>{sentence(rng, 8)}</title>\n"
                f"<link>https://bench.example/{day.replace('-', '/')}/story-{post}/</link>\n"
                f"<dc:creator><![CDATA[{rng.choice(AUTHORS)}]]></dc:creator>\n"
                f"<content:encoded><![CDATA[{body}]]></content:encoded>\n"
                f"<excerpt:encoded><![CDATA[{sentence(rng, 15)}]]></excerpt:encoded>\n"
                f"<wp:post_id>{post}</wp:post_id>\n"
                f"<wp:post_date_gmt>{day} 08:00:00</wp:post_date_gmt>\n"
                "<wp:comment_status>open</wp:comment_status>\n"
                f"<wp:post_name>story-{post}</wp:post_name>\n"
                "<wp:status>publish</wp:status>\n<wp:post_type>post</wp:post_type>\n"
                f'<category domain="category" nicename="{SECTIONS[post % 6]}">'
                f"<![CDATA[{SECTIONS[post % 6].title()}]]></category>\n"
                f'<category domain="post_tag" nicename="tag-{post % 50}">'
                f"<![CDATA[Tag {post % 50}]]></category>\n"
            )
            ids = []
            entries = []
            for n in range(COMMENTS_PER_POST):
                comment_id += 1
                parent = rng.choice(ids) if ids and rng.random() < 0.35 else 0
                ids.append(comment_id)
                status = "1" if rng.random() < 0.9 else rng.choice(["0", "spam", "trash"])
                entries.append(
                    "<wp:comment>"
                    f"<wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author><![CDATA[Reader {comment_id % 997}]]></wp:comment_author>"
                    f"<wp:comment_author_email>reader{comment_id % 997}@example.net"
                    "</wp:comment_author_email>"
                    "<wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>"
                    f"<wp:comment_date_gmt>{day} {9 + n // 6:02d}:{n * 2:02d}:00"
                    "</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[{sentence(rng, 25)}\n\n{sentence(rng, 10)}]]>"
                    "</wp:comment_content>"
                    f"<wp:comment_approved>{status}</wp:comment_approved>"
                    "<wp:comment_type></wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>"
                    "</wp:comment>\n"
                )
            # Exports are not always in order: some replies come before their parents.
            if post % 3 == 0:
                entries.reverse()
            out.write("".join(entries))
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")
    return comment_id


def one(posts: int) -> dict:
    """Generate, migrate and import in this process; return the figures."""
    work = Path(tempfile.mkdtemp(prefix="masthead-bench-import-"))
    os.environ["MASTHEAD_VAR_DIR"] = str(work)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-0123456789abcdef0123456789")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    path = work / "export.xml"
    comments = generate(path, posts)
    size = path.stat().st_size
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    from comments.models import Comment
    from importers.wordpress import WordPressImport

    started, cpu_started = time.perf_counter(), time.process_time()
    summary = WordPressImport(path, progress=False, stream=open(os.devnull, "w")).run()
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert summary.created["posts"] == posts, summary.lines()
    assert Comment.objects.count() == comments
    started = time.perf_counter()
    again = WordPressImport(path, progress=False, stream=open(os.devnull, "w")).run()
    rerun = time.perf_counter() - started
    assert not again.created
    return {
        "posts": posts,
        "comments": comments,
        "file_mb": round(size / 2**20, 1),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "posts_per_second": round(posts / seconds, 1),
        "comments_per_second": round(comments / seconds),
        "peak_rss_mb_before_import": round(rss_before / 1024),
        "peak_rss_mb": round(rss / 1024),
        "rerun_seconds": round(rerun, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        nargs="+",
        default=[1.0],
        help="fractions of 10,000 posts (200,000 comments) to run, e.g. 0.1 0.2",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        try:
            print(json.dumps(one(args.one)))
        finally:
            shutil.rmtree(os.environ["MASTHEAD_VAR_DIR"], ignore_errors=True)
        return
    rows = []
    for scale in args.scale:
        posts = max(int(FULL_POSTS * scale), 1)
        result = subprocess.run(
            [sys.executable, __file__, "--one", str(posts)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            sys.exit(result.stderr)
        row = json.loads(result.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['posts']:>6} posts {row['comments']:>7} comments ({row['file_mb']} MB): "
            f"{row['seconds']:>7.1f} s, CPU {row['cpu_seconds']} s "
            f"({1000 * row['seconds'] / row['posts']:.1f} ms a post, "
            f"CPU {1000 * row['cpu_seconds'] / row['posts']:.1f} ms; "
            f"{row['comments_per_second']} comments/s), "
            f"peak RSS {row['peak_rss_mb']} MB "
            f"(before import {row['peak_rss_mb_before_import']} MB), "
            f"second run {row['rerun_seconds']} s",
            flush=True,
        )
    if len(rows) > 1:
        base = rows[0]
        for row in rows[1:]:
            factor = row["posts"] / base["posts"]
            print(
                f"x{factor:g} the posts: x{row['seconds'] / base['seconds']:.2f} the time "
                f"(x{row['cpu_seconds'] / base['cpu_seconds']:.2f} the CPU time), "
                f"+{row['peak_rss_mb'] - base['peak_rss_mb']} MB peak memory"
            )


if __name__ == "__main__":
    main()
