"""Demo sessions: weeks of history (completed, cancelled, no-show, with feedback and one-week follow-ups from
demo.reflections) and some upcoming ones.

How busy a mentor is follows the story (demo.story): most give a session or two a week, some rarely,
the few experts in scarce skills fill their weekly cap every week; and use grows over the history as the
programme is adopted.

Sessions sit inside the mentors' weekly blocks on a 40-minute lattice (so even 30 minutes plus a 10-minute
buffer never collide), keep within each mentor's weekly cap, and never overlap for a mentee. Upcoming ones
respect the mentor's notice, so the slot pages agree with them.

Built to be fast: rows are plain tuples generated in one pass and written in batches (COPY on PostgreSQL,
executemany elsewhere). A million sessions, with their feedback and follow-ups, take about a minute on
PostgreSQL.
"""

import random
from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from django.conf import settings
from django.db import connection
from django.utils import timezone

from demo.bulk import (
    EPOCH_ORDINAL,
    BulkWriter,
    Progress,
    first_free_id,
    reset_id_sequence,
    timestamp_formatter,
)
from demo.reflections import (
    DEMO_MENTEE_FOLLOW_UP_SHARE,
    FEEDBACK_COLUMNS,
    FOLLOW_UP_AFTER_SECONDS,
    FOLLOW_UP_COLUMNS,
    FOLLOW_UP_SHARE,
    add_feedback,
    add_follow_up,
)
from marketplace.models import AvailabilityBlock, MentorProfile
from marketplace.timezones import get_zone
from sessions_app.models import Booking, Feedback, FollowUp

