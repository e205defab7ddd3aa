"""Demo sessions: weeks of history (completed, cancelled, no-show, with feedback and one-week follow-ups),
some upcoming ones, and the informal moments people log.

How busy a mentor is follows the story of marketplace.demo: most give a session or two a week, some rarely,
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
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from django.conf import settings
from django.db import connection
from django.utils import timezone

from demo.people import BulkWriter, timestamp_formatter
from marketplace.models import AvailabilityBlock, MentorProfile, User
from marketplace.timezones import get_zone
from sessions_app.models import Booking, Feedback, FollowUp, Moment

Progress = Callable[[str, int, int], None]
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
COMMENTS = (
    "Exactly what I needed.",
    "Very practical, thank you!",
    "Good questions that made me rethink the plan.",
    "Helpful, though we ran out of time.",
    "",
    "",
)
NEXT_STEPS = (
    "Rehearse the opening twice",
    "Send the proposal draft on Friday",
    "Book a follow-up in two weeks",
    "Try the framework on the next review",
    "Ask my manager for a stretch project",
    "",
)
RATINGS = (1, 2, 3, 4, 5)
RATING_WEIGHTS = (2, 3, 10, 35, 50)
MENTEE_FEEDBACK_SHARE = 0.6
MENTEE_HELPFUL_SHARE = 0.86

# The one-week follow-up ("did it unblock you?"): asked a week after the end, answered for some sessions.
FOLLOW_UP_AFTER_SECONDS = 7 * 86_400
FOLLOW_UP_SHARE = 0.6
DEMO_MENTEE_FOLLOW_UP_SHARE = 0.9  # so the demo logins' pages show outcomes
FOLLOW_UP_LATEST_SECONDS = 4 * 86_400  # answered within a few days of being asked
OUTCOMES = ("yes", "partly", "no")
OUTCOME_WEIGHTS = (55, 30, 15)
# A mentee who said the session did not help rarely says a week later that it unblocked them.
OUTCOME_WEIGHTS_NOT_HELPED = (15, 35, 50)
FOLLOW_UP_NOTE_SHARE = 0.4
FOLLOW_UP_NOTES = {
    "yes": (
        "Presented on Thursday and it went well",
        "Sent the proposal, it was approved",
        "Used the framework in my review, it worked",
        "Had the conversation, we agreed a plan",
    ),
    "partly": (
        "Better, but I still need a second opinion",
        "Fixed half of it; the rest waits on another team",
        "Clearer plan, not started yet",
    ),
    "no": (
        "The deadline moved and it no longer mattered",
        "Still stuck; I will ask someone in my team",
        "Turned out to be a different problem",
    ),
}

# Informal moments: some people log a few a week; the demo mentee keeps a streak up to this week.
MOMENT_LOGGER_SHARE = 0.15
MOMENTS_PER_WEEK = (0, 1, 2, 3)
MOMENTS_PER_WEEK_WEIGHTS = (45, 33, 15, 7)
DEMO_MENTEE_STREAK_WEEKS = 4
DEMO_MENTEE_MOMENTS_PER_WEEK = 3  # sessions_app.selectors.MOMENTS_WEEKLY_GOAL
MOMENT_WITH_COLLEAGUE_SHARE = 0.7  # someone in the same department
MOMENT_WITH_ANYONE_SHARE = 0.15  # someone elsewhere; the rest are people not on Sidebar (a name)
MOMENT_KINDS = ("tip", "encouragement", "introduction", "advice", "other")
MOMENT_KIND_WEIGHTS = (30, 25, 15, 25, 5)
MOMENT_NOTES = {
    "tip": (
        "Showed me a shortcut for slicing the dashboard",
        "Shared the checklist she uses before a release",
        "Pointed me to the right template for the proposal",
        "Quick tip on structuring the first slide",
    ),
    "encouragement": (
        "Told me to go for the stretch project",
        "Cheered me on before the board meeting",
        "Reminded me how far the team has come",
    ),
    "introduction": (
        "Introduced me to the pricing team",
        "Connected me with someone who ran the same migration",
        "Put me in touch with a mentor in Data",
    ),
    "advice": (
        "Talked through how to push back on scope",
        "Advice on preparing for the salary conversation",
        "Helped me think through the reorg news",
        "Walked me through how they plan a quarter",
    ),
    "other": ("Coffee chat about careers in product", "Paired on a tricky query over lunch"),
}
OUTSIDE_NAMES = (
    "Sam (new joiner)",
    "Alex from the agency",
    "Priya, a contractor",
    "Jordan (starts next month)",
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
FOLLOW_UP_COLUMNS = ("booking_id", "outcome", "note", "created_at")
MOMENT_COLUMNS = ("author_id", "kind", "with_person_id", "with_name", "note", "happened_on", "created_at")
FEEDBACK_COLUMNS = (
    "booking_id",
    "author_id",
    "role",
    "rating",
    "helpful",
    "comment",
    "next_step",
    "created_at",
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

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {Booking._meta.db_table}")
        next_id = (cursor.fetchone()[0] or 0) + 1
    bookings = BulkWriter(Booking._meta.db_table, BOOKING_COLUMNS, progress, "sessions")
    feedback = BulkWriter(Feedback._meta.db_table, FEEDBACK_COLUMNS, progress, "feedback")
    follow_ups = BulkWriter(FollowUp._meta.db_table, FOLLOW_UP_COLUMNS, progress, "follow-ups")
    follow_up_before_ts = now_ts - FOLLOW_UP_AFTER_SECONDS

    today = now.astimezone(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    offsets: dict[tuple[str, int], int] = {}
    recent_weeks: deque[set[int]] = deque(maxlen=2)  # mentee occupancy of the previous and this week
    upcoming = 0
    choices, randrange, random_float = rng.choices, rng.randrange, rng.random
    total_weeks = weeks_of_history + UPCOMING_WEEKS
    for week_number, week in enumerate(range(-weeks_of_history, UPCOMING_WEEKS), start=1):
        monday = (this_monday + timedelta(weeks=week)).toordinal()
        adoption = _adoption(week)
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
                start_ts = (day - _EPOCH_ORDINAL) * 86_400 + minute * 60 - offset
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
                    DEMO_MENTEE_SHARE_OF_DEMO_MENTOR if is_demo_mentor else DEMO_MENTEE_SHARE_ELSEWHERE,
                )
                if mentee_id is None:
                    continue
                minutes_left -= duration
                created_ts = start_ts - 3600 * randrange(2, 240)
                if status == "cancelled":
                    cancelled_ts = created_ts + (start_ts - created_ts) // 2
                    cancelled_by = mentee_id if random_float() < 0.6 else mentor.id
                    cancel_fields = (rng.choice(CANCEL_REASONS), cancelled_by, stamp(cancelled_ts))
                    sequence, updated_ts = 1, cancelled_ts
                else:
                    cancel_fields = ("", None, None)
                    sequence, updated_ts = 0, (end_ts if status != "confirmed" else created_ts)
                    if status == "confirmed":
                        upcoming += 1
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
                    helped = _add_feedback(rng, feedback, stamp, next_id, mentor.id, mentee_id, end_ts)
                    if end_ts <= follow_up_before_ts and random_float() < (
                        DEMO_MENTEE_FOLLOW_UP_SHARE if mentee_id == demo_mentee_id else FOLLOW_UP_SHARE
                    ):
                        _add_follow_up(rng, follow_ups, stamp, next_id, end_ts, now_ts, helped)
                next_id += 1
        progress("session weeks", week_number, total_weeks)

    sessions = bookings.close()
    given = feedback.close()
    answered = follow_ups.close()
    if postgres and sessions:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM sessions_app_booking))",
                [Booking._meta.db_table],
            )
    return SeededSessions(sessions, upcoming, given, answered)


def _adoption(week: int) -> float:
    """Use in a week (0: this one, negative: past) relative to today's, growing over ADOPTION_WEEKS."""
    weeks_ago = min(max(-week, 0), ADOPTION_WEEKS)
    return 1 - (1 - ADOPTION_START) * weeks_ago / ADOPTION_WEEKS


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


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
    return int(
        datetime.fromordinal(ordinal).replace(hour=12, tzinfo=get_zone(zone)).utcoffset().total_seconds()
    )


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


