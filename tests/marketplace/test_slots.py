"""The slot engine rule by rule; tests/marketplace/test_slots_properties.py checks it on random schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from marketplace.slots import (
    Interval,
    bookable_slots,
    first_bookable_slot,
    is_bookable,
)
from tests.marketplace.slot_cases import (
    BERLIN,
    LONG_AGO,
    MONDAY,
    TUESDAY,
    hhmm,
    local,
    mentor,
    slots_on,
    span,
)

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
