"""The slot engine as properties of random schedules, checked against a brute-force minute-by-minute scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.slots import (
    Interval,
    MentorSchedule,
    WeeklyBlock,
    bookable_slots,
    first_bookable_slot,
    is_bookable,
    iso_week_start,
)

ONE_MINUTE = timedelta(minutes=1)


# --- properties ---------------------------------------------------------------------------------------------

ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kathmandu",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Africa/Johannesburg",
)
# The local days on which a zone changes its UTC offset (Sao Paulo's at midnight, from its DST years), so
# that random ranges often contain one.
TRANSITION_DAYS = {
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1), date(2027, 3, 14), date(2027, 11, 7)),
    "Europe/London": (date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)),
    "Australia/Sydney": (date(2026, 4, 5), date(2026, 10, 4), date(2027, 4, 4), date(2027, 10, 3)),
    "Pacific/Auckland": (date(2026, 4, 5), date(2026, 9, 27), date(2027, 4, 4), date(2027, 9, 26)),
    "America/Sao_Paulo": (date(2018, 2, 17), date(2018, 11, 4), date(2019, 2, 16)),
}
GRID = 10


@dataclass(frozen=True)
class Case:
    schedule: MentorSchedule
    start: datetime
    end: datetime
    duration: int
    now: datetime
    asker_busy: tuple[Interval, ...]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.schedule.timezone)

    def slots(self) -> list[Interval]:
        return bookable_slots(
            self.schedule,
            start=self.start,
            end=self.end,
            duration_minutes=self.duration,
            now=self.now,
            asker_busy=self.asker_busy,
        )

    def is_bookable(self, instant: datetime) -> bool:
        return is_bookable(
            self.schedule,
            slot_start=instant,
            duration_minutes=self.duration,
            now=self.now,
            asker_busy=self.asker_busy,
        )

    def every_minute(self) -> list[datetime]:
        """Every whole UTC minute in [start, end): with whole-minute offsets, every possible slot start."""
        first = self.start.replace(second=0, microsecond=0)
        if first < self.start:
            first += ONE_MINUTE
        count = (self.end - first) // ONE_MINUTE + (1 if (self.end - first) % ONE_MINUTE else 0)
        return [first + index * ONE_MINUTE for index in range(max(count, 0))]

    def on_local_grid(self, instant: datetime) -> bool:
        wall = instant.astimezone(self.zone)
        return wall.second == 0 and wall.microsecond == 0 and (wall.hour * 60 + wall.minute) % GRID == 0


def minute_offsets(low: int, high: int) -> st.SearchStrategy[int]:
    """Any whole minute, or one on the 10-minute grid, where slot edges meet interval edges exactly."""
    return st.integers(low, high) | st.integers(low // 10, high // 10).map(lambda tens: tens * 10)


@st.composite
def intervals(draw: st.DrawFn, around: datetime, reach: int, longest: int) -> Interval:
    start = around + timedelta(minutes=draw(minute_offsets(-1440, reach + 1440)))
    length = draw(st.integers(1, longest) | st.integers(1, longest // 10).map(lambda tens: tens * 10))
    return Interval(start, start + timedelta(minutes=length))


@st.composite
def blocks(draw: st.DrawFn, likely_weekday: int) -> WeeklyBlock:
    # Early-morning starts and the anchor day's weekday are favoured: that is where and when clocks change.
    start = draw(st.integers(0, 300) | st.integers(0, 1430))
    end = min(start + draw(st.integers(1, 720)), 1439)
    weekday = draw(st.just(likely_weekday) | st.integers(0, 6))
    return WeeklyBlock(weekday, time(start // 60, start % 60), time(end // 60, end % 60))


@st.composite
def cases(draw: st.DrawFn, longest_range: int = 3 * 1440) -> Case:
    zone = draw(st.sampled_from(ZONES))
    transitions = TRANSITION_DAYS.get(zone, ())
    if len(transitions) > 0 and draw(st.booleans()):
        anchor = draw(st.sampled_from(transitions))
    else:
        anchor = draw(st.dates(date(2026, 1, 1), date(2027, 12, 31)))
    midnight = datetime.combine(anchor, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    start = midnight + timedelta(minutes=draw(minute_offsets(-2160, 720)))
    reach = draw(st.integers(1, longest_range))
    monday = iso_week_start(start, zone)
    weeks = draw(st.sets(st.integers(-1, 1)))
    schedule = MentorSchedule(
        timezone=zone,
        blocks=tuple(draw(st.lists(blocks(anchor.weekday()), min_size=1, max_size=8))),
        time_off=tuple(draw(st.lists(intervals(start, reach, 1440), max_size=2))),
        busy=tuple(draw(st.lists(intervals(start, reach, 180), max_size=6))),
        buffer_minutes=draw(st.integers(0, 60)),
        min_notice_minutes=draw(st.integers(0, 120) | st.integers(0, 3000)),
        weekly_minutes_cap=draw(st.none() | st.integers(0, 600)),
        booked_minutes_by_week={monday + timedelta(weeks=week): draw(st.integers(0, 300)) for week in weeks},
    )
    return Case(
        schedule=schedule,
        start=start,
        end=start + timedelta(minutes=reach),
        duration=draw(st.sampled_from([10, 20, 25, 30, 45, 60])),
        now=start
        + timedelta(
            minutes=draw(st.integers(-2880, 0) | st.integers(-2880, 2880)),
            seconds=draw(st.sampled_from([0, 30])),
        ),
        asker_busy=tuple(draw(st.lists(intervals(start, reach, 180), max_size=4))),
    )


def block_end_instant(day: date, end: time, zone: ZoneInfo) -> datetime:
    """Where a block's wall-clock end falls, found by scanning minutes rather than as the engine does."""
    wall = datetime.combine(day, end)
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # The clock skips this time: the end is the first instant at which the clock reads later than it.
    instant = wall.replace(tzinfo=zone, fold=1).astimezone(UTC).replace(second=0)
    while instant.astimezone(zone).replace(tzinfo=None) <= wall:
        instant += ONE_MINUTE
    return instant


