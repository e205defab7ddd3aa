"""`within` as a property of random schedules and working weeks, against a minute-by-minute reading of them.

The reading is the contract's, written independently of the engine: a person works at an instant when, on
that local day or the one before, one of their intervals has begun (a skipped begin: the change itself; a
repeated one: its first occurrence) and not yet ended (the same rules for the end); a slot fits when they
work at every minute of it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.slots import (
    Interval,
    WeeklyBlock,
    WorkingWeek,
    bookable_slots,
    first_bookable_slot,
    is_bookable,
    lies_within,
)
from tests.marketplace.test_slots_properties import TRANSITION_DAYS, ZONES, Case, block_end_instant, cases

ONE_MINUTE = timedelta(minutes=1)
WORKING_ZONES = (*ZONES, "Asia/Kolkata", "Australia/Lord_Howe")  # +05:30, and a half-hour DST change
PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def working_weeks(draw: st.DrawFn, zone: str | None = None) -> WorkingWeek:
    intervals: list[WeeklyBlock] = []
    for _ in range(draw(st.integers(0, 4))):
        # Early mornings, and edges inside the hour most clocks skip or repeat, are favoured.
        start = draw(st.integers(0, 240) | st.sampled_from([60, 90, 120, 150]) | st.integers(0, 1430))
        end = min(start + draw(st.integers(1, 600) | st.sampled_from([30, 60, 90])), 1439)
        # Often every day alike, so that the day a clock changes has the interval too.
        days = range(7) if draw(st.booleans()) else [draw(st.integers(0, 6))]
        intervals.extend(
            WeeklyBlock(day, time(start // 60, start % 60), time(end // 60, end % 60)) for day in days
        )
    return WorkingWeek(zone or draw(st.sampled_from(WORKING_ZONES)), tuple(intervals))


def works_at(week: WorkingWeek, instant: datetime) -> bool:
    zone = ZoneInfo(week.timezone)
    local_day = instant.astimezone(zone).date()
    for day in (local_day - timedelta(days=1), local_day):
        for interval in week.intervals:
            if interval.weekday != day.weekday():
                continue
            if (
                block_end_instant(day, interval.start, zone)
                <= instant
                < block_end_instant(day, interval.end, zone)
            ):
                return True
    return False


def fits(week: WorkingWeek, slot: Interval) -> bool:
    minutes = (slot.end - slot.start) // ONE_MINUTE
    return all(works_at(week, slot.start + index * ONE_MINUTE) for index in range(minutes))


def listed(case: Case, within: list[WorkingWeek]) -> list[Interval]:
    return bookable_slots(
        case.schedule,
        start=case.start,
        end=case.end,
        duration_minutes=case.duration,
        now=case.now,
        asker_busy=case.asker_busy,
        within=within,
    )


@PROPERTY_SETTINGS
@given(cases(longest_range=1440), st.data())
def test_within_lists_exactly_the_bookable_slots_that_fit_everyones_working_hours(case, data):
    weeks = [data.draw(working_weeks(case.schedule.timezone)), data.draw(working_weeks())]
    everything = listed(case, [])

    assert listed(case, weeks) == [slot for slot in everything if all(fits(week, slot) for week in weeks)]


@PROPERTY_SETTINGS
@given(cases(longest_range=1440), st.data())
def test_is_bookable_and_first_bookable_slot_agree_with_the_listing_under_within(case, data):
    weeks = [data.draw(working_weeks())]
    inside = listed(case, weeks)
    starts = {slot.start for slot in inside}
    first = first_bookable_slot(
        case.schedule,
        start=case.start,
        end=case.end,
        duration_minutes=case.duration,
        now=case.now,
        asker_busy=case.asker_busy,
        within=weeks,
    )

    assert first == (inside[0] if inside else None)
    for slot in listed(case, [])[:200]:
        assert (slot.start in starts) == is_bookable(
            case.schedule,
            slot_start=slot.start,
            duration_minutes=case.duration,
            now=case.now,
            asker_busy=case.asker_busy,
            within=weeks,
        )


@PROPERTY_SETTINGS
@given(
    working_weeks(),
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)),
    st.sampled_from([10, 20, 30, 60]),
)
def test_lies_within_is_the_minute_by_minute_reading(week, start, minutes):
    slot_start = start.replace(second=0, microsecond=0, tzinfo=UTC)
    slot = Interval(slot_start, slot_start + timedelta(minutes=minutes))
    assert lies_within(slot, week) == fits(week, slot)


@st.composite
def slots_near_a_clock_change(draw: st.DrawFn) -> tuple[WorkingWeek, Interval]:
    """A slot on a day some clock changes, often a few minutes off one of the week's edges on that day."""
    zone = draw(st.sampled_from(sorted(TRANSITION_DAYS)))
    day = draw(st.sampled_from(TRANSITION_DAYS[zone]))
    week = draw(working_weeks(zone))
    that_day = [interval for interval in week.intervals if interval.weekday == day.weekday()]
    near_an_edge = draw(st.booleans())
    if that_day and near_an_edge:
        interval = draw(st.sampled_from(that_day))
        edge = block_end_instant(day, draw(st.sampled_from([interval.start, interval.end])), ZoneInfo(zone))
        start = edge + timedelta(minutes=draw(st.integers(-40, 10)))
    else:
        midnight = datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)
        start = midnight + timedelta(minutes=draw(st.integers(-60, 360)))
    return week, Interval(start, start + timedelta(minutes=draw(st.sampled_from([10, 30, 60]))))


@settings(max_examples=500, deadline=None)
@given(slots_near_a_clock_change())
def test_lies_within_around_skipped_and_repeated_hours(week_and_slot):
    week, slot = week_and_slot
    assert lies_within(slot, week) == fits(week, slot)
