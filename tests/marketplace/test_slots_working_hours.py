"""The slot engine's `within`: only slots wholly inside people's working hours (own zones, DST-exact)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from marketplace.slots import (
    Interval,
    MentorSchedule,
    WeeklyBlock,
    WorkingWeek,
    bookable_slots,
    first_bookable_slot,
    is_bookable,
    lies_within,
)

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
ALL_DAY = tuple(WeeklyBlock(day, time(0), time(23, 50)) for day in range(7))


def office_week(zone: str, start: str = "09:00", end: str = "17:00", days=range(5)) -> WorkingWeek:
    return WorkingWeek(
        zone, tuple(WeeklyBlock(day, time.fromisoformat(start), time.fromisoformat(end)) for day in days)
    )


def free_all_day(zone: str) -> MentorSchedule:
    return MentorSchedule(timezone=zone, blocks=ALL_DAY)


def utc_span_of_day(
    schedule: MentorSchedule, day: date, within: list[WorkingWeek], duration: int = 30
) -> tuple[str, str] | None:
    """The first start and the last end (UTC, HH:MM) of the slots starting on `day` in UTC."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    slots = bookable_slots(
        schedule,
        start=start,
        end=start + timedelta(days=1),
        duration_minutes=duration,
        now=LONG_AGO,
        within=within,
    )
    if not slots:
        return None
    return f"{slots[0].start:%H:%M}", f"{slots[-1].end:%H:%M}"


LONDON = "Europe/London"


@pytest.mark.parametrize(
    ("day", "span"),
    [
        (date(2026, 3, 27), ("09:00", "17:00")),  # Friday, GMT
        (date(2026, 3, 30), ("08:00", "16:00")),  # Monday after the change of 29 March, BST
        (date(2026, 10, 23), ("08:00", "16:00")),  # Friday, BST
        (date(2026, 10, 26), ("09:00", "17:00")),  # Monday after the change of 25 October, GMT
        (date(2026, 3, 28), None),  # Saturday: no working hours
    ],
)
def test_a_london_office_day_stays_nine_to_five_on_the_wall_clock_across_both_changes(day, span):
    assert utc_span_of_day(free_all_day(LONDON), day, [office_week(LONDON)]) == span


@pytest.mark.parametrize(
    ("day", "span"),
    [
        # São Paulo keeps UTC-3 all year (no DST since 2019): 09:00–17:00 there is 12:00–20:00 UTC.
        (date(2026, 3, 27), ("12:00", "17:00")),  # London on GMT: its 17:00 ends the overlap
        (date(2026, 3, 30), ("12:00", "16:00")),  # London on BST: an hour less in common
        (date(2026, 10, 26), ("12:00", "17:00")),
    ],
)
def test_a_sao_paulo_mentor_and_a_london_asker_share_only_their_overlap(day, span):
    sao_paulo = "America/Sao_Paulo"
    within = [office_week(sao_paulo), office_week(LONDON)]
    assert utc_span_of_day(free_all_day(sao_paulo), day, within) == span


@pytest.mark.parametrize(
    ("day", "span"),
    [
        # Kolkata is UTC+05:30: 09:00–17:00 there is 03:30–11:30 UTC.
        (date(2026, 3, 27), ("09:00", "11:30")),  # London 09:00 GMT
        (date(2026, 3, 30), ("08:00", "11:30")),  # London 09:00 BST = 08:00 UTC
    ],
)
def test_a_kolkata_mentor_and_a_london_asker_across_the_half_hour_offset(day, span):
    kolkata = "Asia/Kolkata"
    within = [office_week(kolkata), office_week(LONDON)]
    assert utc_span_of_day(free_all_day(kolkata), day, within) == span


def test_the_whole_session_must_fit_not_only_its_start():
    within = [office_week(LONDON)]
    day = date(2026, 1, 14)  # Wednesday, GMT
    slots = bookable_slots(
        free_all_day(LONDON),
        start=datetime.combine(day, time(16), tzinfo=UTC),
        end=datetime.combine(day, time(18), tzinfo=UTC),
        duration_minutes=30,
        now=LONG_AGO,
        within=within,
    )
    assert [f"{slot.start:%H:%M}" for slot in slots] == ["16:00", "16:10", "16:20", "16:30"]


