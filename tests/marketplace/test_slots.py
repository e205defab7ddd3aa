"""The slot engine rule by rule, then as properties of random schedules checked against a brute-force scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
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
from marketplace.timezones import is_valid_timezone

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


# --- blocks -------------------------------------------------------------------------------------------------


def test_a_block_offers_every_grid_start_whose_slot_ends_by_the_block_end() -> None:
    schedule = mentor((0, "09:00", "10:00"))

    assert hhmm(slots_on(schedule)) == ["09:00", "09:10", "09:20", "09:30"]


def test_a_slot_may_end_exactly_at_the_block_end_but_not_a_minute_later() -> None:
    schedule = mentor((0, "09:00", "09:55"))

    slots = slots_on(schedule, duration=20)

    assert hhmm(slots) == ["09:00", "09:10", "09:20", "09:30"]
    assert slots[-1].end == local(MONDAY, 9, 50)


def test_a_block_starting_off_the_grid_offers_its_first_grid_start() -> None:
    schedule = mentor((0, "09:05", "10:00"))

    assert hhmm(slots_on(schedule))[0] == "09:10"


def test_a_block_shorter_than_the_duration_offers_nothing() -> None:
    schedule = mentor((0, "09:00", "09:25"))

    assert slots_on(schedule, duration=30) == []


def test_slots_are_utc_intervals_of_the_requested_length() -> None:
    slots = slots_on(mentor(), duration=20)

    assert slots
    assert all(slot.start.utcoffset() == timedelta(0) for slot in slots)
    assert all(slot.end - slot.start == timedelta(minutes=20) for slot in slots)


def test_overlapping_blocks_offer_each_start_once_and_in_order() -> None:
    schedule = mentor((0, "09:30", "10:30"), (0, "09:00", "10:00"))

    starts = [slot.start for slot in slots_on(schedule)]

    assert starts == sorted(set(starts))
    assert hhmm(slots_on(schedule)) == ["09:00", "09:10", "09:20", "09:30", "09:40", "09:50", "10:00"]


def test_blocks_on_weekday_zero_land_on_mondays_only() -> None:
    schedule = mentor((0, "09:00", "10:00"))

    slots = slots_on(schedule, date(2026, 5, 1), days=14)
    days = {slot.start.astimezone(ZoneInfo(BERLIN)).date() for slot in slots}

    assert days == {date(2026, 5, 4), date(2026, 5, 11)}
    assert all(day.weekday() == 0 for day in days)


def test_a_sunday_block_is_weekday_six() -> None:
    schedule = mentor((6, "09:00", "10:00"))

    days = {slot.start.astimezone(ZoneInfo(BERLIN)).date() for slot in slots_on(schedule, MONDAY, days=7)}

    assert days == {date(2026, 5, 10)}


# --- grid ---------------------------------------------------------------------------------------------------


def test_the_grid_follows_the_local_clock_in_kathmandu() -> None:
    schedule = mentor((0, "09:00", "10:00"), zone="Asia/Kathmandu")

    slots = slots_on(schedule)

    assert hhmm(slots, "Asia/Kathmandu") == ["09:00", "09:10", "09:20", "09:30"]
    assert [slot.start.strftime("%H:%M") for slot in slots] == ["03:15", "03:25", "03:35", "03:45"]


def test_a_coarser_grid_offers_fewer_starts() -> None:
    schedule = mentor((0, "09:00", "10:00"))

    assert hhmm(slots_on(schedule, grid=15)) == ["09:00", "09:15", "09:30"]


# --- range, notice and the past -----------------------------------------------------------------------------


def test_the_range_includes_its_start_and_excludes_its_end() -> None:
    slots = bookable_slots(
        mentor(), start=local(MONDAY, 9, 10), end=local(MONDAY, 9, 30), duration_minutes=30, now=LONG_AGO
    )

    assert hhmm(slots) == ["09:10", "09:20"]


def test_the_range_may_be_given_in_any_utc_offset() -> None:
    plus_five = timezone(timedelta(hours=5))

    slots = bookable_slots(
        mentor(),
        start=local(MONDAY, 9, 10).astimezone(plus_five),
        end=local(MONDAY, 9, 30).astimezone(plus_five),
        duration_minutes=30,
        now=LONG_AGO.astimezone(plus_five),
    )

    assert hhmm(slots) == ["09:10", "09:20"]


def test_a_slot_exactly_at_the_notice_limit_is_offered_and_one_earlier_is_not() -> None:
    schedule = mentor(min_notice_minutes=120)

    assert hhmm(slots_on(schedule, now=local(MONDAY, 7, 30)))[0] == "09:30"
    assert hhmm(slots_on(schedule, now=local(MONDAY, 7, 31)))[0] == "09:40"


def test_slots_in_the_past_are_never_offered_even_without_notice() -> None:
    schedule = mentor()

    assert hhmm(slots_on(schedule, now=local(MONDAY, 9, 20)))[0] == "09:20"
    assert hhmm(slots_on(schedule, now=local(MONDAY, 9, 20) + timedelta(seconds=1)))[0] == "09:30"


def test_a_negative_notice_does_not_reopen_the_past() -> None:
    schedule = mentor(min_notice_minutes=-60)

    assert hhmm(slots_on(schedule, now=local(MONDAY, 9, 40)))[0] == "09:40"


# --- busy, buffer, time off, asker --------------------------------------------------------------------------


def test_a_mentor_session_blocks_overlapping_slots_and_touching_ones_stay() -> None:
    schedule = mentor((0, "09:00", "11:30"), busy=(span(MONDAY, "10:00", "10:30"),))

    starts = hhmm(slots_on(schedule))

    assert "09:30" in starts
    assert "10:30" in starts
    assert not {"09:40", "09:50", "10:00", "10:10", "10:20"} & set(starts)


def test_a_slot_ending_as_a_session_starts_is_offered_even_as_the_first_start_of_its_block() -> None:
    schedule = mentor(
        (0, "09:30", "11:30"), busy=(span(MONDAY, "10:00", "10:30"), span(MONDAY, "11:00", "11:30"))
    )

    assert hhmm(slots_on(schedule)) == ["09:30", "10:30"]


def test_the_buffer_keeps_slots_that_far_from_a_session_and_no_nearer() -> None:
    schedule = mentor((0, "09:00", "11:30"), busy=(span(MONDAY, "10:00", "10:30"),), buffer_minutes=10)

    starts = hhmm(slots_on(schedule))

    assert "09:20" in starts  # ends 09:50, 10 minutes before the session
    assert "10:40" in starts  # starts 10 minutes after it
    assert not {"09:30", "10:30"} & set(starts)


def test_time_off_blocks_overlapping_slots_and_touching_ones_stay() -> None:
    schedule = mentor((0, "09:00", "11:30"), time_off=(span(MONDAY, "10:00", "10:30"),), buffer_minutes=30)

    starts = hhmm(slots_on(schedule))

    assert "09:30" in starts  # the buffer does not apply to time off
    assert "10:30" in starts
    assert "09:40" not in starts
    assert "10:20" not in starts


def test_time_off_covering_a_whole_day_leaves_the_next_day_open() -> None:
    schedule = mentor(
        (0, "09:00", "11:00"),
        (1, "09:00", "11:00"),
        time_off=(Interval(local(MONDAY, 0), local(TUESDAY, 0)),),
    )

    slots = slots_on(schedule, MONDAY, days=2)

    assert {slot.start.astimezone(ZoneInfo(BERLIN)).date() for slot in slots} == {TUESDAY}


def test_the_asker_busy_blocks_overlaps_without_the_mentor_buffer() -> None:
    schedule = mentor((0, "09:00", "11:30"), buffer_minutes=30)

    starts = hhmm(slots_on(schedule, asker_busy=(span(MONDAY, "10:00", "10:30"),)))

    assert "09:30" in starts
    assert "10:30" in starts
    assert "09:40" not in starts
    assert "10:20" not in starts


def test_sessions_outside_the_range_still_block_slots_that_reach_them() -> None:
    schedule = mentor((0, "09:00", "11:00"), busy=(span(MONDAY, "10:00", "10:30"),))

    slots = bookable_slots(
        schedule, start=local(MONDAY, 9), end=local(MONDAY, 9, 50), duration_minutes=30, now=LONG_AGO
    )

    assert hhmm(slots) == ["09:00", "09:10", "09:20", "09:30"]


# --- weekly cap ---------------------------------------------------------------------------------------------


def test_a_week_whose_cap_is_reached_offers_nothing_and_the_next_week_still_does() -> None:
    schedule = mentor(weekly_minutes_cap=60, booked_minutes_by_week={MONDAY: 60})

    slots = slots_on(schedule, MONDAY, days=14)

    assert {slot.start.astimezone(ZoneInfo(BERLIN)).date() for slot in slots} == {date(2026, 5, 11)}


def test_a_slot_that_just_fits_the_cap_is_offered_and_one_minute_more_is_not() -> None:
    assert slots_on(mentor(weekly_minutes_cap=60, booked_minutes_by_week={MONDAY: 30}))
    assert not slots_on(mentor(weekly_minutes_cap=60, booked_minutes_by_week={MONDAY: 31}))
    assert slots_on(mentor(weekly_minutes_cap=60, booked_minutes_by_week={MONDAY: 31}), duration=20)


def test_a_zero_cap_offers_nothing_and_no_cap_offers_everything() -> None:
    assert slots_on(mentor(weekly_minutes_cap=0)) == []
    assert slots_on(mentor(weekly_minutes_cap=None, booked_minutes_by_week={MONDAY: 10_000}))


def test_the_cap_week_is_the_iso_week_of_the_local_start_in_the_mentor_zone() -> None:
    # Monday 00:30 in Tokyo is still Sunday in UTC: the slot belongs to the week starting that Monday.
    blocks = ((0, "00:30", "01:30"),)
    this_week_full = mentor(
        *blocks, zone="Asia/Tokyo", weekly_minutes_cap=60, booked_minutes_by_week={MONDAY: 60}
    )
    last_week_full = mentor(
        *blocks,
        zone="Asia/Tokyo",
        weekly_minutes_cap=60,
        booked_minutes_by_week={MONDAY - timedelta(days=7): 60},
    )

    assert slots_on(this_week_full) == []
    slots = slots_on(last_week_full)
    assert slots[0].start == datetime(2026, 5, 3, 15, 30, tzinfo=UTC)


# --- first slot and single-slot checks ----------------------------------------------------------------------


def test_first_bookable_slot_is_the_earliest_slot() -> None:
    schedule = mentor((0, "14:00", "15:00"), (0, "09:00", "10:00"), busy=(span(MONDAY, "09:00", "09:45"),))

    first = first_bookable_slot(
        schedule, start=local(MONDAY, 0), end=local(TUESDAY, 0), duration_minutes=30, now=LONG_AGO
    )

    assert first == Interval(local(MONDAY, 14), local(MONDAY, 14, 30))


def test_first_bookable_slot_skips_days_with_nothing_free() -> None:
    schedule = mentor((0, "09:00", "10:00"), (1, "09:00", "10:00"), busy=(span(MONDAY, "09:00", "10:00"),))

    first = first_bookable_slot(
        schedule,
        start=local(MONDAY, 0),
        end=local(MONDAY, 0) + timedelta(days=7),
        duration_minutes=30,
        now=LONG_AGO,
    )

    assert first is not None
    assert first.start == local(TUESDAY, 9)


def test_first_bookable_slot_is_none_when_nothing_is_bookable() -> None:
    schedule = mentor(weekly_minutes_cap=0)

    first = first_bookable_slot(
        schedule, start=local(MONDAY, 0), end=local(TUESDAY, 0), duration_minutes=30, now=LONG_AGO
    )

    assert first is None


def test_is_bookable_accepts_a_listed_slot_and_rejects_a_taken_one() -> None:
    schedule = mentor(busy=(span(MONDAY, "10:00", "10:30"),))

    assert is_bookable(schedule, slot_start=local(MONDAY, 9), duration_minutes=30, now=LONG_AGO)
    assert not is_bookable(schedule, slot_start=local(MONDAY, 9, 50), duration_minutes=30, now=LONG_AGO)


def test_is_bookable_rejects_an_instant_off_the_local_grid() -> None:
    schedule = mentor()

    assert not is_bookable(schedule, slot_start=local(MONDAY, 9, 5), duration_minutes=30, now=LONG_AGO)
    assert not is_bookable(
        schedule, slot_start=local(MONDAY, 9) + timedelta(seconds=30), duration_minutes=30, now=LONG_AGO
    )


def test_is_bookable_rejects_a_slot_that_runs_past_the_block() -> None:
    schedule = mentor()

    assert is_bookable(schedule, slot_start=local(MONDAY, 10, 30), duration_minutes=30, now=LONG_AGO)
    assert not is_bookable(schedule, slot_start=local(MONDAY, 10, 40), duration_minutes=30, now=LONG_AGO)


def test_is_bookable_respects_notice_and_the_asker() -> None:
    schedule = mentor(min_notice_minutes=60)
    asker_busy = (span(MONDAY, "10:15", "10:20"),)

    assert not is_bookable(
        schedule, slot_start=local(MONDAY, 9), duration_minutes=30, now=local(MONDAY, 8, 1)
    )
    assert is_bookable(schedule, slot_start=local(MONDAY, 9), duration_minutes=30, now=local(MONDAY, 8))
    assert not is_bookable(
        schedule, slot_start=local(MONDAY, 10), duration_minutes=30, now=LONG_AGO, asker_busy=asker_busy
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
