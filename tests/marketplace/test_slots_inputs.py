"""What the slot engine refuses: naive times, empty durations, impossible blocks, unknown zones; and what it
does with instants at the calendar's ends (nothing: no slot, no overflow)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from marketplace.instants import EARLIEST
from marketplace.slots import (
    Interval,
    MentorSchedule,
    WeeklyBlock,
    bookable_slots,
    first_bookable_slot,
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


# --- the calendar's ends ------------------------------------------------------------------------------------

FIRST_INSTANT = datetime.min.replace(tzinfo=UTC)
LAST_INSTANT = datetime.max.replace(tzinfo=UTC)
EVERY_DAY = tuple(WeeklyBlock(weekday, time(0), time(23, 50)) for weekday in range(7))


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
def test_instants_at_the_calendars_ends_find_no_slot_rather_than_overflow(zone: str) -> None:
    schedule = MentorSchedule(
        timezone=zone,
        blocks=EVERY_DAY,
        time_off=(Interval(LAST_INSTANT - timedelta(days=1), LAST_INSTANT),),
        busy=(Interval(FIRST_INSTANT, FIRST_INSTANT + timedelta(hours=1)),),
        buffer_minutes=120,
        weekly_minutes_cap=600,
    )
    near_the_start = (FIRST_INSTANT, FIRST_INSTANT + timedelta(days=3))
    near_the_end = (LAST_INSTANT - timedelta(days=3), LAST_INSTANT)

    for start, end in (near_the_start, near_the_end):
        assert bookable_slots(schedule, start=start, end=end, duration_minutes=30, now=FIRST_INSTANT) == []
        assert bookable_slots(schedule, start=start, end=end, duration_minutes=30, now=LAST_INSTANT) == []
    for slot_start in (FIRST_INSTANT, LAST_INSTANT - timedelta(minutes=10), LAST_INSTANT):
        assert not is_bookable(schedule, slot_start=slot_start, duration_minutes=30, now=FIRST_INSTANT)


def test_a_range_across_the_whole_calendar_starts_at_the_supported_range() -> None:
    first = first_bookable_slot(
        mentor(), start=FIRST_INSTANT, end=LAST_INSTANT, duration_minutes=30, now=FIRST_INSTANT
    )

    assert first is not None
    assert first.start >= EARLIEST
    assert first.start - EARLIEST < timedelta(days=7)
    assert (
        first_bookable_slot(
            mentor(), start=FIRST_INSTANT, end=LAST_INSTANT, duration_minutes=30, now=LAST_INSTANT
        )
        is None
    )
