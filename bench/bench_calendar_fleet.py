"""1,000 people's own calendars synced by 2 Celery workers within one sync interval (issue 15), measured.

Run: ``python bench/bench_calendar_fleet.py [--calendars 1000] [--workers 2]`` with DATABASE_URL pointing at
PostgreSQL (``make bench`` does this); it uses a database of its own, ``sidebar_bench_fleet``, and a Redis of
its own on a free port.

Each person's calendar is Google-shaped (bench_busy_calendars.big_calendar), in a mix of sizes as a company's
calendars are: 60% with 200 events (5 recurring series), 30% with 600 (15 series), 10% with 2,000 (50 series).
All are served by a local HTTP server with ETags. Two real worker processes (``celery worker
--concurrency=1`` each, prefork, as a small deployment runs them) take the tasks that beat's run
(``calendars.tasks.sync_due_calendars``) queues, once with every file new (the worst case: the first sync
of the day after everyone's calendars changed) and once unchanged (304, what most syncs are). Target: all
of them within one CALENDAR_SYNC_EVERY_MINUTES interval (15 minutes).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository root: bench.*, tests.*, the apps

from bench.bench_busy_calendars import big_calendar  # noqa: E402
from bench.benchdb import setup_django  # noqa: E402

SIZES = ((0.6, 200, 5), (0.3, 600, 15), (0.1, 2000, 50))  # share, events, recurring series
DOMAIN = "@bench-fleet.example.com"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calendars", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    setup_django("sidebar_bench_fleet")

    from django.conf import settings
    from django.db.models import Q, Sum
    from django.utils import timezone

    from calendars.models import BusyCalendar
    from marketplace.models import User
    from tests.calendar_server import calendar_server
    from tests.integration.conftest import WorkerProcess
    from tests.redis_server import RedisServer
    from tests.waiting import wait_until

    now = timezone.now()
    User.objects.filter(email__endswith=DOMAIN).delete()
    files = {events: big_calendar(now, events=events, series=series) for _, events, series in SIZES}
    plan: list[int] = []
    for share, events, _ in SIZES:
        plan += [events] * round(share * options.calendars)
    plan = plan[: options.calendars]
    work = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    redis = RedisServer(work / "redis")
    redis.start()
    workers: list[WorkerProcess] = []
    try:
        with calendar_server() as server:
            people = User.objects.bulk_create(
                User(email=f"p{n}{DOMAIN}", timezone="Europe/Berlin", password="!") for n in range(len(plan))
            )
            for n, events in enumerate(plan):
                server.serve(f"/c/{n}.ics", files[events])
            BusyCalendar.objects.bulk_create(
                BusyCalendar(owner=person, url=server.url(f"/c/{n}.ics"), next_sync_at=now)
                for n, person in enumerate(people)
            )
            total_kib = sum(len(files[events]) for events in plan) / 1024
            mix = ", ".join(f"{plan.count(events)} of {events} events" for _, events, _ in SIZES)
            print(
                f"== {len(plan):,} calendars ({mix}; {total_kib / 1024:.0f} MiB in all), "
                f"{options.workers} workers x concurrency 1, {now:%Y-%m-%d}"
            )
            env = {
                **os.environ,
                "REDIS_URL": redis.url,
                "CALENDAR_FETCH_ALLOW_PRIVATE": "true",
                "LOG_LEVEL": "WARNING",
            }
            for n in range(options.workers):
                worker = WorkerProcess(
                    env,
                    f"fleet-{n}",
                    work / f"worker-{n}.log",
                    ["--concurrency=1", "--prefetch-multiplier=1"],
                )
                workers.append(worker)
            for worker in workers:
                worker.wait_ready()

            def sync_round(label: str) -> None:
                mine = BusyCalendar.objects.filter(owner__email__endswith=DOMAIN)
                started_at = timezone.now()
                mine.update(next_sync_at=started_at)
                started = time.perf_counter()
                # What beat does each minute, sent to the workers' broker.
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "call",
                        "calendars.tasks.sync_due_calendars",
                    ],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                )
                wait_until(
                    lambda: (
                        not mine.filter(
                            Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=started_at)
                        ).exists()
                    ),
                    timeout=60 * 60,
                    interval=0.5,
                    message=lambda: (
                        f"every calendar synced ({mine.filter(last_attempt_at__gte=started_at).count()})"
                    ),
                )
                elapsed = time.perf_counter() - started
                failed = mine.exclude(status=BusyCalendar.Status.OK).count()
                events = mine.aggregate(events=Sum("busy_events"))["events"]
                interval = timedelta(minutes=settings.CALENDAR_SYNC_EVERY_MINUTES).total_seconds()
                print(
                    f"  {label}: all {mine.count():,} synced {elapsed:,.1f} s after beat's run, "
                    f"{failed} not ok, "
                    f"{events:,} busy events; {elapsed / interval:.0%} of one {interval / 60:.0f}-minute "
                    f"interval, {len(plan) / elapsed:,.1f} calendars/s"
                )

            sync_round("every file new (read in full)")
            sync_round("every file unchanged (304)")
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()
        User.objects.filter(email__endswith=DOMAIN).delete()


if __name__ == "__main__":
    main()
