"""Schedules and readings shared by the slot engine's example tests (test_slots.py, test_slots_inputs.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from marketplace.slots import (
    Interval,
    MentorSchedule,
    WeeklyBlock,
    bookable_slots,
)

BERLIN = "Europe/Berlin"
MONDAY = date(2026, 5, 4)
TUESDAY = date(2026, 5, 5)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)
ONE_MINUTE = timedelta(minutes=1)


def local(day: date, hour: int, minute: int = 0, zone: str = BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))


def mentor(*blocks: tuple[int, str, str], zone: str = BERLIN, **options: object) -> MentorSchedule:
    """A schedule from ("weekday", "HH:MM", "HH:MM") blocks; Monday 09:00-11:00 when none are given."""
    blocks = blocks or ((0, "09:00", "11:00"),)
    weekly = tuple(
        WeeklyBlock(day, time.fromisoformat(start), time.fromisoformat(end)) for day, start, end in blocks
    )
    return MentorSchedule(timezone=zone, blocks=weekly, **options)  # type: ignore[arg-type]


def slots_on(
    schedule: MentorSchedule,
    day: date = MONDAY,
    *,
    days: int = 1,
    duration: int = 30,
    now: datetime = LONG_AGO,
    asker_busy: tuple[Interval, ...] = (),
    grid: int = 10,
) -> list[Interval]:
    zone = ZoneInfo(schedule.timezone)
    return bookable_slots(
        schedule,
        start=datetime.combine(day, time(), tzinfo=zone),
        end=datetime.combine(day + timedelta(days=days), time(), tzinfo=zone),
        duration_minutes=duration,
        now=now,
        asker_busy=asker_busy,
        grid_minutes=grid,
    )


def hhmm(slots: list[Interval], zone: str = BERLIN) -> list[str]:
    return [slot.start.astimezone(ZoneInfo(zone)).strftime("%H:%M") for slot in slots]


def span(day: date, start: str, end: str, zone: str = BERLIN) -> Interval:
    first, last = time.fromisoformat(start), time.fromisoformat(end)
    return Interval(local(day, first.hour, first.minute, zone), local(day, last.hour, last.minute, zone))
