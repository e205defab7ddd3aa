"""10,000 due outbox messages delivered by 2 Celery workers (issue 7): target at most 60 s, none twice.

Seeds its own database (`sidebar_bench_outbox_delivery`, so the million-row outbox of bench_outbox_sweep.py
is neither swept nor counted): people in several time zones, a few thousand sessions and 10,000 outbox rows
due now, the mix of a busy moment: feedback prompts after sessions that just ended, confirmations (with an
ICS) of sessions just booked, reminders 24 hours and 1 hour ahead. Then starts 2 real worker processes
(`celery -A config worker`, the deployment's --concurrency=2 unless told otherwise) and one beat on
REDIS_URL, e-mail going to Django's file backend in a temporary folder. The clock starts when the workers
are ready and the product's sweep task is queued, as beat or a booking queues it; it stops when every row is
`sent`. Beat keeps ticking every OUTBOX_SWEEP_EVERY_SECONDS meanwhile, as in production.

Every delivered e-mail is then read back from the files (several per file, each followed by a line of 79
dashes) and identified by the X-Sidebar-Outbox-Id header the product sets; its To must be the row's
recipient. Exits non-zero when a message was lost, delivered twice, failed or not sent in time; being over
the 60 s target is reported, not an error. Removes what it created, and stops its workers, even on failure.

One file on purpose (over 400 lines): seeding, running real workers and reading every e-mail back are one
measurement, read top to bottom.

Run: ``python bench/bench_outbox_delivery.py [--messages 10000] [--workers 2] [--concurrency 2]`` with
DATABASE_URL and REDIS_URL set (make bench).
"""

import argparse
import email
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository root: bench.*, the apps