LATTICE_MINUTES = 40
BUCKET_SECONDS = 300  # mentee overlap is checked on 5-minute buckets (zone offsets are multiples of 15)
UPCOMING_WEEKS = 2  # this week and the next
HISTORY_STATUSES = ("completed", "cancelled", "no_show")
HISTORY_WEIGHTS = (82, 11, 7)
# How many sessions a mentor usually gives a week (once the programme is adopted), and how many mentors each.
USUAL_SESSIONS_PER_WEEK = (0, 1, 2, 3, 4)
USUAL_SESSIONS_WEIGHTS = (6, 24, 32, 24, 14)
# Adoption: this many weeks ago use was ADOPTION_START of today's, growing steadily since.
ADOPTION_WEEKS = 20
ADOPTION_START = 0.5
DEMO_MENTOR_SESSIONS_PER_WEEK = (2, 3, 4, 5)
DEMO_MENTEE_SHARE_OF_DEMO_MENTOR = 0.35
DEMO_MENTEE_SHARE_ELSEWHERE = 0.01
TOPICS = (
    "Preparing a board presentation for Thursday",
    "Feedback on my promotion case",
    "How to run my first incident review",
    "Structuring a product discovery interview",
    "Negotiating scope with a demanding stakeholder",
    "Reviewing a SQL query that got slow",
    "Planning a roadmap for next quarter",
    "Giving difficult feedback to a peer",
    "Moving from engineer to team lead",
    "Making a design review more useful",
    "Explaining a data model to non-engineers",
    "Pricing experiment set-up",
    "Writing a clear one-page proposal",
    "Onboarding into a new team quickly",
    "Handling a tense customer escalation",
    "Public speaking nerves before a conference talk",
    "Choosing metrics for a new feature",
    "Delegating without losing track",
    "Accessibility checklist for our new form",
    "Preparing for a salary conversation",
)
CANCEL_REASONS = (
    "Deadline moved, no longer urgent",
    "Got sick, sorry",
    "Clash with a customer meeting",
    "Solved it in the meantime",
    "Travelling that day",
    "",
)
BOOKING_COLUMNS = (
    "id",
    "mentor_id",
    "mentee_id",
    "start",
    "end",
    "duration",
    "topic",
    "status",
    "meeting_url",
    "cancel_reason",
    "cancelled_by_id",
    "cancelled_at",
    "uid",
    "sequence",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class SeededSessions:
    sessions: int
    upcoming: int
    feedback: int
    follow_ups: int = 0


@dataclass
class _Mentor:
    id: int
    zone: str
    lengths: tuple[int, ...]
    notice_seconds: int
    cap: int
    accepting: bool
    meeting_url: str
    lattice: list[tuple[int, int]]  # (weekday, local minute of day) where a 30-minute session fits a block
    usual: int = 0  # sessions a week once the programme is adopted
    in_demand: bool = False  # booked to the cap every week


def seed_sessions(
    *,
    rng: random.Random,
    mentee_ids: list[int],
    demo_mentor_id: int,
    demo_mentee_id: int,
    weeks_of_history: int,
    progress: Progress,
    in_demand_mentor_ids: Collection[int] = (),
    now: datetime | None = None,
) -> SeededSessions:
    """Inserts sessions for every mentor over `weeks_of_history` past weeks plus this week and the next.

    `mentee_ids` may repeat an id: people listed more often book more often. Mentors in
    `in_demand_mentor_ids` are booked up to their weekly cap every week.
    """
    now = now or timezone.now()
    now_ts = int(now.timestamp())
    mentors = _load_mentors()
    if not mentors or not mentee_ids:
        return SeededSessions(0, 0, 0)
    in_demand = set(in_demand_mentor_ids)
    usual_cum_weights = list(accumulate(USUAL_SESSIONS_WEIGHTS))
    for mentor in mentors:
        mentor.in_demand = mentor.id in in_demand
        mentor.usual = rng.choices(USUAL_SESSIONS_PER_WEEK, cum_weights=usual_cum_weights)[0]
    postgres = connection.vendor == "postgresql"
    stamp = timestamp_formatter(postgres)
    template = settings.MEETING_URL_TEMPLATE

    next_id = first_free_id(Booking._meta.db_table)
    bookings = BulkWriter(Booking._meta.db_table, BOOKING_COLUMNS, progress, "sessions")
    feedback = BulkWriter(Feedback._meta.db_table, FEEDBACK_COLUMNS, progress, "feedback")
    follow_ups = BulkWriter(FollowUp._meta.db_table, FOLLOW_UP_COLUMNS, progress, "follow-ups")
    follow_up_before_ts = now_ts - FOLLOW_UP_AFTER_SECONDS

    today = now.astimezone(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    offsets: dict[tuple[str, int], int] = {}
    recent_weeks: deque[set[int]] = deque(maxlen=2)  # mentee occupancy of the previous and this week
    upcoming = 0
    demo_pair_upcoming = False  # the demo logins always have a session together to open
    choices, randrange, random_float = rng.choices, rng.randrange, rng.random
    total_weeks = weeks_of_history + UPCOMING_WEEKS
    for week_number, week in enumerate(range(-weeks_of_history, UPCOMING_WEEKS), start=1):
        monday = (this_monday + timedelta(weeks=week)).toordinal()
        adoption = adoption_in_week(week)
        occupied: set[int] = set()
        recent_weeks.append(occupied)
        earlier = recent_weeks[0] if len(recent_weeks) == 2 else set()
        for mentor in mentors:
            is_demo_mentor = mentor.id == demo_mentor_id
            if is_demo_mentor:
                wanted = rng.choice(DEMO_MENTOR_SESSIONS_PER_WEEK)
            elif mentor.in_demand:
                wanted = mentor.cap // mentor.lengths[0]  # as many as fit: the cap check below stops them
            else:
                # On average `usual` times the adoption, from 0 to usual + 1.
                chance = adoption * mentor.usual / (mentor.usual + 1)
                wanted = sum(random_float() < chance for _ in range(mentor.usual + 1))
            wanted = min(
                wanted,
                len(mentor.lattice),
                mentor.cap // (mentor.lengths[0] if mentor.in_demand else max(mentor.lengths)),
            )
            if not wanted:
                continue
            minutes_left = mentor.cap
            for weekday, minute in sorted(rng.sample(mentor.lattice, wanted)):
                duration = mentor.lengths[0] if len(mentor.lengths) == 1 else rng.choice(mentor.lengths)
                if duration > minutes_left:
                    continue
                day = monday + weekday
                key = (mentor.zone, day)
                offset = offsets.get(key)
                if offset is None:
                    offset = offsets[key] = _utc_offset_seconds(mentor.zone, day)
                start_ts = (day - EPOCH_ORDINAL) * 86_400 + minute * 60 - offset
                end_ts = start_ts + duration * 60
                if end_ts <= now_ts:
                    status = choices(HISTORY_STATUSES, HISTORY_WEIGHTS)[0]
                elif start_ts >= now_ts + mentor.notice_seconds and mentor.accepting:
                    status = "confirmed"
                else:
                    continue  # running now, or too soon for the mentor's notice
                mentee_id = _free_mentee(
                    rng,
                    mentee_ids,
                    start_ts,
                    end_ts,
                    (occupied, earlier),
                    demo_mentee_id,
                    _demo_mentee_share(is_demo_mentor, status == "confirmed" and not demo_pair_upcoming),
                )
                if mentee_id is None:
                    continue
                minutes_left -= duration
                created_ts = start_ts - 3600 * randrange(2, 240)
                if status == "cancelled":
                    cancelled_ts = created_ts + (start_ts - created_ts) // 2
                    cancelled_by = mentee_id if random_float() < 0.6 else mentor.id
                    cancel_fields: tuple[str, int | None, str | None] = (
                        rng.choice(CANCEL_REASONS),
                        cancelled_by,
                        stamp(cancelled_ts),
                    )
                    sequence, updated_ts = 1, cancelled_ts
                else:
                    cancel_fields = ("", None, None)
                    sequence, updated_ts = 0, (end_ts if status != "confirmed" else created_ts)
                    if status == "confirmed":
                        upcoming += 1
                        demo_pair_upcoming |= is_demo_mentor and mentee_id == demo_mentee_id
                bookings.add(
                    (
                        next_id,
                        mentor.id,
                        mentee_id,
                        stamp(start_ts),
                        stamp(end_ts),
                        duration,
                        TOPICS[randrange(len(TOPICS))],
                        status,
                        mentor.meeting_url or template.format(token=f"{rng.getrandbits(48):012x}"),
                        *cancel_fields,
                        f"{rng.getrandbits(128):032x}",
                        sequence,
                        stamp(created_ts),
                        stamp(updated_ts),
                    )
                )
                if status == "completed":
                    helped = add_feedback(rng, feedback, stamp, next_id, mentor.id, mentee_id, end_ts)
                    if end_ts <= follow_up_before_ts and random_float() < (
                        DEMO_MENTEE_FOLLOW_UP_SHARE if mentee_id == demo_mentee_id else FOLLOW_UP_SHARE
                    ):
                        add_follow_up(rng, follow_ups, stamp, next_id, end_ts, now_ts, helped)
                next_id += 1
        progress("session weeks", week_number, total_weeks)

    sessions = bookings.close()
    given = feedback.close()
    answered = follow_ups.close()
    if sessions:
        reset_id_sequence(Booking._meta.db_table)
    return SeededSessions(sessions, upcoming, given, answered)


def _demo_mentee_share(is_demo_mentor: bool, first_upcoming_of_demo_mentor: bool) -> float:
    if not is_demo_mentor:
        return DEMO_MENTEE_SHARE_ELSEWHERE
    return 1.0 if first_upcoming_of_demo_mentor else DEMO_MENTEE_SHARE_OF_DEMO_MENTOR


def adoption_in_week(week: int) -> float:
    """Use in a week (0: this one, negative: past) relative to today's, growing over ADOPTION_WEEKS."""
    weeks_ago = min(max(-week, 0), ADOPTION_WEEKS)
    return 1 - (1 - ADOPTION_START) * weeks_ago / ADOPTION_WEEKS


def _load_mentors() -> list[_Mentor]:
    lattice: dict[int, list[tuple[int, int]]] = {}
    for mentor_id, weekday, start, end in AvailabilityBlock.objects.order_by(
        "mentor_id", "weekday", "start"
    ).values_list("mentor_id", "weekday", "start", "end"):
        first, last = start.hour * 60 + start.minute, end.hour * 60 + end.minute
        first += -first % 10  # on the engine's 10-minute grid
        lattice.setdefault(mentor_id, []).extend(
            (weekday, minute) for minute in range(first, last - 30 + 1, LATTICE_MINUTES)
        )
    mentors = []
    for user_id, zone, lengths, notice, cap, accepting, meeting_url in (
        MentorProfile.objects.filter(user__is_mentor=True)
        .order_by("user_id")
        .values_list(
            "user_id",
            "availability_timezone",
            "session_lengths",
            "min_notice_minutes",
            "weekly_minutes_cap",
            "accepting",
            "meeting_url",
        )
    ):
        if lattice.get(user_id) and lengths:
            mentors.append(
                _Mentor(
                    user_id,
                    zone,
                    tuple(sorted(lengths)),
                    notice * 60,
                    cap,
                    accepting,
                    meeting_url,
                    lattice[user_id],
                )
            )
    return mentors


def _utc_offset_seconds(zone: str, ordinal: int) -> int:
    """The zone's UTC offset at local noon of that day (demo sessions are daytime, after any DST switch)."""
    offset = datetime.fromordinal(ordinal).replace(hour=12, tzinfo=get_zone(zone)).utcoffset()
    assert offset is not None  # an aware datetime has one
    return int(offset.total_seconds())


def _free_mentee(
    rng: random.Random,
    mentee_ids: list[int],
    start_ts: int,
    end_ts: int,
    weeks: Iterable[set[int]],
    demo_mentee_id: int,
    demo_share: float,
) -> int | None:
    """A mentee without another session at that time (three tries), or None; marks the time as taken."""
    buckets = range(start_ts // BUCKET_SECONDS, (end_ts - 1) // BUCKET_SECONDS + 1)
    current, earlier = weeks
    for attempt in range(3):
        if attempt == 0 and rng.random() < demo_share:
            mentee_id = demo_mentee_id
        else:
            mentee_id = mentee_ids[rng.randrange(len(mentee_ids))]
        keys = [(mentee_id << 32) | bucket for bucket in buckets]
        if not any(key in current or key in earlier for key in keys):
            current.update(keys)
            return mentee_id
    return None