def test_touching_intervals_join_and_a_lunch_break_splits_the_day():
    day = date(2026, 1, 14)  # a Wednesday (weekday 2)
    joined = WorkingWeek(LONDON, (WeeklyBlock(2, time(9), time(12)), WeeklyBlock(2, time(12), time(17))))
    lunch = WorkingWeek(LONDON, (WeeklyBlock(2, time(9), time(12)), WeeklyBlock(2, time(13), time(17))))
    across_noon = datetime(2026, 1, 14, 11, 50, tzinfo=UTC)

    assert is_bookable(
        free_all_day(LONDON), slot_start=across_noon, duration_minutes=30, now=LONG_AGO, within=[joined]
    )
    assert not is_bookable(
        free_all_day(LONDON), slot_start=across_noon, duration_minutes=30, now=LONG_AGO, within=[lunch]
    )
    assert utc_span_of_day(free_all_day(LONDON), day, [lunch]) == ("09:00", "17:00")
    assert lies_within(Interval(across_noon, across_noon + timedelta(minutes=30)), joined)
    assert not lies_within(Interval(across_noon, across_noon + timedelta(minutes=30)), lunch)


def test_working_hours_on_the_day_new_york_springs_forward_last_real_time():
    new_york = "America/New_York"
    sunday = 6
    # 01:00 EST (06:00 UTC) to 04:00 EDT (08:00 UTC): two real hours, 02:00–03:00 never happens.
    night = WorkingWeek(new_york, (WeeklyBlock(sunday, time(1), time(4)),))
    assert utc_span_of_day(free_all_day(new_york), date(2026, 3, 8), [night]) == ("06:00", "08:00")
    # Beginning inside the skipped hour: from the change itself, 03:00 EDT = 07:00 UTC.
    in_the_gap = WorkingWeek(new_york, (WeeklyBlock(sunday, time(2, 30), time(5)),))
    assert utc_span_of_day(free_all_day(new_york), date(2026, 3, 8), [in_the_gap]) == ("07:00", "09:00")


def test_working_hours_ending_in_a_skipped_or_repeated_hour_end_at_its_first_real_reading():
    new_york = "America/New_York"
    # Ending at 02:30 on 8 March, a time that never happens: at the change, 07:00 UTC.
    spring = WorkingWeek(new_york, (WeeklyBlock(6, time(0), time(2, 30)),))
    assert utc_span_of_day(free_all_day(new_york), date(2026, 3, 8), [spring], duration=10) == (
        "05:00",
        "07:00",
    )
    # Ending at 01:30 on 1 November, a time that happens twice: the first time, 01:30 EDT = 05:30 UTC.
    autumn = WorkingWeek(new_york, (WeeklyBlock(6, time(0), time(1, 30)),))
    assert utc_span_of_day(free_all_day(new_york), date(2026, 11, 1), [autumn], duration=10) == (
        "04:00",
        "05:30",
    )


def test_working_hours_on_the_day_new_york_falls_back_last_three_real_hours():
    new_york = "America/New_York"
    # 01:00 EDT (05:00 UTC) to 03:00 EST (08:00 UTC): the repeated hour is worked twice.
    night = WorkingWeek(new_york, (WeeklyBlock(6, time(1), time(3)),))
    assert utc_span_of_day(free_all_day(new_york), date(2026, 11, 1), [night]) == ("05:00", "08:00")


def test_the_mentor_schedule_still_applies_inside_working_hours():
    mentor = MentorSchedule(timezone=LONDON, blocks=(WeeklyBlock(2, time(16), time(18)),))
    assert utc_span_of_day(mentor, date(2026, 1, 14), [office_week(LONDON)]) == ("16:00", "17:00")
    assert utc_span_of_day(mentor, date(2026, 1, 14), []) == ("16:00", "18:00")


def test_first_bookable_slot_skips_to_the_first_time_inside_working_hours():
    # Monday 23 November 2026, 00:00 UTC: free at once, but the London asker's day begins at 09:00.
    now = datetime(2026, 11, 23, tzinfo=UTC)
    first = first_bookable_slot(
        free_all_day(LONDON),
        start=now,
        end=now + timedelta(days=7),
        duration_minutes=20,
        now=now,
        within=[office_week(LONDON)],
    )
    assert first == Interval(datetime(2026, 11, 23, 9, tzinfo=UTC), datetime(2026, 11, 23, 9, 20, tzinfo=UTC))


def test_saturday_working_hours_in_tokyo_are_friday_in_london():
    tokyo = WorkingWeek("Asia/Tokyo", (WeeklyBlock(5, time(6), time(8)),))  # Saturday 06:00–08:00 JST
    friday = date(2026, 1, 16)
    assert utc_span_of_day(free_all_day(LONDON), friday, [tokyo]) == ("21:00", "23:00")


def test_an_unknown_zone_in_working_hours_is_refused_by_name():
    with pytest.raises(ValueError, match="Mars/Olympus"):
        WorkingWeek("Mars/Olympus", ())
