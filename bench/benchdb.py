"""Shared set-up for benchmarks that need a large organisation in PostgreSQL.

Uses DATABASE_URL's server with its own database (default `sidebar_bench`), migrates it, and seeds it once:
later runs reuse it. `make bench` starts the test PostgreSQL and exports DATABASE_URL.
"""

import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse, urlunparse

MENTORS = int(os.environ.get("BENCH_MENTORS", 10_000))
EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", 50_000))
FUTURE_BOOKINGS = int(os.environ.get("BENCH_FUTURE_BOOKINGS", 100_000))


def setup_django(database: str = "sidebar_bench") -> None:
    """Points Django at a dedicated benchmark database on DATABASE_URL's server, creating it if needed."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (make bench does this).")
    parsed = urlparse(url)
    import psycopg2

    admin = psycopg2.connect(urlunparse(parsed._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{database}"')
    admin.close()
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{database}"))
    os.environ.pop("REDIS_URL", None)  # tasks in-process: benchmarks measure the web side
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "1"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # no query log in memory while timing
    call_command("migrate", verbosity=0)


def progress(label: str, done: int, total: int | None) -> None:
    """As seed_demo shows it: the count alone while its total is not known yet."""
    if total is None or done == total or done % 20_000 < 2_000:
        print(f"  {label}: {done:,}" + (f"/{total:,}" if total is not None else ""), flush=True)


def ensure_organisation() -> None:
    """10,000 mentors, 50,000 employees and 100,000 future confirmed sessions (once; reused afterwards)."""
    from demo.people import seed_people
    from marketplace.models import User
    from sessions_app.models import Booking

    if User.objects.filter(email=f"mentor{MENTORS}@example.com").exists():
        return
    started = time.perf_counter()
    print(f"Seeding {MENTORS:,} mentors and {EMPLOYEES:,} employees …", flush=True)
    seed_people(rng=random.Random(42), mentors=MENTORS, employees=EMPLOYEES, progress=progress)
    mentor_ids = list(
        User.objects.filter(email__startswith="mentor", is_mentor=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    employee_ids = list(
        User.objects.filter(email__startswith="employee").order_by("pk").values_list("pk", flat=True)
    )
    print(f"Seeding {FUTURE_BOOKINGS:,} future sessions …", flush=True)
    base = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    per_mentor = max(1, FUTURE_BOOKINGS // len(mentor_ids))
    rows = []
    for index in range(FUTURE_BOOKINGS):
        mentor_index, nth = divmod(index, per_mentor)
        mentor_index %= len(mentor_ids)
        # Distinct hours per mentor and per mentee (ids 5,000 apart land on different hours), so no overlap.
        start = base + timedelta(
            days=nth * 2 + index // (per_mentor * len(mentor_ids)), hours=6 + mentor_index % 9
        )
        rows.append(
            Booking(
                mentor_id=mentor_ids[mentor_index],
                mentee_id=employee_ids[index % len(employee_ids)],
                start=start,
                end=start + timedelta(minutes=30),
                duration=30,
                topic="Benchmark session",
                meeting_url="https://meet.example.com/bench",
            )
        )
        if len(rows) == 5_000:
            Booking.objects.bulk_create(rows)
            rows.clear()
            progress("future sessions", index + 1, FUTURE_BOOKINGS)
    Booking.objects.bulk_create(rows)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Organisation ready in {time.perf_counter() - started:.0f}s", flush=True)


def timed(function, repeat: int) -> list[float]:
    """Milliseconds of each call."""
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def summary(label: str, durations: list[float]) -> str:
    ordered = sorted(durations)
    median = ordered[len(ordered) // 2]
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{label:<58} median {median:7.1f} ms   p95 {p95:7.1f} ms   n={len(ordered)}"
