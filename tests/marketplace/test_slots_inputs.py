"""What the slot engine refuses: naive times, empty durations, impossible blocks, unknown zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from marketplace.slots import (
    Interval,
    MentorSchedule,
    WeeklyBlock,
    bookable_slots,
    is_bookable,
    iso_week_start,
)
from marketplace.timezones import is_valid_timezone
from tests.marketplace.slot_cases import (
    LONG_AGO,
    MONDAY,
    TUESDAY,
    local,
    mentor,
    slots_on,
)

# --- inputs -------------------------------------------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 5, 4, 9)

    with pytest.raises(ValueError, match="start"):
        bookable_slots(mentor(), start=naive, end=local(TUESDAY, 0), duration_minutes=30, now=LONG_AGO)
    with pytest.raises(ValueError, match="now"):
        is_bookable(mentor(), slot_start=local(MONDAY, 9), duration_minutes=30, now=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(naive, naive + timedelta(hours=1))


def test_a_nonpositive_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="duration_minutes"):
        slots_on(mentor(), duration=0)


@pytest.mark.parametrize(
    ("weekday", "start", "end"),
    [(7, time(9), time(10)), (-1, time(9), time(10)), (0, time(10), time(10)), (0, time(10), time(9))],
)
def test_a_weekly_block_must_have_a_real_weekday_and_end_after_it_starts(
    weekday: int, start: time, end: time
) -> None:
    with pytest.raises(ValueError, match=r"weekday|before"):
        WeeklyBlock(weekday, start, end)


def test_an_interval_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="after"):
        Interval(local(MONDAY, 10), local(MONDAY, 10))


def test_an_unknown_time_zone_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus_Mons"):
        MentorSchedule(timezone="Mars/Olympus_Mons", blocks=())


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "Asia/Kathmandu", "UTC"])
def test_real_time_zones_are_valid(name: str) -> None:
    assert is_valid_timezone(name)


@pytest.mark.parametrize(
    "name", ["", "Mars/Olympus_Mons", "America", "../etc/passwd", "/etc/localtime", "localtime", None, 3]
)
def test_anything_else_is_not_a_valid_time_zone(name: object) -> None:
    assert not is_valid_timezone(name)


def test_iso_week_start_is_the_monday_of_the_local_week() -> None:
    instant = datetime(2026, 5, 3, 20, 0, tzinfo=UTC)  # Sunday in New York, Monday morning in Tokyo

    assert iso_week_start(instant, "Asia/Tokyo") == date(2026, 5, 4)
    assert iso_week_start(instant, "America/New_York") == date(2026, 4, 27)