from bench.benchdb import setup_django  # noqa: E402
from bench.liveserver import REDIS_URL, load_average, postmaster_pid, tree_cpu_seconds  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
DATABASE = "sidebar_bench_outbox_delivery"
PREFIX = "bench-delivery"
TARGET_SECONDS = 60
# A Redis database number of our own on REDIS_URL's server: the booking benchmarks leave sweep tasks queued
# there (their bookings queue them and no worker runs), which our workers would otherwise run first.
REDIS_DATABASE = 15
ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what Django's file backend writes after each message
OUTBOX_ID = re.compile(rb"^X-Sidebar-Outbox-Id: (\d+)\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Share:
    """One kind of due message: what fraction of the sessions get it, and when those sessions are."""

    kind: str
    lead_minutes: int
    fraction: float
    start_from_now: timedelta
    ended: bool


SHARES = (
    Share("feedback_prompt", 0, 0.2, timedelta(minutes=-40), ended=True),
    Share("confirmation", 0, 0.4, timedelta(days=2), ended=False),
    Share("reminder", 1440, 0.2, timedelta(minutes=1440), ended=False),
    Share("reminder", 60, 0.2, timedelta(minutes=60), ended=False),
)


def seed(messages: int) -> dict[int, str]:
    """People, sessions and `messages` due outbox rows (two per session, one to each person).

    Returns each row's recipient address, by row id.
    """
    from django.utils import timezone

    from marketplace.models import User
    from sessions_app.models import Booking, OutboundMessage

    sessions = messages // 2
    # A share's sessions start in hourly waves of at most `mentor_count`, each with a mentor and a mentee of
    # its own within the wave: the exclusion constraints against overlapping sessions are never hit.
    mentor_count = max(1, messages // 10)
    mentee_count = 3 * mentor_count
    started = time.perf_counter()
    User.objects.bulk_create(
        [
            User(
                email=f"{PREFIX}-mentor{n}@example.com",
                display_name=f"Delivery Mentor {n}",
                timezone=ZONES[n % len(ZONES)],
                is_mentor=True,
                password="!",
            )
            for n in range(mentor_count)
        ]
        + [
            User(
                email=f"{PREFIX}-mentee{n}@example.com",
                display_name=f"Delivery Mentee {n}",
                timezone=ZONES[(n * 3 + 1) % len(ZONES)],
                password="!",
            )
            for n in range(mentee_count)
        ],
        batch_size=2_000,
    )
    people = User.objects.filter(email__startswith=f"{PREFIX}-").order_by("pk")
    mentor_ids = [user.pk for user in people if user.is_mentor]
    mentee_ids = [user.pk for user in people if not user.is_mentor]

    now = timezone.now() - timedelta(seconds=1)
    bookings: list[tuple[Share, Booking]] = []
    index = 0
    for position, share in enumerate(SHARES):
        count = round(sessions * share.fraction) if position < len(SHARES) - 1 else sessions - index
        for nth in range(count):
            start = now + share.start_from_now + timedelta(hours=nth // mentor_count)
            bookings.append(
                (
                    share,
                    Booking(
                        mentor_id=mentor_ids[nth % mentor_count],
                        mentee_id=mentee_ids[nth % mentee_count],
                        start=start,
                        end=start + timedelta(minutes=30),
                        duration=30,
                        topic=f"Delivery benchmark {share.kind}",
                        status=Booking.Status.COMPLETED if share.ended else Booking.Status.CONFIRMED,
                        meeting_url="https://meet.example.com/bench-delivery",
                        created_at=now - timedelta(seconds=30),
                    ),
                )
            )
        index += count
    Booking.objects.bulk_create([booking for _, booking in bookings], batch_size=2_000)

    rows = []
    for share, booking in bookings:
        if share.kind == "feedback_prompt":
            due_at = booking.end + timedelta(minutes=5)
        elif share.kind == "reminder":
            due_at = booking.start - timedelta(minutes=share.lead_minutes)
        else:
            due_at = booking.created_at
        rows += [
            OutboundMessage(
                booking=booking,
                kind=share.kind,
                recipient_id=recipient_id,
                lead_minutes=share.lead_minutes,
                due_at=min(due_at, now),
                created_at=booking.created_at,
            )
            for recipient_id in (booking.mentee_id, booking.mentor_id)
        ]
    OutboundMessage.objects.bulk_create(rows, batch_size=2_000)
    emails = dict(User.objects.filter(email__startswith=f"{PREFIX}-").values_list("pk", "email"))
    kinds = Counter(f"{row.kind}" + (f" {row.lead_minutes} min" if row.lead_minutes else "") for row in rows)
    print(
        f"Seeded {mentor_count:,} mentors, {mentee_count:,} mentees, {len(bookings):,} sessions and "
        f"{len(rows):,} due messages in {time.perf_counter() - started:.1f} s "
        f"({', '.join(f'{kind}: {count:,}' for kind, count in sorted(kinds.items()))})",
        flush=True,
    )
    return {pk: emails[recipient] for pk, recipient in our_messages().values_list("pk", "recipient_id")}


def our_messages():
    """This benchmark's outbox rows (a queryset: Django is set up only once main() runs)."""
    from sessions_app.models import OutboundMessage

    return OutboundMessage.objects.filter(recipient__email__startswith=f"{PREFIX}-")


def remove_everything() -> None:
    """The rows, sessions and people of this benchmark (also those left by an interrupted run)."""
    from marketplace.models import User
    from sessions_app.models import Booking

    our_messages().delete()
    Booking.objects.filter(mentor__email__startswith=f"{PREFIX}-").delete()
    User.objects.filter(email__startswith=f"{PREFIX}-").delete()


class CeleryProcess:
    """`celery -A config worker|beat` on the benchmark database, its log in test-artifacts/."""

    def __init__(self, name: str, arguments: list[str], env: dict[str, str], ready_line: str) -> None:
        self.name = name
        self.ready_line = ready_line
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = (
            ARTIFACTS / f"outbox-delivery-{name}.log"
        )  # the last run's, for a look after a failure
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *arguments],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()[-3000:]}")
            if self.ready_line in self.log_path.read_text():
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"{self.name} not ready after {timeout:.0f} s:\n{self.log_path.read_text()[-3000:]}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self._log.close()


def broker_url() -> str:
    return urlunparse(urlparse(REDIS_URL)._replace(path=f"/{REDIS_DATABASE}"))


def empty_broker() -> None:
    redis.Redis.from_url(broker_url()).flushdb()


def celery_env(mail_dir: Path, sweep_every: int) -> dict[str, str]:
    return {
        **os.environ,  # DATABASE_URL now points at the benchmark database
        "REDIS_URL": broker_url(),
        "DEBUG": "0",  # as deployed: no query log in the workers
        "SECRET_KEY": "benchmark-only-" + secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "OUTBOX_SWEEP_EVERY_SECONDS": str(sweep_every),
    }


def queue_sweep() -> None:
    """Queues the product's sweep task on Redis, as beat's tick or a booking's commit does."""
    from config.celery import app
    from sessions_app.tasks import send_due_messages

    # This process was set up without REDIS_URL (tasks in-process); send this one to the real broker.
    app.conf.update(broker_url=broker_url(), task_always_eager=False)
    send_due_messages.delay()


def statuses() -> Counter:
    from django.db.models import Count

    return Counter(dict(our_messages().order_by().values_list("status").annotate(rows=Count("pk"))))


def wait_until_sent(expected: int, timeout: float) -> Counter:
    """Polls the rows' statuses until all are sent, one failed, or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        by_status = statuses()
        if by_status["sent"] >= expected or by_status["failed"] or time.monotonic() > deadline:
            return by_status
        time.sleep(0.2)


def read_deliveries(mail_dir: Path) -> tuple[Counter, dict[int, set[str]], int]:
    """Deliveries per outbox row id, the addresses each went to, and how many chunks were not one message."""
    deliveries: Counter = Counter()
    addresses: dict[int, set[str]] = {}
    malformed = 0
    for path in mail_dir.iterdir():
        for chunk in path.read_bytes().split(SEPARATOR):
            if not chunk.strip():
                continue
            ids = [int(found) for found in OUTBOX_ID.findall(chunk)]
            deliveries.update(ids)
            if len(ids) != 1:  # two processes appending to one file could interleave their messages
                malformed += 1
                continue
            addresses.setdefault(ids[0], set()).add(email.message_from_bytes(chunk)["To"])
    return deliveries, addresses, malformed


def sweep_seconds(logs: list[Path]) -> list[str]:
    """How long each sweep task took and how many rows it claimed, from the workers' logs."""
    pattern = re.compile(r"send_due_messages\[[^\]]+\] succeeded in ([\d.]+)s: (\d+)")
    return [
        f"{float(seconds):.1f} s for {int(claimed):,}"
        for log in logs
        for seconds, claimed in pattern.findall(log.read_text())
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2, help="per worker; docker-compose.yml uses 2")
    parser.add_argument("--sweep-every", type=int, default=60, help="OUTBOX_SWEEP_EVERY_SECONDS for beat")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    args = parser.parse_args()
    if not REDIS_URL:
        sys.exit("Set REDIS_URL to a Redis server (make bench does this).")
    if args.messages < 2 or args.messages % 2:
        sys.exit("--messages must be an even number: each session sends to both people.")
    setup_django(DATABASE)
    from django.db.models import Max
    from django.utils import timezone

    from sessions_app.models import OutboundMessage

    remove_everything()
    others_due = OutboundMessage.objects.filter(status__in=["pending", "sending"]).count()
    if others_due:
        sys.exit(f"{others_due} other pending outbox rows in {DATABASE}: they would be swept too.")

    processes: list[CeleryProcess] = []
    with tempfile.TemporaryDirectory(prefix="sidebar-outbox-delivery-") as folder:
        mail_dir = Path(folder) / "mail"
        env = celery_env(mail_dir, args.sweep_every)
        try:
            empty_broker()
            recipient_of = seed(args.messages)
            load_before = load_average()
            for number in range(1, args.workers + 1):
                processes.append(
                    CeleryProcess(
                        f"worker{number}",
                        [
                            "worker",
                            "--loglevel=info",
                            f"--concurrency={args.concurrency}",
                            "-n",
                            f"{PREFIX}-{number}@%h",
                        ],
                        env,
                        ready_line="ready.",
                    )
                )
            processes.append(
                CeleryProcess(
                    "beat",
                    ["beat", "--loglevel=info", "-s", str(Path(folder) / "beat-schedule")],
                    env,
                    ready_line="beat: Starting",
                )
            )
            for process in processes:
                process.wait_ready()
            workers = [process for process in processes if process.name.startswith("worker")]
            database_pid = postmaster_pid()
            cpu_before = {process.name: tree_cpu_seconds(process.process.pid) for process in workers}
            database_cpu_before = tree_cpu_seconds(database_pid) if database_pid else 0.0

            clock_started = timezone.now()
            queue_sweep()
            all_sent = wait_until_sent(len(recipient_of), timeout=args.timeout)["sent"] == len(recipient_of)
            last_sent: datetime | None = our_messages().aggregate(last=Max("sent_at"))["last"]
            # Unfinished (timed out, or a row failed): the time waited, which the verdict shows as OVER.
            until = last_sent if all_sent and last_sent else timezone.now()
            elapsed = (until - clock_started).total_seconds()
            load_after = load_average()
            worker_cpu = sum(tree_cpu_seconds(p.process.pid) - cpu_before[p.name] for p in workers)
            database_cpu = tree_cpu_seconds(database_pid) - database_cpu_before if database_pid else 0.0
            time.sleep(3)  # a few more seconds for anything that would go out a second time

            deliveries, addresses, malformed = read_deliveries(mail_dir)
            by_status = statuses()
            attempts = Counter(our_messages().values_list("attempts", flat=True))
            expected = set(recipient_of)
            duplicates = sum(count - 1 for count in deliveries.values() if count > 1)
            lost = len(expected - set(deliveries))
            strangers = len(set(deliveries) - expected)
            misaddressed = sum(
                1 for pk, to in addresses.items() if pk in expected and to != {recipient_of[pk]}
            )
            files = sum(1 for _ in mail_dir.iterdir())
        finally:
            for process in processes:
                process.stop()
            empty_broker()  # the tasks of an unfinished run
            remove_everything()

    sent = by_status["sent"]
    print(f"Messages: {len(recipient_of):,} due; sent {sent:,}; rows by status: {dict(by_status)}")
    print(
        f"Workers: {args.workers} x concurrency {args.concurrency} (prefork), beat every {args.sweep_every} s"
    )
    print(f"Sweep task: {', '.join(sweep_seconds([p.log_path for p in workers])) or 'none finished'}")
    print(
        f"Elapsed: {elapsed:.1f} s from queuing the sweep to "
        f"{'the last sent_at' if all_sent else 'giving up, not all sent'}, "
        f"{sent / elapsed if elapsed else 0:.0f} messages/s"
    )
    print(
        f"CPU: workers {worker_cpu:.0f} s ({worker_cpu / max(sent, 1) * 1000:.1f} ms per message), "
        f"PostgreSQL {database_cpu:.0f} s"
    )
    print(
        f"Delivered: {sum(deliveries.values()):,} e-mails in {files:,} files; duplicates {duplicates}, "
        f"lost {lost}, not ours {strangers}, wrong recipient {misaddressed}, unreadable chunks {malformed}; "
        f"attempts per row {dict(attempts)}"
    )
    print(f"Load average: {load_before} before, {load_after} after")
    verdict = "OK" if all_sent and elapsed <= TARGET_SECONDS else "OVER"
    print(
        f"Target: {args.messages:,} delivered by {args.workers} workers in <= {TARGET_SECONDS} s "
        f"-> {elapsed:.1f} s: {verdict}"
    )
    wrong = (
        duplicates
        or lost
        or strangers
        or misaddressed
        or malformed
        or by_status["failed"]
        or sent != len(expected)
    )
    if wrong:
        print("FAILED: a message was lost, sent twice, sent to the wrong person or not sent", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