def _add_feedback(
    rng, writer: BulkWriter, stamp, booking_id: int, mentor_id: int, mentee_id: int, end_ts: int
) -> bool | None:
    """Feedback from either side, or none; returns whether the mentee said it helped (None: no answer)."""
    helped = None
    if rng.random() < MENTEE_FEEDBACK_SHARE:
        helped = rng.random() < MENTEE_HELPFUL_SHARE
        writer.add(
            (
                booking_id,
                mentee_id,
                "mentee",
                rng.choices(RATINGS, RATING_WEIGHTS)[0],
                helped,
                rng.choice(COMMENTS),
                rng.choice(NEXT_STEPS),
                stamp(end_ts + 60 * rng.randrange(5, 600)),
            )
        )
    if rng.random() < 0.3:
        writer.add(
            (
                booking_id,
                mentor_id,
                "mentor",
                rng.choices(RATINGS, RATING_WEIGHTS)[0],
                rng.random() < 0.9,
                rng.choice(COMMENTS),
                "",
                stamp(end_ts + 60 * rng.randrange(5, 600)),
            )
        )
    return helped


def _add_follow_up(
    rng, writer: BulkWriter, stamp, booking_id: int, end_ts: int, now_ts: int, helped: bool | None
) -> None:
    """The mentee's answer to "did it unblock you?", a week or a few days more after the end."""
    weights = OUTCOME_WEIGHTS_NOT_HELPED if helped is False else OUTCOME_WEIGHTS
    outcome = rng.choices(OUTCOMES, weights)[0]
    note = rng.choice(FOLLOW_UP_NOTES[outcome]) if rng.random() < FOLLOW_UP_NOTE_SHARE else ""
    asked_ts = end_ts + FOLLOW_UP_AFTER_SECONDS
    answered_ts = min(asked_ts + rng.randrange(600, FOLLOW_UP_LATEST_SECONDS), now_ts)
    writer.add((booking_id, outcome, note, stamp(answered_ts)))


