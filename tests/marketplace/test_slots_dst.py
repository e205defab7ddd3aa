"""The slot engine across daylight-saving changes: wall-clock blocks, skipped hours and repeated hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from marketplace.slots import Interval, MentorSchedule, WeeklyBlock, bookable_slots, is_bookable
from marketplace.timezones import resolve_local, resolve_local_end

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
NEW_YORK = "America/New_York"
NY_SPRING_FORWARD = date(2026, 3, 8)  # 02:00 EST -> 03:00 EDT, at 07:00 UTC
NY_FALL_BACK = date(2026, 11, 1)  # 02:00 EDT -> 01:00 EST, at 06:00 UTC
EVERY_DAY = range(7)


def every_day(start: str, end: str, zone: str) -> MentorSchedule:
    first, last = time.fromisoformat(start), time.fromisoformat(end)
    return MentorSchedule(timezone=zone, blocks=tuple(WeeklyBlock(day, first, last) for day in EVERY_DAY))


def slots_on(schedule: MentorSchedule, day: date, *, duration: int = 30) -> list[Interval]:
    """Slots whose start falls on ``day`` in the mentor's zone."""
    zone = ZoneInfo(schedule.timezone)
    return bookable_slots(
        schedule,
        start=datetime.combine(day, time(), tzinfo=zone),
        end=datetime.combine(day + timedelta(days=1), time(), tzinfo=zone),
        duration_minutes=duration,
        now=LONG_AGO,
    )


def wall_clock(slots: list[Interval], zone: str) -> list[str]:
    return [slot.start.astimezone(ZoneInfo(zone)).strftime("%H:%M %Z") for slot in slots]


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# (zone, day the clocks go forward, day they go back), from the tz database for 2026 and 2027.
CHANGES = [
    ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ("America/New_York", date(2027, 3, 14), date(2027, 11, 7)),
    ("Europe/London", date(2026, 3, 29), date(2026, 10, 25)),
    ("Europe/London", date(2027, 3, 28), date(2027, 10, 31)),
    ("Australia/Sydney", date(2026, 10, 4), date(2026, 4, 5)),
    ("Australia/Sydney", date(2027, 10, 3), date(2027, 4, 4)),
]


@pytest.mark.parametrize(("zone", "forward", "back"), CHANGES)
def test_the_change_dates_used_here_are_real(zone: str, forward: date, back: date) -> None:
    def offset(day: date) -> timedelta:
        at_noon = datetime.combine(day, time(12), tzinfo=ZoneInfo(zone)).utcoffset()
        assert at_noon is not None
        return at_noon

    assert offset(forward + timedelta(days=1)) - offset(forward - timedelta(days=1)) == timedelta(hours=1)
    assert offset(back + timedelta(days=1)) - offset(back - timedelta(days=1)) == timedelta(hours=-1)


@pytest.mark.parametrize(("zone", "forward", "back"), CHANGES)
def test_a_nine_oclock_block_stays_at_nine_local_across_both_changes(
    zone: str, forward: date, back: date
) -> None:
    schedule = every_day("09:00", "10:00", zone)

    for change, shift in ((forward, timedelta(hours=-1)), (back, timedelta(hours=1))):
        days = [change - timedelta(days=1), change, change + timedelta(days=1)]
        firsts = []
        for day in days:
            slots = slots_on(schedule, day)
            assert [slot.start.astimezone(ZoneInfo(zone)).strftime("%H:%M") for slot in slots] == [
                "09:00",
                "09:10",
                "09:20",
                "09:30",
            ]
            firsts.append(slots[0].start)
        # The change happens before 09:00 on its day, so the UTC instant moves by an hour from that day on.
        assert firsts[1] - firsts[0] == timedelta(days=1) + shift
        assert firsts[2] - firsts[1] == timedelta(days=1)


