"""Loading mentors' schedules from the database for the pure slot engine, in a fixed number of queries.

Listing slots (pages, API, matching) and accepting a booking both come through here, so they cannot disagree.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta

from marketplace import session_data
from marketplace.models import DEFAULT_WORKING_HOURS, AvailabilityBlock, MentorProfile, TimeOff, User
from marketplace.slots import (
    Interval,
    MentorSchedule,
    WeeklyBlock,
    WorkingWeek,
    bookable_slots,
    first_bookable_slot,
    is_bookable,
)
from marketplace.timezones import iso_week_start

# Cap usage is counted per ISO week in the mentor's zone: look this far beyond the range to see whole weeks.
WEEK_MARGIN = timedelta(days=8)


def mentor_schedules(
    mentor_ids: Collection[int],
    *,
    start: datetime,
    end: datetime,
    ignore_keys: Collection[int] = (),
    profiles: Iterable[MentorProfile] | None = None,
    busy: Mapping[int, list[session_data.Commitment]] | None = None,
    asker_id: int | None = None,
) -> dict[int, MentorSchedule]:
    """Schedules of accepting mentors for slots starting in [start, end): 3 queries + 1 per busy provider.

    `ignore_keys` leaves sessions out (a session being rescheduled does not block its own new time); a slot
    held for `asker_id` (a waiting list's offer) is free for them and busy for everyone else.
    Mentors who are paused, not mentors, or without a profile are absent from the result. `busy` may carry
    commitments already read for [start - WEEK_MARGIN, end + WEEK_MARGIN) (see `schedules_with_asker_busy`).
    """
    if profiles is None:
        profiles = MentorProfile.objects.filter(user_id__in=mentor_ids, accepting=True, user__is_mentor=True)
    profiles = list(profiles)
    ids = [profile.user_id for profile in profiles]
    if not ids:
        return {}
    blocks: dict[int, list[WeeklyBlock]] = defaultdict(list)
    for mentor_id, weekday, block_start, block_end in AvailabilityBlock.objects.filter(
        mentor_id__in=ids
    ).values_list("mentor_id", "weekday", "start", "end"):
        blocks[mentor_id].append(WeeklyBlock(weekday, block_start, block_end))
    time_off: dict[int, list[Interval]] = defaultdict(list)
    for mentor_id, off_start, off_end in TimeOff.objects.filter(
        mentor_id__in=ids, end__gt=start, start__lt=end + timedelta(days=1)
    ).values_list("mentor_id", "start", "end"):
        time_off[mentor_id].append(Interval(off_start, off_end))
    if busy is None:
        busy = session_data.commitments(ids, start - WEEK_MARGIN, end + WEEK_MARGIN)

    schedules = {}
    for profile in profiles:
        mentor_id = profile.user_id
        mine = [item for item in busy.get(mentor_id, []) if _blocks(item, ignore_keys, asker_id)]
        minutes_by_week: dict = defaultdict(int)
        for item in mine:
            if item.as_mentor:
                week = iso_week_start(item.start, profile.availability_timezone)
                minutes_by_week[week] += int((item.end - item.start).total_seconds() // 60)
        schedules[mentor_id] = MentorSchedule(
            timezone=profile.availability_timezone,
            blocks=_merge_touching(blocks.get(mentor_id, [])),
            time_off=tuple(time_off.get(mentor_id, ())),
            busy=tuple(Interval(item.start, item.end) for item in mine),
            buffer_minutes=profile.buffer_minutes,
            min_notice_minutes=profile.min_notice_minutes,
            weekly_minutes_cap=profile.weekly_minutes_cap,
            booked_minutes_by_week=dict(minutes_by_week),
        )
    return schedules


def _blocks(item: session_data.Commitment, ignore_keys: Collection[int], asker_id: int | None) -> bool:
    """Whether a mentor's commitment takes the time for this asker."""
    if item.held_for is not None and item.held_for == asker_id:
        return False
    return item.key not in ignore_keys


def _merge_touching(blocks: list[WeeklyBlock]) -> tuple[WeeklyBlock, ...]:
    """09:00–10:00 and 10:00–11:00 on one day are one stretch: a session may run across the seam."""
    merged: list[WeeklyBlock] = []
    for block in sorted(blocks, key=lambda block: (block.weekday, block.start)):
        last = merged[-1] if merged else None
        if last and last.weekday == block.weekday and block.start <= last.end:
            merged[-1] = WeeklyBlock(last.weekday, last.start, max(last.end, block.end))
        else:
            merged.append(block)
    return tuple(merged)


def working_weeks(person_ids: Collection[int]) -> dict[int, WorkingWeek]:
    """Each person's working hours in their own zone (the default week when they set none): one query."""
    intervals: dict[int, list[WeeklyBlock]] = defaultdict(list)
    zones: dict[int, str] = {}
    for person_id, zone, weekday, start, end in User.objects.filter(pk__in=person_ids).values_list(
        "pk", "timezone", "working_hours__weekday", "working_hours__start", "working_hours__end"
    ):
        zones[person_id] = zone
        if weekday is not None:
            intervals[person_id].append(WeeklyBlock(weekday, start, end))
    default = tuple(WeeklyBlock(weekday, start, end) for weekday, start, end in DEFAULT_WORKING_HOURS)
    return {
        person_id: WorkingWeek(zone, tuple(sorted(intervals[person_id], key=_block_order)) or default)
        for person_id, zone in zones.items()
    }


def _block_order(block: WeeklyBlock) -> tuple:
    return (block.weekday, block.start)


def _both_weeks(weeks: Mapping[int, WorkingWeek], mentor_id: int, asker_id: int | None) -> list[WorkingWeek]:
    return [week for person_id in (mentor_id, asker_id) if (week := weeks.get(person_id or 0)) is not None]


def schedules_with_asker_busy(
    mentor_ids: Collection[int],
    *,
    asker_id: int | None,
    start: datetime,
    end: datetime,
    ignore_keys: Collection[int] = (),
    profiles: Iterable[MentorProfile] | None = None,
) -> tuple[dict[int, MentorSchedule], list[Interval]]:
    """The mentors' schedules (as `mentor_schedules`) and the asker's busy time, with one read of busy time
    for all of them: 3 queries + 1 per busy provider (sessions, people's own calendars), whoever asks.

    The asker's busy time covers [start - WEEK_MARGIN, end + WEEK_MARGIN), so any slot starting in the range
    meets all of it. No accepting mentor: only the profiles' query.
    """
    if profiles is None:
        profiles = MentorProfile.objects.filter(user_id__in=mentor_ids, accepting=True, user__is_mentor=True)
    profiles = list(profiles)
    if not profiles:
        return {}, []
    people = [profile.user_id for profile in profiles]
    if asker_id is not None and asker_id not in people:
        people.append(asker_id)
    busy = session_data.commitments(people, start - WEEK_MARGIN, end + WEEK_MARGIN)
    found = mentor_schedules(
        [profile.user_id for profile in profiles],
        start=start,
        end=end,
        ignore_keys=ignore_keys,
        profiles=profiles,
        busy=busy,
        asker_id=asker_id,
    )
    if asker_id is None:
        return found, []
    asker = [Interval(item.start, item.end) for item in busy.get(asker_id, []) if item.key not in ignore_keys]
    return found, asker


def slots_for_mentor(
    mentor_id: int,
    *,
    asker_id: int | None,
    start: datetime,
    end: datetime,
    duration_minutes: int,
    now: datetime,
    within_working_hours: bool = False,
) -> list[Interval]:
    """Every bookable slot of one mentor starting in [start, end), for this asker (docs/api.md "bookable").

    With `within_working_hours`, only those inside both the mentor's and the asker's working hours.
    """
    found, busy = schedules_with_asker_busy([mentor_id], asker_id=asker_id, start=start, end=end)
    schedule = found.get(mentor_id)
    if schedule is None:
        return []
    within: list[WorkingWeek] = []
    if within_working_hours:
        within = _both_weeks(working_weeks([mentor_id, *filter(None, [asker_id])]), mentor_id, asker_id)
    return bookable_slots(
        schedule,
        start=start,
        end=end,
        duration_minutes=duration_minutes,
        now=now,
        asker_busy=busy,
        within=within,
    )


def first_slots(
    mentor_ids: Collection[int],
    *,
    asker_id: int | None,
    start: datetime,
    end: datetime,
    durations: Mapping[int, int],
    now: datetime,
    profiles: Iterable[MentorProfile] | None = None,
    slot_must_end_by_range_end: bool = False,
    within_working_hours: bool = False,
) -> dict[int, Interval | None]:
    """The first bookable slot of each mentor starting in [start, end), each with its own duration.

    For many mentors at once (browse, matching) in a fixed number of queries. With slot_must_end_by_range_end
    a slot must also be over by `end` (help before a deadline); with `within_working_hours` it must lie in
    both the mentor's and the asker's working hours.
    """
    schedules, busy = schedules_with_asker_busy(
        mentor_ids, asker_id=asker_id, start=start, end=end, profiles=profiles
    )
    weeks = _weeks_if(within_working_hours, schedules, asker_id)
    found: dict[int, Interval | None] = {}
    for mentor_id, schedule in schedules.items():
        minutes = durations[mentor_id]
        last_start = (
            end - timedelta(minutes=minutes) + timedelta(microseconds=1)
            if slot_must_end_by_range_end
            else end
        )
        found[mentor_id] = first_bookable_slot(
            schedule,
            start=start,
            end=last_start,
            duration_minutes=minutes,
            now=now,
            asker_busy=busy,
            within=_both_weeks(weeks, mentor_id, asker_id),
        )
    return found


def _weeks_if(
    wanted: bool, schedules: Mapping[int, MentorSchedule], asker_id: int | None
) -> dict[int, WorkingWeek]:
    if not wanted or not schedules:
        return {}
    return working_weeks([*schedules, *filter(None, [asker_id])])


def upcoming_slots(
    mentor_ids: Collection[int],
    *,
    asker_id: int | None,
    start: datetime,
    end: datetime,
    durations: Mapping[int, int],
    now: datetime,
    limit: int,
    spacing: timedelta = timedelta(hours=1),
    profiles: Iterable[MentorProfile] | None = None,
    within_working_hours: bool = False,
) -> dict[int, list[Interval]]:
    """Up to `limit` bookable slots per mentor, at least `spacing` apart, for cards that offer a few times."""
    if limit == 1:  # the engine's early exit is much cheaper than listing every slot
        firsts = first_slots(
            mentor_ids,
            asker_id=asker_id,
            start=start,
            end=end,
            durations=durations,
            now=now,
            profiles=profiles,
            within_working_hours=within_working_hours,
        )
        return {mentor_id: [slot] if slot else [] for mentor_id, slot in firsts.items()}
    schedules, busy = schedules_with_asker_busy(
        mentor_ids, asker_id=asker_id, start=start, end=end, profiles=profiles
    )
    weeks = _weeks_if(within_working_hours, schedules, asker_id)
    found: dict[int, list[Interval]] = {}
    for mentor_id, schedule in schedules.items():
        minutes = durations[mentor_id]
        picked: list[Interval] = []
        for slot in bookable_slots(
            schedule,
            start=start,
            end=end,
            duration_minutes=minutes,
            now=now,
            asker_busy=busy,
            within=_both_weeks(weeks, mentor_id, asker_id),
        ):
            if not picked or slot.start - picked[-1].start >= spacing:
                picked.append(slot)
                if len(picked) == limit:
                    break
        found[mentor_id] = picked
    return found


def slot_is_bookable(
    mentor_id: int,
    *,
    asker_id: int,
    start: datetime,
    duration_minutes: int,
    now: datetime,
    ignore_keys: Collection[int] = (),
) -> bool:
    """The booking check: the same loading and the same engine as slot listing, so they never disagree."""
    end = start + timedelta(minutes=duration_minutes)
    # One read of busy time for both people: this runs under the mentor's lock on every booking.
    busy = session_data.commitments([mentor_id, asker_id], start - WEEK_MARGIN, end + WEEK_MARGIN)
    schedule = mentor_schedules(
        [mentor_id], start=start, end=end, ignore_keys=ignore_keys, busy=busy, asker_id=asker_id
    ).get(mentor_id)
    if schedule is None:
        return False
    asker = [
        Interval(item.start, item.end)
        for item in busy.get(asker_id, [])
        if item.key not in ignore_keys and item.start < end and item.end > start
    ]
    return is_bookable(
        schedule, slot_start=start, duration_minutes=duration_minutes, now=now, asker_busy=asker
    )
