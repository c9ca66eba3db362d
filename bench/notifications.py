"""What reader notifications cost, for an article with 10,000 followers.

Run by hand: .venv/bin/python bench/notifications.py [--followers 10000 --posts 200
  --readers 10000 --articles 200]

Measures, on a throwaway SQLite database in a temporary folder with the database task
backend (as `masthead worker` runs it):
1. comment POST p50 and p99 on an article without followers and on one with them: the
   fan-out is a task, so the two should match within noise;
2. the worker's fan-out of one comment to every follower (queuing the deliveries) and its
   delivery rate to an SMTP sink on loopback (aiosmtpd), in mails per second;
3. a daily digest for --readers readers following 1 to 20 of --articles articles each:
   the time to queue it and to send it.
Times are wall-clock on a shared machine; compare the two POST columns with each other.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MASTHEAD_VAR_DIR", tempfile.mkdtemp(prefix="masthead-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
os.environ.setdefault("MASTHEAD_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("MASTHEAD_PAGE_CACHE", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402


def sink():
    """An SMTP server on loopback that counts what it is given."""
    import logging
    import socket

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(len(envelope.content))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    return controller, received


def followers(page, count: int, *, mode="each", prefix="f") -> list:
    from mailing.models import Address
    from notifications.models import Subscription

    now = timezone.now()
    addresses = Address.objects.bulk_create(
        [
            Address(email=f"{prefix}{i}@example.org", confirmed_at=now, confirmed_by="link")
            for i in range(count)
        ],
        batch_size=2000,
    )
    if page is not None:
        Subscription.objects.bulk_create(
            [Subscription(address=a, kind="page", page_id=page.pk, mode=mode) for a in addresses],
            batch_size=2000,
        )
    return addresses


def post_times(client, article, posts: int) -> list[float]:
    times = []
    for i in range(posts):
        data = {
            "page": article.pk,
            "body": f"Comment {i} on {article.title}, with a few words to it.",
            "name": f"Poster {i}",
            "email": f"poster{i % 50}@example.net",
        }
        start = time.perf_counter()
        response = client.post("/comments/post/", data, REMOTE_ADDR=f"198.51.100.{i % 250}")
        times.append(time.perf_counter() - start)
        assert response.status_code == 303, response.status_code
    return times


def pct(values, q) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run_tasks() -> None:
    from masthead.scheduler import run_pending_tasks

    run_pending_tasks()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    from django_tasks_db.models import DBTaskResult

    from comments.models import Comment
    from mailing.models import Delivery
    from mailing.sending import send_due
    from news.tests import factories
    from notifications import services

    settings.MASTHEAD_COMMENT_CHECKS = []  # the notification's cost, not the pipeline's
    settings.MASTHEAD_MAIL_BATCH_SIZE = 500
    quiet = factories.article("Quiet article")
    busy = factories.article("Busy article")
    start = time.perf_counter()
    followers(busy, args.followers)
    print(f"setup: {args.followers} confirmed followers in {time.perf_counter() - start:.1f} s")

    client = Client()
    post_times(client, quiet, 20)  # warm up
    # Interleaved in rounds of ten, so that the machine's load drifts over both alike.
    without, with_followers = [], []
    for _ in range(max(args.posts // 10, 1)):
        without += post_times(client, quiet, 10)
        with_followers += post_times(client, busy, 10)
    print(f"\ncomment POST, {args.posts} each (ms)     p50     p99")
    print(f"  no followers                     {pct(without, 0.5):6.2f}  {pct(without, 0.99):6.2f}")
    print(
        f"  {args.followers} followers               "
        f"{pct(with_followers, 0.5):6.2f}  {pct(with_followers, 0.99):6.2f}"
    )
    print(f"  tasks queued by the posts: {DBTaskResult.objects.count()} (fan-out not run yet)")
    DBTaskResult.objects.all().delete()

    # The worker: one comment's fan-out, then sending it.
    controller, received = sink()
    try:
        comment = Comment.objects.filter(page_id=busy.pk).order_by("pk").first()
        Delivery.objects.all().delete()
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        start, cpu = time.perf_counter(), time.process_time()
        queued = services.comment_became_public(comment_id=comment.pk)
        fan_out, fan_out_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        result = send_due()
        sending, sending_cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"\nworker, one comment to {args.followers} followers")
        print(
            f"  fan-out (queue {queued} deliveries): {fan_out:.1f} s "
            f"({fan_out_cpu / max(queued, 1) * 1000:.2f} ms CPU each)"
        )
        print(
            f"  sending: {result.sent} mails in {sending:.1f} s = {result.sent / sending:.0f} "
            f"mails/s over {-(-result.sent // settings.MASTHEAD_MAIL_BATCH_SIZE)} connections; "
            f"sink got {len(received)}, mean {statistics.mean(received) / 1024:.1f} KiB; "
            f"{sending_cpu / max(result.sent, 1) * 1000:.2f} ms CPU a mail (sink included)"
        )
        assert result.sent == queued == len(received)

        # The daily digest.
        rng = random.Random(14)
        articles = [factories.article(f"Digest article {i}") for i in range(args.articles)]
        readers = followers(None, args.readers, mode="digest", prefix="d")
        from notifications.models import Subscription

        Subscription.objects.bulk_create(
            [
                Subscription(address=reader, kind="page", page_id=page.pk, mode="digest")
                for reader in readers
                for page in rng.sample(articles, rng.randint(1, 20))
            ],
            batch_size=5000,
        )
        day = timezone.localdate() + dt.timedelta(days=1)
        window_start, _end = services.digest_window(day)
        for page in articles:
            for i in range(3):
                c = Comment.objects.create(
                    page_id=page.pk,
                    path=f"{page.pk:013d}{i:010d}",
                    status="approved",
                    name=f"Writer {i}",
                    email=f"w{i}@example.net",
                    body=f"A comment on {page.title}, number {i}.",
                    body_html="",
                    created_at=window_start + dt.timedelta(hours=2, minutes=i),
                )
                assert c.pk
        received.clear()
        start, cpu = time.perf_counter(), time.process_time()
        at = timezone.make_aware(
            dt.datetime.combine(day, dt.time(settings.MASTHEAD_NOTIFICATIONS_DIGEST_HOUR))
        )
        digests = services.send_digest_if_due(at)
        queue_time, queue_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        result = send_due()
        send_time, send_cpu = time.perf_counter() - start, time.process_time() - cpu
        follows = Subscription.objects.filter(mode="digest").count()
        print(
            f"\ndaily digest: {args.readers} readers, {follows} follows of {args.articles} "
            f"articles (1-20 each), 3 new comments per article"
        )
        print(
            f"  queued {digests} digests in {queue_time:.1f} s "
            f"({queue_cpu / max(digests, 1) * 1000:.2f} ms CPU each)"
        )
        print(
            f"  sent {result.sent} in {send_time:.1f} s = {result.sent / send_time:.0f} mails/s; "
            f"mean {statistics.mean(received) / 1024:.1f} KiB; "
            f"{send_cpu / max(result.sent, 1) * 1000:.2f} ms CPU a mail"
        )
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
