"""One outbox sweep tick over 1,000,000 rows (issue 7): target at most 50 ms.

The outbox holds mostly sent rows and rows not yet due, as it does after months of use; a few are due now.
A tick is what the sweep does each minute: claim a batch of due rows (SELECT ... FOR UPDATE SKIP LOCKED on
the partial index of pending rows by due_at, then re-claim rows stuck in "sending"). Each timed tick is
rolled back so that every run sees the same table. Seeds its own database once (`sidebar_bench_outbox`).

Run: ``python bench/bench_outbox_sweep.py [--rows 1000000]`` with DATABASE_URL set (make bench).
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: bench.*, the apps

from bench.benchdb import setup_django

DUE_NOW = 50


class Rollback(Exception):
    pass


def seed(rows: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from marketplace.models import User
    from sessions_app.models import OutboundMessage
    from tests.factories import BookingFactory, MentorFactory, UserFactory

    if OutboundMessage.objects.count() >= rows:
        return
    print(f"Seeding {rows:,} outbox rows …", flush=True)
    from sessions_app.models import Booking

    OutboundMessage.objects.all().delete()
    now = timezone.now()
    if Booking.objects.count() < 1000:
        mentor = User.objects.filter(email="bench-outbox-mentor@example.com").first() or MentorFactory(
            email="bench-outbox-mentor@example.com"
        )
        mentee = User.objects.filter(email="bench-outbox-mentee@example.com").first() or UserFactory(
            email="bench-outbox-mentee@example.com"
        )
        Booking.objects.all().delete()
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        for index in range(1000):
            BookingFactory(mentor=mentor, mentee=mentee, start=start + timedelta(hours=index))
    with connection.cursor() as cursor:
        # 90% sent in the past, 10% pending later; recipients are the bookings' mentees.
        cursor.execute(
            """
            INSERT INTO sessions_app_outboundmessage
                (booking_id, kind, recipient_id, lead_minutes, sequence, due_at, status, attempts,
                 last_error, created_at, sent_at)
            SELECT b.id, 'reminder', b.mentee_id, n, 0,
                   CASE WHEN n %% 10 = 0 THEN %s + (n || ' seconds')::interval
                        ELSE %s - (n || ' seconds')::interval END,
                   CASE WHEN n %% 10 = 0 THEN 'pending' ELSE 'sent' END,
                   CASE WHEN n %% 10 = 0 THEN 0 ELSE 1 END, '', %s,
                   CASE WHEN n %% 10 = 0 THEN NULL ELSE %s END
            FROM generate_series(1, %s) AS n
            JOIN (SELECT id, mentee_id, row_number() OVER (ORDER BY id) - 1 AS k FROM sessions_app_booking) b
              ON b.k = n %% 1000
            """,
            [now, now, now, now, rows - DUE_NOW],
        )
        cursor.execute(
            """
            INSERT INTO sessions_app_outboundmessage
                (booking_id, kind, recipient_id, lead_minutes, sequence, due_at, status, attempts,
                 last_error, created_at)
            SELECT b.id, 'feedback_prompt', b.mentee_id, 0, n, %s, 'pending', 0, '', %s
            FROM generate_series(1, %s) AS n
            JOIN (SELECT id, mentee_id, row_number() OVER (ORDER BY id) - 1 AS k FROM sessions_app_booking) b
              ON b.k = n %% 1000
            """,
            [now, now, DUE_NOW],
        )
        cursor.execute("ANALYZE sessions_app_outboundmessage")


def tick(batch_size: int) -> float:
    from django.db import transaction
    from django.utils import timezone

    from sessions_app.outbox import claim_due_messages

    started = time.perf_counter()
    try:
        with transaction.atomic():
            claimed = claim_due_messages(now=timezone.now(), batch_size=batch_size)
            assert len(claimed) == min(batch_size, DUE_NOW), len(claimed)
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_django("sidebar_bench_outbox")
    seed(args.rows)
    from sessions_app.models import OutboundMessage

    print(f"Outbox rows: {OutboundMessage.objects.count():,}, due now: {DUE_NOW}")
    for _ in range(3):
        tick(50)
    times = sorted(tick(50) * 1000 for _ in range(args.runs))
    print(
        f"One sweep tick (claim a batch of 50): median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms (target <= 50 ms)"
    )


if __name__ == "__main__":
    main()
