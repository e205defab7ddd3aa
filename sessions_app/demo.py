"""Demo sessions: weeks of history (completed, cancelled, no-show, with feedback) and some upcoming ones.

Sessions sit inside the mentors' weekly blocks on a 40-minute lattice (so even 30 minutes plus a 10-minute
buffer never collide), keep within each mentor's weekly cap, and never overlap for a mentee. Upcoming ones
respect the mentor's notice, so the slot pages agree with them.

Built to be fast: rows are plain tuples generated in one pass and written in batches (COPY on PostgreSQL,
executemany elsewhere). A million sessions take about a minute on PostgreSQL.
"""

import io
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from marketplace.models import AvailabilityBlock, MentorProfile
from marketplace.timezones import get_zone
from sessions_app.models import Booking, Feedback

Progress = Callable[[str, int, int], None]
BATCH_SIZE = 50_000
LATTICE_MINUTES = 40
BUCKET_SECONDS = 300  # mentee overlap is checked on 5-minute buckets (zone offsets are multiples of 15)
UPCOMING_WEEKS = 2  # this week and the next
HISTORY_STATUSES = ("completed", "cancelled", "no_show")
HISTORY_WEIGHTS = (82, 11, 7)
SESSIONS_PER_WEEK = (0, 1, 2, 3, 4)
SESSIONS_PER_WEEK_WEIGHTS = (22, 26, 26, 16, 10)
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


class _Writer:
    """Batches rows into one table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, table: str, columns: tuple[str, ...], progress: Progress, label: str) -> None:
        self.table, self.columns, self.progress, self.label = table, columns, progress, label
        self.rows: list[tuple] = []
        self.written = 0
        self.postgres = connection.vendor == "postgresql"

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        quoted = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                buffer.writelines("\t".join(map(_copy_value, row)) + "\n" for row in self.rows)
                buffer.seek(0)
                cursor.copy_expert(f"COPY {self.table} ({quoted}) FROM STDIN", buffer)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.table} ({quoted}) VALUES ({marks})", self.rows)
        self.written += len(self.rows)
        self.rows = []
        self.progress(self.label, self.written, max(self.written, 1) + 1)

    def close(self) -> int:
        self.flush()
        self.progress(self.label, self.written, self.written)
        return self.written


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def seed_sessions(
    *,
    rng: random.Random,
    mentee_ids: list[int],
    demo_mentor_id: int,
    demo_mentee_id: int,
    weeks_of_history: int,
    progress: Progress,
    now: datetime | None = None,
) -> SeededSessions:
    """Inserts sessions for every mentor over `weeks_of_history` past weeks plus this week and the next."""
    now = now or timezone.now()
    now_ts = int(now.timestamp())
    mentors = _load_mentors()
    if not mentors or not mentee_ids:
        return SeededSessions(0, 0, 0)
    postgres = connection.vendor == "postgresql"
    stamp = _timestamp_formatter(postgres)
    template = settings.MEETING_URL_TEMPLATE

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {Booking._meta.db_table}")
        next_id = (cursor.fetchone()[0] or 0) + 1
    bookings = _Writer(Booking._meta.db_table, BOOKING_COLUMNS, progress, "sessions")
    feedback = _Writer(Feedback._meta.db_table, FEEDBACK_COLUMNS, progress, "feedback")

    today = now.astimezone(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    offsets: dict[tuple[str, int], int] = {}
    recent_weeks: deque[set[int]] = deque(maxlen=2)  # mentee occupancy of the previous and this week
    upcoming = 0
    choices, randrange, random_float = rng.choices, rng.randrange, rng.random
    total_weeks = weeks_of_history + UPCOMING_WEEKS
    for week_number, week in enumerate(range(-weeks_of_history, UPCOMING_WEEKS), start=1):
        monday = (this_monday + timedelta(weeks=week)).toordinal()
        occupied: set[int] = set()
        recent_weeks.append(occupied)
        earlier = recent_weeks[0] if len(recent_weeks) == 2 else set()
        for mentor in mentors:
            is_demo_mentor = mentor.id == demo_mentor_id
            if is_demo_mentor:
                wanted = rng.choice(DEMO_MENTOR_SESSIONS_PER_WEEK)
            else:
                wanted = choices(SESSIONS_PER_WEEK, SESSIONS_PER_WEEK_WEIGHTS)[0]
            wanted = min(wanted, len(mentor.lattice), mentor.cap // max(mentor.lengths))
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
                    _add_feedback(rng, feedback, stamp, next_id, mentor.id, mentee_id, end_ts)
                next_id += 1
        progress("session weeks", week_number, total_weeks)

    sessions = bookings.close()
    given = feedback.close()
    if postgres and sessions:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM sessions_app_booking))",
                [Booking._meta.db_table],
            )
    return SeededSessions(sessions, upcoming, given)


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
    rng, writer: _Writer, stamp, booking_id: int, mentor_id: int, mentee_id: int, end_ts: int
) -> None:
    if rng.random() < 0.6:
        writer.add(
            (
                booking_id,
                mentee_id,
                "mentee",
                rng.choices(RATINGS, RATING_WEIGHTS)[0],
                rng.random() < 0.86,
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


def _timestamp_formatter(postgres: bool) -> Callable[[int], str]:
    """Seconds since the epoch as the database's UTC text; cached, since sessions share grid times."""
    suffix = "+00" if postgres else ""
    cache: dict[int, str] = {}

    def stamp(seconds: int) -> str:
        text = cache.get(seconds)
        if text is None:
            text = cache[seconds] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + suffix
        return text

    return stamp