def seed_moments(
    *,
    rng: random.Random,
    demo_mentee_id: int | None,
    weeks_of_history: int,
    progress: Progress,
    now: datetime | None = None,
) -> int:
    """Informal moments over the history: a share of everyone logs a few a week; returns how many.

    The demo mentee logs DEMO_MENTEE_MOMENTS_PER_WEEK moments in each of the last weeks, this one included,
    so their moments page shows a streak. Moments happen up to yesterday (UTC) for everyone else, which is
    never in anyone's future whatever their zone.
    """
    now = now or timezone.now()
    now_ts = int(now.timestamp())
    people = list(
        User.objects.filter(is_active=True).order_by("pk").values_list("pk", "department_id", "timezone")
    )
    if not people:
        return 0
    colleagues: dict[int | None, list[int]] = defaultdict(list)
    for person_id, department_id, _zone in people:
        colleagues[department_id].append(person_id)
    everyone = [person_id for person_id, _department, _zone in people]
    stamp = timestamp_formatter(connection.vendor == "postgresql")
    writer = BulkWriter(Moment._meta.db_table, MOMENT_COLUMNS, progress, "moments")
    kinds_cum = list(accumulate(MOMENT_KIND_WEIGHTS))
    per_week_cum = list(accumulate(MOMENTS_PER_WEEK_WEIGHTS))
    choices, randrange, random_float = rng.choices, rng.randrange, rng.random

    def add(author_id: int, department_id: int | None, day: date) -> None:
        kind = choices(MOMENT_KINDS, cum_weights=kinds_cum)[0]
        with_person, with_name = None, ""
        pick = random_float()
        team = colleagues[department_id]
        if pick < MOMENT_WITH_COLLEAGUE_SHARE and len(team) > 1:
            with_person = team[randrange(len(team))]
        elif pick < MOMENT_WITH_COLLEAGUE_SHARE + MOMENT_WITH_ANYONE_SHARE:
            with_person = everyone[randrange(len(everyone))]
        if with_person == author_id or with_person is None:
            with_person, with_name = None, OUTSIDE_NAMES[randrange(len(OUTSIDE_NAMES))]
        notes = MOMENT_NOTES[kind]
        day_ts = (day.toordinal() - _EPOCH_ORDINAL) * 86_400
        created_ts = min(day_ts + randrange(9 * 3600, 21 * 3600), now_ts)
        writer.add(
            (
                author_id,
                kind,
                with_person,
                with_name,
                notes[randrange(len(notes))],
                day.isoformat(),
                stamp(created_ts),
            )
        )

    yesterday = now.astimezone(UTC).date() - timedelta(days=1)
    first_monday = yesterday - timedelta(days=yesterday.weekday(), weeks=weeks_of_history)
    for person_id, department_id, zone in people:
        if person_id == demo_mentee_id:
            _add_demo_mentee_moments(rng, add, person_id, department_id, zone, now, first_monday)
            continue
        if random_float() >= MOMENT_LOGGER_SHARE:
            continue
        for week in range(weeks_of_history + 1):
            monday = first_monday + timedelta(weeks=week)
            for _ in range(choices(MOMENTS_PER_WEEK, cum_weights=per_week_cum)[0]):
                day = monday + timedelta(days=randrange(7))
                if day <= yesterday:
                    add(person_id, department_id, day)
    return writer.close()


def _add_demo_mentee_moments(
    rng: random.Random, add, person_id: int, department_id: int | None, zone: str, now: datetime, first: date
) -> None:
    """A streak of weeks that met the weekly goal, up to today in the mentee's own zone; before it, a few."""
    today = now.astimezone(get_zone(zone)).date()
    this_monday = today - timedelta(days=today.weekday())
    streak_from = this_monday - timedelta(weeks=DEMO_MENTEE_STREAK_WEEKS - 1)
    monday = first
    while monday <= this_monday:
        if monday >= streak_from:
            last_day = min(monday + timedelta(days=6), today)
            days = [
                monday + timedelta(days=rng.randrange((last_day - monday).days + 1))
                for _ in range(DEMO_MENTEE_MOMENTS_PER_WEEK)
            ]
        else:
            days = [monday + timedelta(days=rng.randrange(7)) for _ in range(rng.choice(MOMENTS_PER_WEEK))]
        for day in sorted(days):
            add(person_id, department_id, day)
        monday += timedelta(weeks=1)
