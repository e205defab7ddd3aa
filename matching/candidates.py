"""Candidate generation: from a need to ranked matches in eight queries, whatever the size of the company.

1. One query: the accepting mentors (never the asker) who offer at least one asked skill, with their levels,
   department, zone and mentoring settings. The database filters by skill; nobody else is loaded.
2. In Python they are ordered by `ranking.pool_order_key` (skills covered, preferences, then a fair
   pseudo-random order) and cut to POOL_SIZE. The slot engine's inputs for that pool come in one round
   through marketplace.schedules (weekly blocks, time off, and the busy time of the pool and the asker
   together: sessions, and busy times from their own calendars, one query each) plus the working hours of
   the asker and the pool (one).
3. The slot engine (the same code as booking) finds each mentor's first slot that ends by the deadline, the
   first inside both people's working hours when there is one: first for the SHORTLIST best of the pool,
   then, only when fewer than TOP_N of those have a slot inside working hours, for the rest.
4. Ratings and track records of those with a slot (one query per registered provider), then `ranking.rank`.

Loading the whole pool in one round keeps the query count fixed; widening only costs slot-engine time.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from marketplace import schedules, session_data
from marketplace.models import MentorProfile, UserSkill
from marketplace.session_data import Rating, TrackRecord
from marketplace.slots import Interval, MentorSchedule, WorkingWeek, first_bookable_slot, lies_within
from matching import ranking
from matching.models import MentorRequest
from matching.ranking import DEFAULT_WEIGHTS, AskedSkill, Candidate, Match, Need, OfferedSkill, Weights


@dataclass(frozen=True)
class Shortlist:
    """The ranked matches, with the ratings they were ranked on (the API shows them with each mentor)."""

    matches: list[Match]
    ratings: Mapping[int, Rating]
    # How each match's slot sits in the working hours, and the sooner slot outside them if there is one.
    slots: Mapping[int, "FirstSlot"] = field(default_factory=dict)


EMPTY = Shortlist(matches=[], ratings={})
POOL_SIZE = 200  # mentors whose schedules are loaded for one request
SHORTLIST = 50  # of which the slot engine looks at these first
RECENT_LOAD_WINDOW = timedelta(weeks=4)


@dataclass(frozen=True)
class FirstSlot:
    """A mentor's slot for the shortlist: the first inside both people's working hours, else the first."""

    slot: Interval
    in_asker_hours: bool | None = None  # None: that person's working hours are not known
    in_mentor_hours: bool | None = None
    earlier: Interval | None = None  # a sooner slot outside someone's working hours ("show all times")

    @property
    def in_working_hours(self) -> bool:
        """Inside every working week known (a slot counts as inside hours nobody gave)."""
        return self.in_asker_hours is not False and self.in_mentor_hours is not False


@dataclass
class Offer:
    """A mentor who offers an asked skill, as the first query sees them."""

    mentor_id: int
    levels: dict[int, int]  # asked skill id -> level
    timezone: str  # of their weekly blocks
    department_id: int | None = None
    department_name: str = ""
    # The mentoring settings marketplace.schedules needs: (availability zone, lengths, notice, buffer, cap).
    # None where the schedules come from elsewhere (bench/matching_sim.py builds its own).
    mentoring: tuple[str, list[int], int, int, int] | None = None

    def profile(self) -> MentorProfile:
        """An unsaved profile from the first query's columns, as marketplace.schedules reads it."""
        if self.mentoring is None:
            raise ValueError(f"The offer of mentor {self.mentor_id} was made without its mentoring settings.")
        zone, lengths, notice, buffer, cap = self.mentoring
        return MentorProfile(
            user_id=self.mentor_id,
            availability_timezone=zone,
            session_lengths=lengths,
            min_notice_minutes=notice,
            buffer_minutes=buffer,
            weekly_minutes_cap=cap,
            accepting=True,
        )