def test_new_york_nine_oclock_is_14_utc_in_winter_and_13_utc_in_summer() -> None:
    schedule = every_day("09:00", "10:00", NEW_YORK)

    assert slots_on(schedule, date(2026, 3, 6))[0].start == utc(2026, 3, 6, 14)
    assert slots_on(schedule, date(2026, 3, 9))[0].start == utc(2026, 3, 9, 13)
    assert slots_on(schedule, date(2026, 10, 30))[0].start == utc(2026, 10, 30, 13)
    assert slots_on(schedule, date(2026, 11, 2))[0].start == utc(2026, 11, 2, 14)


def test_a_block_covering_the_skipped_hour_never_starts_inside_it() -> None:
    schedule = every_day("01:00", "04:00", NEW_YORK)

    slots = slots_on(schedule, NY_SPRING_FORWARD)

    assert wall_clock(slots, NEW_YORK) == [
        "01:00 EST",
        "01:10 EST",
        "01:20 EST",
        "01:30 EST",
        "01:40 EST",
        "01:50 EST",
        "03:00 EDT",
        "03:10 EDT",
        "03:20 EDT",
        "03:30 EDT",
    ]
    assert slots[-1].end == utc(2026, 3, 8, 8)  # 04:00 EDT


def test_the_skipped_hour_is_skipped_in_london_too() -> None:
    schedule = every_day("00:30", "03:00", "Europe/London")

    slots = slots_on(schedule, date(2026, 3, 29), duration=20)

    assert not [label for label in wall_clock(slots, "Europe/London") if label.startswith("01:")]
    assert [slot.start for slot in slots][:3] == [
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 0, 40),
        utc(2026, 3, 29, 0, 50),
    ]
    assert slots[3].start == utc(2026, 3, 29, 1)  # 02:00 BST, the first time after the gap


def test_a_slot_across_the_skipped_hour_lasts_its_real_length() -> None:
    slots = slots_on(every_day("01:00", "04:00", NEW_YORK), NY_SPRING_FORWARD)
    at_150 = next(slot for slot in slots if slot.start == utc(2026, 3, 8, 6, 50))  # 01:50 EST

    assert at_150.end == utc(2026, 3, 8, 7, 20)  # 03:20 EDT: thirty real minutes later


def test_a_block_ending_in_the_skipped_hour_ends_at_the_transition() -> None:
    schedule = every_day("01:00", "02:30", NEW_YORK)

    slots = slots_on(schedule, NY_SPRING_FORWARD)

    assert wall_clock(slots, NEW_YORK) == ["01:00 EST", "01:10 EST", "01:20 EST", "01:30 EST"]
    assert slots[-1].end == utc(2026, 3, 8, 7)  # 03:00 EDT, never 03:30 EDT


def test_a_block_starting_in_the_skipped_hour_starts_when_the_clock_resumes() -> None:
    schedule = every_day("02:30", "04:00", NEW_YORK)

    slots = slots_on(schedule, NY_SPRING_FORWARD)

    assert wall_clock(slots, NEW_YORK)[0] == "03:00 EDT"
    assert slots[0].start == utc(2026, 3, 8, 7)


def test_a_block_wholly_inside_the_skipped_hour_offers_nothing() -> None:
    schedule = every_day("02:00", "02:50", NEW_YORK)

    assert slots_on(schedule, NY_SPRING_FORWARD, duration=20) == []
    assert len(slots_on(schedule, NY_SPRING_FORWARD + timedelta(days=1), duration=20)) == 4


def test_the_repeated_hour_is_offered_once() -> None:
    schedule = every_day("00:00", "03:00", NEW_YORK)

    slots = slots_on(schedule, NY_FALL_BACK)
    labels = [slot.start.astimezone(ZoneInfo(NEW_YORK)).strftime("%H:%M") for slot in slots]

    assert len(labels) == len(set(labels))
    assert [label for label in labels if label.startswith("01:")] == [
        "01:00",
        "01:10",
        "01:20",
        "01:30",
        "01:40",
        "01:50",
    ]
    assert len(slots) == 16  # 00:00-01:50 EDT and 02:00-02:30 EST
    # Nothing starts in the second pass through 01:00-01:59 (06:00-06:59 UTC).
    assert not [slot for slot in slots if utc(2026, 11, 1, 6) <= slot.start < utc(2026, 11, 1, 7)]


