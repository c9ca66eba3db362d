"""One newsletter issue to a long list: the time, the rate, the memory, and a kill -9.

Run by hand: .venv/bin/python bench/newsletter.py [--subscribers 50000 --small 5000]

On a throwaway SQLite database in a temporary folder:
1. a list of --small subscribers gets an issue: the time to queue it (one transaction)
   and to send it to an SMTP sink on loopback (aiosmtpd), and the sender's peak memory;
2. a list of --subscribers gets an issue the same way, but the sending process
   (`mailing.sending.send_due`, as `masthead worker` runs it) is killed with SIGKILL once
   the sink has a third of the mails, then started again to finish. Reported: duplicates
   at the sink (must be 0), subscribers who got nothing (at most the one mail in flight at
   the kill, which the outbox marks "interrupted" rather than risk sending twice), the
   rate, and the peak memory of each sending process: it must not grow with the list.
Times are wall-clock on a shared machine; the memory ratio is the figure that matters.
"""

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEND = """
import resource, time, django
django.setup()
from mailing.models import Delivery
from mailing.sending import send_due
started = time.perf_counter()
total = 0
# As the worker's rounds do: what a killed sender had leased goes once its lease is out.
while Delivery.objects.filter(status="queued").exists():
    result = send_due(batch_size=500)
    total += result.sent
    if not result.sent:
        time.sleep(0.5)
# The worker's next round, once a lease is over: a mail left "sending" by the killed
# sender is marked interrupted (it is not sent again).
if Delivery.objects.filter(status="sending").exists():
    time.sleep(5.5)
    send_due()
print("SENT", total, time.perf_counter() - started,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


class Sink:
    """An SMTP server on loopback counting the mails each recipient gets."""

    def __init__(self):
        import logging
        import socket

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.CRITICAL)
        self.received = collections.Counter()
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink.lock:
                    for rcpt in envelope.rcpt_tos:
                        sink.received[rcpt] += 1
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())


def environment(folder: Path, port: int) -> dict:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "masthead.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MASTHEAD_VAR_DIR": str(folder / "var"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "MASTHEAD_PAGE_CACHE": "false",
        "ALLOWED_HOSTS": "testserver",
        # A killed sender's leased batch goes back to the queue after this long.
        "MASTHEAD_MAIL_LEASE_SECONDS": "5",
    }


SETUP = """
import sys, time, django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0)
from mailing.models import Address
from news.models import ArticlePage
from newsletters import services
from newsletters.models import IssueItem, Newsletter, Subscription

count = int(sys.argv[1])
newsletter = Newsletter.objects.create(name="The Morning Briefing", slug="morning")
now = timezone.now()
for start in range(0, count, 5000):
    addresses = Address.objects.bulk_create(
        Address(email=f"reader{n}@example.org", confirmed_at=now, confirmed_by="import")
        for n in range(start, min(start + 5000, count))
    )
    Subscription.objects.bulk_create(
        Subscription(newsletter=newsletter, address=a, status="active", activated_at=now)
        for a in addresses
    )
issue = services.build_issue(newsletter)
for order, article in enumerate(ArticlePage.objects.live().order_by("-first_published_at")[:6]):
    IssueItem.objects.create(issue=issue, article=article, sort_order=order)
started = time.perf_counter()
queued = services.send(issue)
print("QUEUED", queued, time.perf_counter() - started, flush=True)
"""


def run_list(size: int, *, kill_at: float | None) -> dict:
    sink = Sink()
    folder = Path(tempfile.mkdtemp(prefix="masthead-newsletter-"))
    env = environment(folder, sink.port)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, str(size)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    queued_line = next(line for line in setup.stdout.splitlines() if line.startswith("QUEUED"))
    _, queued, queue_seconds = queued_line.split()
    result = {"subscribers": size, "queued": int(queued), "queue_seconds": float(queue_seconds)}
    runs = []
    started = time.perf_counter()
    if kill_at is not None:
        sender = subprocess.Popen(
            [sys.executable, "-c", SEND], env=env, stdout=subprocess.PIPE, text=True
        )
        while sink.total < size * kill_at and sender.poll() is None:
            time.sleep(0.05)
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait()
        result["killed_after"] = sink.total
    finish = subprocess.run(
        [sys.executable, "-c", SEND], env=env, capture_output=True, text=True, check=True
    )
    for line in finish.stdout.splitlines():
        if line.startswith("SENT"):
            _, sent, seconds, maxrss = line.split()
            runs.append({"sent": int(sent), "seconds": float(seconds), "peak_kb": int(maxrss)})
    elapsed = time.perf_counter() - started
    time.sleep(0.5)
    sink.controller.stop()
    expected = {f"reader{n}@example.org" for n in range(size)}
    result.update(
        send_seconds=round(elapsed, 1),
        mails_per_second=round(sink.total / elapsed, 1),
        received=sink.total,
        duplicates=sum(1 for n in sink.received.values() if n > 1),
        missed=len(expected - set(sink.received)),
        resumed_run=runs[-1] if runs else None,
    )
    result.update(interrupted=_interrupted(env))
    return result


def _interrupted(env) -> int:
    code = (
        "import django; django.setup()\n"
        "from mailing.models import Delivery\n"
        "print(Delivery.objects.filter(last_error__startswith='interrupted').count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    small = run_list(args.small, kill_at=None)
    print(json.dumps(small, indent=2), flush=True)
    large = run_list(args.subscribers, kill_at=1 / 3)
    print(json.dumps(large, indent=2), flush=True)
    ratio = large["resumed_run"]["peak_kb"] / small["resumed_run"]["peak_kb"]
    print(
        f"\n{args.small:,} subscribers: queued in {small['queue_seconds']:.1f} s, sent in "
        f"{small['send_seconds']} s ({small['mails_per_second']} mails/s), sender peak "
        f"{small['resumed_run']['peak_kb'] / 1024:.0f} MB\n"
        f"{args.subscribers:,} subscribers: queued in {large['queue_seconds']:.1f} s, sent in "
        f"{large['send_seconds']} s ({large['mails_per_second']} mails/s), killed -9 after "
        f"{large['killed_after']:,} mails and resumed: {large['duplicates']} duplicates, "
        f"{large['missed']} missed ({large['interrupted']} marked interrupted), resumed "
        f"sender peak {large['resumed_run']['peak_kb'] / 1024:.0f} MB "
        f"({ratio:.2f}x the small list's)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"small": small, "large": large}, indent=2))


if __name__ == "__main__":
    main()