def need_for(request: MentorRequest) -> Need:
    """The engine's view of a stored request (its asker, with department, and its skills already loaded)."""
    asker = request.asker
    return Need(
        asker_id=asker.pk,
        skills=tuple(AskedSkill(skill.pk, skill.name) for skill in request.skills.all()),
        needed_by=request.needed_by,
        duration_minutes=request.duration,
        asker_timezone=asker.timezone,
        asker_department_id=asker.department_id,
        prefer_other_department=request.prefer_other_department,
        prefer_same_timezone=request.prefer_same_timezone,
        widened=request.escalation >= MentorRequest.Escalation.WIDENED,
    )


def find_matches(need: Need, *, now: datetime, weights: Weights = DEFAULT_WEIGHTS) -> Shortlist:
    """The best mentors for `need`, each with their first slot before the deadline (at most 8 queries)."""
    if not need.skills or need.needed_by - timedelta(minutes=need.duration_minutes) <= now:
        return EMPTY
    pool = pool_of(need, _mentors_offering(need), now)
    if not pool:
        return EMPTY
    found, asker_busy = schedules.schedules_with_asker_busy(
        [offer.mentor_id for offer in pool],
        asker_id=need.asker_id,
        start=now,
        end=need.needed_by,
        profiles=[offer.profile() for offer in pool],
    )
    hours = schedules.working_weeks([need.asker_id, *found])
    slots = first_slots(need, pool, found, asker_busy=asker_busy, now=now, hours=hours)
    with_slot = [mentor_id for mentor_id, slot in slots.items() if slot is not None]
    ratings = session_data.ratings(with_slot)
    records = session_data.track_records(with_slot, now - RECENT_LOAD_WINDOW)
    matches = ranking.rank(need, build_candidates(pool, found, slots, ratings, records), now, weights)
    return Shortlist(
        matches=matches,
        ratings={
            match.mentor_id: ratings[match.mentor_id] for match in matches if match.mentor_id in ratings
        },
        slots={match.mentor_id: first for match in matches if (first := slots.get(match.mentor_id))},
    )


# The steps between the queries are pure: bench/matching_sim.py runs exactly this code on its own data.


def pool_of(need: Need, offers: Iterable[Offer], now: datetime) -> list[Offer]:
    """The POOL_SIZE offers whose schedules are worth loading, in `ranking.pool_order_key` order."""
    return sorted(
        offers,
        key=lambda offer: ranking.pool_order_key(
            need,
            offer.mentor_id,
            offer.levels,
            department_id=offer.department_id,
            timezone=offer.timezone,
            at=now,
        ),
    )[:POOL_SIZE]


def first_slots(
    need: Need,
    pool: Sequence[Offer],
    found: Mapping[int, MentorSchedule],
    *,
    asker_busy: Sequence[Interval],
    now: datetime,
    hours: Mapping[int, WorkingWeek] | None = None,
) -> dict[int, FirstSlot | None]:
    """Each mentor's first slot that is over by the deadline: the SHORTLIST first, the rest only when fewer
    than TOP_N of those have one inside both people's working hours.

    With `hours` (people's working weeks by id), the first slot inside both the asker's and the mentor's
    hours when there is one; without, every slot counts as inside them (bench/matching_sim.py).
    """
    # The end of the range is exclusive: a slot may start at needed_by - duration at the latest.
    last_start = need.needed_by - timedelta(minutes=need.duration_minutes) + timedelta(microseconds=1)
    asker_week = (hours or {}).get(need.asker_id)
    slots: dict[int, FirstSlot | None] = {}
    for tier in (pool[:SHORTLIST], pool[SHORTLIST:]):
        # Enough means enough inside working hours: those rank first, so night-only ones do not count.
        if sum(first is not None and first.in_working_hours for first in slots.values()) >= ranking.TOP_N:
            break
        for offer in tier:
            schedule = found.get(offer.mentor_id)
            mentor_week = (hours or {}).get(offer.mentor_id)
            slots[offer.mentor_id] = (
                _first_slot(need, schedule, [mentor_week, asker_week], last_start, asker_busy, now)
                if schedule is not None
                else None
            )
    return slots