def test_the_repeated_hour_means_its_first_occurrence() -> None:
    slots = slots_on(every_day("01:00", "01:40", NEW_YORK), NY_FALL_BACK)

    assert [slot.start for slot in slots] == [utc(2026, 11, 1, 5, 0), utc(2026, 11, 1, 5, 10)]  # EDT
    assert slots[-1].end == utc(2026, 11, 1, 5, 40)


def test_the_second_occurrence_of_a_repeated_time_is_not_bookable() -> None:
    schedule = every_day("00:00", "03:00", NEW_YORK)

    assert is_bookable(schedule, slot_start=utc(2026, 11, 1, 5, 30), duration_minutes=30, now=LONG_AGO)
    assert not is_bookable(schedule, slot_start=utc(2026, 11, 1, 6, 30), duration_minutes=30, now=LONG_AGO)


def test_a_slot_across_the_fall_back_lasts_its_real_length() -> None:
    slots = slots_on(every_day("00:00", "03:00", NEW_YORK), NY_FALL_BACK)
    at_150 = next(slot for slot in slots if slot.start == utc(2026, 11, 1, 5, 50))  # 01:50 EDT

    assert at_150.end == utc(2026, 11, 1, 6, 20)  # 01:20 EST
    assert slots[-1].end == utc(2026, 11, 1, 8)  # 03:00 EST


def test_a_midnight_change_in_sao_paulo_is_handled_like_any_other() -> None:
    # 2018-11-04: midnight did not happen (00:00 -03 -> 01:00 -02). 2019-02-16: 23:00-23:59 happened twice.
    schedule = every_day("00:00", "02:00", "America/Sao_Paulo")

    spring = slots_on(schedule, date(2018, 11, 4))
    assert wall_clock(spring, "America/Sao_Paulo")[0] == "01:00 -02"
    assert spring[0].start == utc(2018, 11, 4, 3)

    late = every_day("22:30", "23:59", "America/Sao_Paulo")
    autumn = slots_on(late, date(2019, 2, 16))
    starts = [slot.start.astimezone(ZoneInfo("America/Sao_Paulo")).strftime("%H:%M") for slot in autumn]
    assert len(starts) == len(set(starts))
    assert autumn[-1].start == utc(2019, 2, 17, 1, 20)  # 23:20 -02, the first 23:20


def test_a_fall_back_across_midnight_offers_the_repeated_stretch_once() -> None:
    # Moncton, 2006-10-29 00:01 ADT (03:01 UTC): clocks went back to Saturday 23:01 AST, so Saturday
    # 23:01-23:59 and Sunday 00:00 happened twice.
    moncton = ZoneInfo("America/Moncton")
    assert datetime(2006, 10, 28, 23, 10, tzinfo=moncton).astimezone(UTC) == utc(2006, 10, 29, 2, 10)
    assert datetime(2006, 10, 28, 23, 10, fold=1, tzinfo=moncton).astimezone(UTC) == utc(2006, 10, 29, 3, 10)
    schedule = MentorSchedule(
        timezone="America/Moncton",
        blocks=(WeeklyBlock(5, time(22), time(23, 59)), WeeklyBlock(6, time(0), time(0, 59))),
    )

    assert is_bookable(schedule, slot_start=utc(2006, 10, 29, 2, 10), duration_minutes=10, now=LONG_AGO)
    assert not is_bookable(schedule, slot_start=utc(2006, 10, 29, 3, 10), duration_minutes=10, now=LONG_AGO)
    # The range ends in the second pass through Saturday 23:30; the first-pass Sunday 00:00 lies inside it.
    slots = bookable_slots(
        schedule,
        start=utc(2006, 10, 29, 2, 45),
        end=utc(2006, 10, 29, 3, 30),
        duration_minutes=10,
        now=LONG_AGO,
    )
    assert [slot.start for slot in slots] == [utc(2006, 10, 29, 3, 0)]


