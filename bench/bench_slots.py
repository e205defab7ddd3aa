"""Benchmark of the slot engine: one realistic mentor, 14 days of 30-minute slots.

Run: ``python bench/bench_slots.py [--repeat N]``. Target: median <= 1 ms for ``bookable_slots`` over 14 days.
The mentor has two blocks per weekday, a 10-minute buffer, 2 hours' notice, a weekly cap, ten confirmed
sessions, an afternoon off and an asker with a few sessions of their own. A second case adds a Sunday
01:00-04:00 block in New York over 14 days that contain the spring-forward Sunday, whose candidate starts
the engine resolves one by one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from marketplace.slots import (
    Interval,
    MentorSchedule,
    WeeklyBlock,
    bookable_slots,
    first_bookable_slot,
    is_bookable,
    iso_week_start,
)

DURATION = 30
DAYS = 14


class SlotQuery(TypedDict):
    """The arguments bookable_slots and first_bookable_slot share in every case."""

    start: datetime
    end: datetime
    duration_minutes: int
    now: datetime
    asker_busy: tuple[Interval, ...]


def build_mentor(
    zone: str, now: datetime, extra_blocks: tuple[WeeklyBlock, ...] = ()
) -> tuple[MentorSchedule, tuple[Interval, ...]]:
    """A mentor with 09:00-12:00 and 13:30-17:00 every weekday, some sessions and an afternoon off."""
    blocks = extra_blocks + tuple(
        block
        for weekday in range(5)
        for block in (WeeklyBlock(weekday, time(9), time(12)), WeeklyBlock(weekday, time(13, 30), time(17)))
    )
    day0 = now.replace(hour=0, minute=0, second=0, microsecond=0)
    busy = tuple(
        Interval(day0 + timedelta(days=day, hours=hour), day0 + timedelta(days=day, hours=hour, minutes=30))
        for day, hour in (
            (1, 14),
            (1, 16),
            (2, 10),
            (3, 15),
            (4, 9),
            (6, 13),
            (7, 10),
            (8, 14),
            (9, 11),
            (10, 15),
        )
    )
    time_off = (Interval(day0 + timedelta(days=5, hours=12), day0 + timedelta(days=5, hours=23)),)
    asker_busy = tuple(
        Interval(day0 + timedelta(days=day, hours=hour), day0 + timedelta(days=day, hours=hour, minutes=45))
        for day, hour in ((2, 14), (3, 9), (9, 16))
    )
    this_week = iso_week_start(now, zone)
    schedule = MentorSchedule(
        timezone=zone,
        blocks=blocks,
        time_off=time_off,
        busy=busy,
        buffer_minutes=10,
        min_notice_minutes=120,
        weekly_minutes_cap=240,
        booked_minutes_by_week={this_week: 150, this_week + timedelta(days=7): 90},
    )
    return schedule, asker_busy


def measure(function: Callable[[], object], repeat: int) -> list[int]:
    for _ in range(min(repeat, 200)):
        function()
    timings = []
    for _ in range(repeat):
        started = clock.perf_counter_ns()
        function()
        timings.append(clock.perf_counter_ns() - started)
    return timings


def report(label: str, timings: list[int], extra: str = "") -> None:
    ordered = sorted(timings)
    median = statistics.median(ordered) / 1000
    p95 = ordered[int(len(ordered) * 0.95) - 1] / 1000
    print(f"{label:<52} median {median:8.1f} µs   p95 {p95:8.1f} µs   n={len(ordered)}{extra}")


def run_case(
    title: str,
    zone: str,
    now: datetime,
    repeat: int,
    extra_blocks: tuple[WeeklyBlock, ...] = (),
    probe: datetime | None = None,
) -> float:
    schedule, asker_busy = build_mentor(zone, now, extra_blocks)
    end = now + timedelta(days=DAYS)
    query: SlotQuery = {
        "start": now,
        "end": end,
        "duration_minutes": DURATION,
        "now": now,
        "asker_busy": asker_busy,
    }
    slots = bookable_slots(schedule, **query)
    assert slots, "the benchmark mentor should have slots"
    assert first_bookable_slot(schedule, **query) == slots[0]
    probe = probe or slots[len(slots) // 2].start
    assert is_bookable(schedule, slot_start=probe, duration_minutes=DURATION, now=now, asker_busy=asker_busy)

    print(f"\n{title} ({zone}, {now:%Y-%m-%d %H:%M} UTC + {DAYS} days, {DURATION}-minute slots)")
    listing = measure(lambda: bookable_slots(schedule, **query), repeat)
    report("bookable_slots, one mentor, 14 days", listing, f"   slots={len(slots)}")
    report(
        "first_bookable_slot, one mentor, 14 days",
        measure(lambda: first_bookable_slot(schedule, **query), repeat),
    )
    report(
        "is_bookable, one slot",
        measure(
            lambda: is_bookable(
                schedule, slot_start=probe, duration_minutes=DURATION, now=now, asker_busy=asker_busy
            ),
            repeat,
        ),
    )
    return statistics.median(listing) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3000, help="timed calls per measurement (default 3000)")
    repeat = parser.parse_args().repeat
    print(f"Python {sys.version.split()[0]}, {repeat} timed calls per line")
    median = run_case("Ordinary fortnight", "Europe/Berlin", datetime(2026, 5, 4, 7, 0, tzinfo=UTC), repeat)
    run_case(
        "Fortnight with a DST change",
        "America/New_York",
        datetime(2026, 3, 2, 13, 0, tzinfo=UTC),
        repeat,
        extra_blocks=(WeeklyBlock(6, time(1), time(4)),),
        probe=datetime(2026, 3, 8, 7, 10, tzinfo=UTC),  # 03:10 EDT, on the spring-forward Sunday
    )
    run_case(
        "Ordinary fortnight, +05:45 zone", "Asia/Kathmandu", datetime(2026, 5, 4, 2, 0, tzinfo=UTC), repeat
    )
    verdict = "OK" if median <= 1000 else "OVER TARGET"
    print(f"\nTarget: median <= 1000 µs for one mentor's 14 days -> {median:.1f} µs: {verdict}")


if __name__ == "__main__":
    main()