def _first_slot(
    need: Need,
    schedule: MentorSchedule,
    weeks: Sequence[WorkingWeek | None],
    last_start: datetime,
    asker_busy: Sequence[Interval],
    now: datetime,
) -> FirstSlot | None:
    """The first slot inside the mentor's and the asker's working weeks (None: not known), else the first."""

    def first(end: datetime, within: Sequence[WorkingWeek] = ()) -> Interval | None:
        return first_bookable_slot(
            schedule,
            start=now,
            end=end,
            duration_minutes=need.duration_minutes,
            now=now,
            asker_busy=asker_busy,
            within=within,
        )

    mentor_week, asker_week = weeks
    known = [week for week in (mentor_week, asker_week) if week is not None]
    inside = first(last_start, known) if known else None
    if inside is not None:
        return FirstSlot(
            inside,
            in_asker_hours=asker_week is not None or None,
            in_mentor_hours=mentor_week is not None or None,
            earlier=first(inside.start),
        )
    slot = first(last_start)
    if slot is None:
        return None
    return FirstSlot(
        slot,
        in_asker_hours=None if asker_week is None else lies_within(slot, asker_week),
        in_mentor_hours=None if mentor_week is None else lies_within(slot, mentor_week),
    )


def build_candidates(
    pool: Sequence[Offer],
    found: Mapping[int, MentorSchedule],
    slots: Mapping[int, FirstSlot | None],
    ratings: Mapping[int, Rating],
    records: Mapping[int, TrackRecord],
) -> list[Candidate]:
    """The engine's candidates: the mentors with a slot, with their load, rating and record (none = new)."""
    candidates = []
    for offer in pool:
        first = slots.get(offer.mentor_id)
        if first is None:
            continue
        schedule = found[offer.mentor_id]
        rating, record = ratings.get(offer.mentor_id), records.get(offer.mentor_id)
        candidates.append(
            Candidate(
                mentor_id=offer.mentor_id,
                skills=tuple(OfferedSkill(skill_id, level) for skill_id, level in offer.levels.items()),
                slot=first.slot,
                in_asker_hours=first.in_asker_hours,
                in_mentor_hours=first.in_mentor_hours,
                timezone=offer.timezone,
                department_id=offer.department_id,
                department_name=offer.department_name,
                weekly_minutes_cap=schedule.weekly_minutes_cap,
                booked_minutes_by_week=schedule.booked_minutes_by_week,
                held_recently=record.held_recently if record else 0,
                held_total=record.held_total if record else 0,
                no_shows=record.no_shows if record else 0,
                cancelled_by_mentor=record.cancelled_by_mentor if record else 0,
                rating_average=rating.average if rating else None,
                rating_count=rating.count if rating else 0,
            )
        )
    return candidates


def _mentors_offering(need: Need) -> list[Offer]:
    """Accepting mentors, not the asker, who offer an asked skill and the asked length: one query."""
    rows = (
        UserSkill.objects.filter(
            skill_id__in=[skill.skill_id for skill in need.skills],
            user__is_mentor=True,
            user__is_active=True,
            user__mentor_profile__accepting=True,
        )
        .exclude(user_id=need.asker_id)
        .order_by()
        .values_list(
            "user_id",
            "skill_id",
            "level",
            "user__department_id",
            "user__department__name",
            "user__mentor_profile__availability_timezone",
            "user__mentor_profile__session_lengths",
            "user__mentor_profile__min_notice_minutes",
            "user__mentor_profile__buffer_minutes",
            "user__mentor_profile__weekly_minutes_cap",
        )
    )
    offers: dict[int, Offer] = {}
    for (
        mentor_id,
        skill_id,
        level,
        department_id,
        department_name,
        zone,
        lengths,
        notice,
        buffer,
        cap,
    ) in rows:
        offer = offers.get(mentor_id)
        if offer is None:
            if need.duration_minutes not in (lengths or ()):
                continue
            offer = offers[mentor_id] = Offer(
                mentor_id=mentor_id,
                levels={},
                timezone=zone,
                department_id=department_id,
                department_name=department_name or "",
                mentoring=(zone, lengths, notice, buffer, cap),
            )
        offer.levels[skill_id] = level
    return list(offers.values())