def test_a_sydney_monday_morning_is_a_new_york_sunday() -> None:
    schedule = MentorSchedule(timezone="Australia/Sydney", blocks=(WeeklyBlock(0, time(9), time(10)),))
    new_york = ZoneInfo(NEW_YORK)

    for monday, expected in (
        (date(2026, 6, 15), datetime(2026, 6, 14, 19, 0, tzinfo=new_york)),  # AEST +10, EDT -4
        (date(2026, 1, 12), datetime(2026, 1, 11, 17, 0, tzinfo=new_york)),  # AEDT +11, EST -5
    ):
        first = slots_on(schedule, monday)[0].start
        seen_from_new_york = first.astimezone(new_york)

        assert seen_from_new_york == expected
        assert seen_from_new_york.weekday() == 6
        assert seen_from_new_york.strftime("%A %H:%M") == expected.strftime("%A %H:%M")


@pytest.mark.parametrize(
    ("zone", "day"),
    [(zone, change) for zone, forward, back in CHANGES for change in (forward, back)]
    + [("America/Sao_Paulo", date(2018, 11, 4)), ("America/Sao_Paulo", date(2019, 2, 16))],
)
def test_is_bookable_agrees_with_the_listing_every_minute_around_a_change(zone: str, day: date) -> None:
    schedule = MentorSchedule(
        timezone=zone,
        blocks=tuple(WeeklyBlock(weekday, time(0), time(23, 59)) for weekday in EVERY_DAY),
        busy=(
            Interval(
                datetime.combine(day, time(12), tzinfo=ZoneInfo(zone)),
                datetime.combine(day, time(13), tzinfo=ZoneInfo(zone)),
            ),
        ),
        buffer_minutes=15,
    )
    start = datetime.combine(day - timedelta(days=1), time(), tzinfo=ZoneInfo(zone))
    end = datetime.combine(day + timedelta(days=2), time(), tzinfo=ZoneInfo(zone))
    listed = {
        slot.start
        for slot in bookable_slots(schedule, start=start, end=end, duration_minutes=20, now=LONG_AGO)
    }

    minute = start.astimezone(UTC)
    while minute < end:
        assert is_bookable(schedule, slot_start=minute, duration_minutes=20, now=LONG_AGO) == (
            minute in listed
        ), minute
        minute += timedelta(minutes=1)
    assert len(listed) > 3 * 100


def test_resolve_local_gives_the_first_occurrence_and_nothing_for_a_skipped_time() -> None:
    zone = ZoneInfo(NEW_YORK)

    assert resolve_local(datetime(2026, 11, 1, 1, 30), zone) == utc(2026, 11, 1, 5, 30)
    assert resolve_local(datetime(2026, 3, 8, 2, 30), zone) is None
    assert resolve_local(datetime(2026, 3, 8, 3, 0), zone) == utc(2026, 3, 8, 7)


def test_resolve_local_end_clamps_a_skipped_time_to_the_transition() -> None:
    zone = ZoneInfo(NEW_YORK)

    assert resolve_local_end(datetime(2026, 3, 8, 2, 0), zone) == utc(2026, 3, 8, 7)
    assert resolve_local_end(datetime(2026, 3, 8, 2, 59), zone) == utc(2026, 3, 8, 7)
    assert resolve_local_end(datetime(2026, 3, 8, 1, 59), zone) == utc(2026, 3, 8, 6, 59)
    assert resolve_local_end(datetime(2026, 11, 1, 1, 30), zone) == utc(2026, 11, 1, 5, 30)
