"""Moderation figures: the learned spam filter, the toxicity check and the pipeline's cost.

Run by hand: .venv/bin/python bench/moderation.py [--data ../shared/acceptance-data]

1. Spam: for each of the five YouTube Spam Collection files, train the filter on the other
   four and report precision and recall on it (at the spam threshold in settings).
2. Toxicity: precision and recall of the toxicity check on the Jigsaw sample ("toxic").
3. Pipeline cost: median and p99 time that every default check together adds to a comment
   post, measured against submit_comment with no checks, in a throwaway SQLite database.
"""

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MASTHEAD_VAR_DIR", tempfile.mkdtemp(prefix="masthead-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
os.environ.setdefault("MASTHEAD_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402


def precision_recall(predicted, actual):
    predicted, actual = np.asarray(predicted, bool), np.asarray(actual, bool)
    tp = (predicted & actual).sum()
    return tp / max(predicted.sum(), 1), tp / max(actual.sum(), 1), predicted[~actual].mean()


def spam(data_dir: Path):
    from comments.moderation import spamfilter

    files = sorted((data_dir / "spam" / "youtube-spam-collection").glob("*.csv"))
    folds = []
    for path in files:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        folds.append(([r["CONTENT"] for r in rows], [int(r["CLASS"]) for r in rows]))
    threshold = settings.MASTHEAD_COMMENTS_SPAM_THRESHOLD
    print(f"Learned spam filter, spam at p >= {threshold} (train on 4 files, test on the 5th)")
    print(f"{'held-out file':32} {'precision':>9} {'recall':>7} {'ham flagged':>11}")
    totals = []
    for i, path in enumerate(files):
        texts = [t for j, f in enumerate(folds) if j != i for t in f[0]]
        labels = [y for j, f in enumerate(folds) if j != i for y in f[1]]
        model = spamfilter.train(texts, labels)
        scores = model.predict_proba(spamfilter.features(folds[i][0]))[:, 1]
        p, r, fp = precision_recall(scores >= threshold, folds[i][1])
        totals.append((p, r, fp))
        print(f"{path.name:32} {p:9.3f} {r:7.3f} {fp:11.3f}")
    mean = np.mean(totals, axis=0)
    print(f"{'mean':32} {mean[0]:9.3f} {mean[1]:7.3f} {mean[2]:11.3f}\n")


def toxicity(data_dir: Path):
    from comments.moderation import toxicity as tox

    path = data_dir / "toxicity" / "jigsaw-sample-ibm-max-test_examples.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    scores = np.array([tox.score(r["comment_text"]) for r in rows])
    actual = [r["toxic"] == "1" for r in rows]
    print(f"Toxicity on the Jigsaw sample ({len(rows)} comments, {sum(actual)} toxic)")
    print(f"{'threshold':>9} {'precision':>9} {'recall':>7} {'civil held':>10}")
    for threshold in (0.5, 0.7, 0.8, 0.9, 0.95):
        p, r, fp = precision_recall(scores >= threshold, actual)
        marker = (
            "  <- default" if threshold == settings.MASTHEAD_COMMENTS_TOXICITY_THRESHOLD else ""
        )
        print(f"{threshold:9.2f} {p:9.3f} {r:7.3f} {fp:10.3f}{marker}")
    print()


def pipeline_cost(posts: int):
    from django.core.management import call_command

    from comments import services
    from comments.moderation import DEFAULT_CHECKS
    from news.tests import factories

    call_command("migrate", verbosity=0)
    article = factories.article("Benchmark article")
    settings.MASTHEAD_COMMENTS_RATE_LIMITS = f"{posts * 10}/60"
    bodies = [
        f"Comment {i}: the council should publish the full traffic study before the vote."
        for i in range(posts * 2 + 10)
    ]

    def run(checks, offset, count=posts):
        settings.MASTHEAD_COMMENT_CHECKS = checks
        times = []
        for i in range(count):
            start = time.perf_counter()
            services.submit_comment(
                page=article,
                body=bodies[offset + i],
                name=f"Reader {offset + i}",
                email=f"reader{offset + i}@example.com",
                ip_address="198.51.100.1",
            )
            times.append(time.perf_counter() - start)
        return times

    run(list(DEFAULT_CHECKS), posts * 2, count=5)  # load the models, train the seed filter
    bare = run([], 0)
    full = run(list(DEFAULT_CHECKS), posts)
    q = lambda xs, p: float(np.percentile(xs, p)) * 1000  # noqa: E731
    print(f"Pipeline cost over {posts} posts (submit_comment, SQLite)")
    print(f"{'':24} {'median ms':>10} {'p99 ms':>8}")
    print(f"{'no checks':24} {q(bare, 50):10.2f} {q(bare, 99):8.2f}")
    print(f"{'all default checks':24} {q(full, 50):10.2f} {q(full, 99):8.2f}")
    print(
        f"{'added by the pipeline':24} {q(full, 50) - q(bare, 50):10.2f} "
        f"{q(full, 99) - q(bare, 99):8.2f}"
    )
    print(f"ratio (median) {statistics.median(full) / statistics.median(bare):.2f}x")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "acceptance-data")
    parser.add_argument("--posts", type=int, default=200)
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"No acceptance data at {args.data}; pass --data.")
    spam(args.data)
    toxicity(args.data)
    pipeline_cost(args.posts)


if __name__ == "__main__":
    main()