def overlaps(start: datetime, end: datetime, other: Interval, widen: timedelta = timedelta(0)) -> bool:
    return start < other.end + widen and other.start - widen < end


def breaks_a_rule(case: Case, instant: datetime) -> str | None:
    """The first rule a slot starting at ``instant`` breaks, read straight from the contract; None if none."""
    schedule, zone = case.schedule, case.zone
    end = instant + timedelta(minutes=case.duration)
    if instant < case.now or instant < case.now + timedelta(minutes=schedule.min_notice_minutes):
        return "notice"
    wall = instant.astimezone(zone)
    if wall.fold:
        return "second occurrence of a repeated local time"
    if not case.on_local_grid(instant):
        return "grid"
    inside = any(
        block.weekday == wall.weekday()
        and block.start <= wall.time() < block.end
        and end <= block_end_instant(wall.date(), block.end, zone)
        for block in schedule.blocks
    )
    if not inside:
        return "outside every block"
    buffer = timedelta(minutes=schedule.buffer_minutes)
    if any(overlaps(instant, end, session, buffer) for session in schedule.busy):
        return "mentor busy or buffer"
    if any(overlaps(instant, end, off) for off in schedule.time_off):
        return "time off"
    if any(overlaps(instant, end, session) for session in case.asker_busy):
        return "asker busy"
    if schedule.weekly_minutes_cap is not None:
        week = wall.date() - timedelta(days=wall.weekday())
        if schedule.booked_minutes_by_week.get(week, 0) + case.duration > schedule.weekly_minutes_cap:
            return "weekly cap"
    return None


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(cases())
def test_every_listed_slot_keeps_every_rule(case: Case) -> None:
    for slot in case.slots():
        assert case.start <= slot.start < case.end
        assert slot.end - slot.start == timedelta(minutes=case.duration)
        assert slot.start.utcoffset() == timedelta(0)
        assert breaks_a_rule(case, slot.start) is None, slot


@PROPERTY_SETTINGS
@given(cases())
def test_listed_slots_are_exactly_the_starts_a_minute_by_minute_scan_allows(case: Case) -> None:
    expected = [instant for instant in case.every_minute() if breaks_a_rule(case, instant) is None]

    assert [slot.start for slot in case.slots()] == expected


@PROPERTY_SETTINGS
@given(cases())
def test_listed_slots_are_sorted_and_unique(case: Case) -> None:
    starts = [slot.start for slot in case.slots()]

    assert starts == sorted(set(starts))


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_is_bookable_agrees_with_the_listing_on_every_grid_instant(case: Case, data: st.DataObject) -> None:
    listed = {slot.start for slot in case.slots()}
    grid_instants = [instant for instant in case.every_minute() if case.on_local_grid(instant)]

    for slot_start in listed:
        assert case.is_bookable(slot_start), slot_start
    for instant in grid_instants:
        assert case.is_bookable(instant) == (instant in listed), instant
    if listed:
        listed_start = data.draw(st.sampled_from(sorted(listed)))
        off_grid = listed_start + timedelta(seconds=data.draw(st.integers(1, 599)))
        assert not case.is_bookable(off_grid)


@PROPERTY_SETTINGS
@given(cases(longest_range=14 * 1440))
def test_first_bookable_slot_is_the_first_listed_slot(case: Case) -> None:
    slots = case.slots()

    first = first_bookable_slot(
        case.schedule,
        start=case.start,
        end=case.end,
        duration_minutes=case.duration,
        now=case.now,
        asker_busy=case.asker_busy,
    )

    assert first == (slots[0] if slots else None)


@PROPERTY_SETTINGS
@given(cases(longest_range=7 * 1440), st.data())
def test_splitting_the_range_splits_the_listing(case: Case, data: st.DataObject) -> None:
    middle = case.start + timedelta(minutes=data.draw(st.integers(0, (case.end - case.start) // ONE_MINUTE)))
    halves = [
        bookable_slots(
            case.schedule,
            start=lo,
            end=hi,
            duration_minutes=case.duration,
            now=case.now,
            asker_busy=case.asker_busy,
        )
        for lo, hi in ((case.start, middle), (middle, case.end))
    ]

    assert halves[0] + halves[1] == case.slots()
