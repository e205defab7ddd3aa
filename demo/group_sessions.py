"""Demo group sessions: mentors' weekly office hours (past occurrences held, the coming ones scheduled), AMAs
and skill-shares, with seats, waiting lists, people seated from the waiting list, and AMA questions and votes.

Seeded after the 1:1 sessions (demo.sessions), and kept to every rule the groups app keeps:

- a host's group sessions never overlap their 1:1 sessions or each other, their buffer around them, and a
  week's 1:1 and group minutes together stay within the host's weekly cap (ISO week in the mentor's zone), so
  that every seeded 1:1 session is still one the slot engine would offer;
- a seat never overlaps its person's 1:1 sessions or other seats;
- seats are numbered 1..capacity, waiting positions run 1..n, and a seat freed before the start goes to the
  first person waiting (`from_waitlist`), as groups.services.seats does;
- the demo logins take part: the demo mentor hosts office hours, the demo mentee has a seat in an upcoming
  session and a place on the waiting list of another, full one.

Times are seconds since the epoch, rows plain tuples written by demo.bulk, as in demo.sessions.
"""

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection

from demo.bulk import BulkWriter, Progress, first_free_id, reset_id_sequence, timestamp_formatter
from demo.people import SeededPeople
from demo.sessions import adoption_in_week
from groups.models import CAPACITY, REPEAT_WEEKS, GroupSeries, GroupSession, Question, Seat, Vote
from groups.recurrence import weekly_starts
from marketplace.models import MentorProfile, Skill, UserSkill
from marketplace.timezones import get_zone, iso_week_start, resolve_local_end
from sessions_app.models import Booking
from sessions_app.selectors import TAKE_TIME

OFFICE_HOURS_HOST_SHARE = 0.12  # of the generated mentors, besides the demo mentor
OFFICE_HOURS_LEAST_CAP = 120  # hosts of office hours give at least this many minutes a week
MOST_WEEKS_FIT = 0.7  # office hours are held at a time the host has free this share of weeks at least
AMAS_PER_MENTORS, SKILL_SHARES_PER_MENTORS = 15, 12  # one AMA per this many mentors (two at least)
HOSTS_TRIED = 10  # for an AMA or a skill-share
WEEKS_AHEAD = 3  # office hours are published this many weeks past this one
# Local times (minutes of the day) tried for a group session: around lunch and at the ends of the day, where
# 1:1 blocks rarely are, then the rest of the working day.
LOCAL_TIMES = (12 * 60 + 10, 12 * 60 + 30, 13 * 60, 17 * 60 + 10, 8 * 60, 16 * 60 + 30, 11 * 60, 15 * 60)
OFFICE_HOURS = "office_hours"
AMA = "ama"
SKILL_SHARE = "skill_share"
# kind: (durations, capacities, how many want a seat relative to the capacity, share with questions)
KINDS: dict[str, tuple[tuple[int, ...], tuple[int, int], tuple[float, float], float]] = {
    OFFICE_HOURS: ((30, 40, 60), (4, 8), (0.4, 1.4), 0.25),
    AMA: ((40, 60), (15, 30), (0.9, 1.5), 1.0),
    SKILL_SHARE: ((30, 40, 60), (8, 12), (0.6, 1.3), 0.5),
}
LEAVE_CHANCE = 0.12  # a seated person gives their seat up before the start
LEAVE_WAITING_CHANCE = 0.1
CANCELLED_SHARE = 0.04  # occurrences of office hours the host cancelled
ANONYMOUS_SHARE = 0.3
ANSWERED_SHARE = 0.75  # of the questions of a session held
AMA_TITLES = (
    "AMA: how I moved from engineering into product",
    "AMA: ten years of running incident reviews",
    "AMA: what I learned presenting to the board",
    "AMA: negotiating your first promotion",
    "AMA: building a team across three time zones",
    "AMA: life as a first-time manager",
    "AMA: switching careers into data",
)
SKILL_SHARE_TITLES = (
    "Skill-share: writing a one-page proposal",
    "Skill-share: giving feedback that lands",
    "Skill-share: spreadsheet models people trust",
    "Skill-share: running a design critique",
    "Skill-share: storytelling with data",
    "Skill-share: a first look at Kubernetes",
    "Skill-share: time management that survives Mondays",
)
DESCRIPTIONS = {
    OFFICE_HOURS: "Drop in with a question, a draft or a decision you are stuck on.",
    AMA: "Ask me anything: send your questions ahead and vote for the ones you want answered first.",
    SKILL_SHARE: "A short, practical session: one technique, an example, and time for your questions.",
}
QUESTIONS = (
    "How do you decide what to say no to?",
    "What would you do differently in your first year?",
    "How do you prepare for a meeting with executives?",
    "What is a good first step when a project is already late?",
    "How do you get feedback from people who are senior to you?",
    "Which book or talk changed how you work?",
    "How do you keep a remote team connected?",
    "How much detail belongs in a proposal?",
    "How do you handle a stakeholder who keeps changing their mind?",
    "What does a good week look like for you?",
    "How did you learn to delegate?",
    "How do you measure whether a change worked?",
)
SERIES_COLUMNS = ("id", "host_id", "created_at")
SESSION_COLUMNS = (
    "id",
    "host_id",
    "series_id",
    "title",
    "description",
    "start",
    "end",
    "duration",
    "capacity",
    "seats_taken",
    "waitlist_length",
    "meeting_url",
    "status",
    "cancelled_at",
    "uid",
    "sequence",
    "created_at",
    "updated_at",
)
SKILL_COLUMNS = ("groupsession_id", "skill_id")
SEAT_COLUMNS = (
    "session_id",
    "person_id",
    "status",
    "seat_number",
    "session_capacity",
    "position",
    "joined_at",
    "seated_at",
    "left_at",
    "from_waitlist",
)
QUESTION_COLUMNS = ("id", "session_id", "author_id", "text", "anonymous", "answered_at", "created_at")
VOTE_COLUMNS = ("question_id", "voter_id", "created_at")

Interval = tuple[int, int]


@dataclass(frozen=True)
class SeededGroupSessions:
    sessions: int
    upcoming: int
    seats: int
    waiting: int
    from_waitlist: int
    questions: int


@dataclass
class _Host:
    id: int
    zone: str  # the availability zone: the weekly cap's weeks, and the wall clock of office hours
    cap: int
    buffer: int  # seconds
    meeting_url: str
    skills: list[int]
    busy: list[Interval] = field(default_factory=list)  # 1:1 sessions as mentor, and group sessions hosted
    minutes_by_week: dict[date, int] = field(default_factory=lambda: defaultdict(int))

    def fits(self, start: datetime, duration: int) -> bool:
        """The start is free of the host's commitments (with the buffer) and within the week's cap."""
        start_ts = int(start.timestamp())
        end_ts = start_ts + duration * 60
        if any(s - self.buffer < end_ts and e + self.buffer > start_ts for s, e in self.busy):
            return False
        return self.minutes_by_week[iso_week_start(start, self.zone)] + duration <= self.cap

    def take(self, start: datetime, duration: int) -> None:
        start_ts = int(start.timestamp())
        self.busy.append((start_ts, start_ts + duration * 60))
        self.minutes_by_week[iso_week_start(start, self.zone)] += duration


@dataclass
class _Session:
    id: int
    host: _Host
    kind: str
    title: str
    start: int
    end: int
    duration: int
    capacity: int
    skills: list[int]
    created: int
    series_id: int | None = None
    cancelled: int | None = None


@dataclass
class _Seat:
    person: int
    joined: int
    status: str = Seat.Status.SEATED
    seat_number: int | None = None
    seated: int | None = None
    left: int | None = None
    from_waitlist: bool = False


def seed_group_sessions(
    *,
    rng: random.Random,
    people: SeededPeople,
    weeks_of_history: int,
    progress: Progress,
    now: datetime,
) -> SeededGroupSessions:
    """Group sessions over the history and the coming weeks, with their seats, waiting lists and questions."""
    now_ts = int(now.timestamp())
    hosts = _load_hosts(people)
    if not hosts:
        return SeededGroupSessions(0, 0, 0, 0, 0, 0)
    skill_names = dict(Skill.objects.values_list("pk", "name"))
    demo_host = hosts.pop(people.mentor_id, None)
    generated = [hosts[key] for key in sorted(hosts)]
    series_ids = iter(range(first_free_id(GroupSeries._meta.db_table), 1 << 62))
    session_ids = iter(range(first_free_id(GroupSession._meta.db_table), 1 << 62))
    planned: list[_Session] = []
    series_rows: list[tuple[int, int, int]] = []

    office_hosts = [demo_host] if demo_host else []
    roomy = [host for host in generated if host.cap >= OFFICE_HOURS_LEAST_CAP]
    office_hosts += rng.sample(roomy, min(len(roomy), round(len(generated) * OFFICE_HOURS_HOST_SHARE)))
    longest_ago = min(weeks_of_history, REPEAT_WEEKS.high - WEEKS_AHEAD)
    for host in office_hosts:
        weeks_ago = longest_ago if host is demo_host else rng.randint(min(longest_ago, 3), longest_ago)
        duration = 40 if host is demo_host else rng.choice(KINDS[OFFICE_HOURS][0])
        starts = _best_fitting(
            rng, host, now, week=-weeks_ago, repeats=weeks_ago + WEEKS_AHEAD, minutes=duration
        )
        if starts is None:
            continue
        series_id = next(series_ids)
        created = min(int(starts[0][0].timestamp()) - 86_400 * rng.randint(3, 10), now_ts - 3600)
        series_rows.append((series_id, host.id, created))
        capacity = rng.randint(*KINDS[OFFICE_HOURS][1])
        topic = skill_names.get(host.skills[0], "").lower() if host.skills else ""
        for start, fits in starts:
            start_ts = int(start.timestamp())
            session = _Session(
                next(session_ids),
                host,
                OFFICE_HOURS,
                f"Office hours: {topic}" if topic else "Office hours",
                start_ts,
                start_ts + duration * 60,
                duration,
                capacity,
                host.skills[:2],
                created,
                series_id=series_id,
            )
            # The weeks the host had no room for it (a full week of 1:1 sessions), and a few others, the host
            # cancelled it.
            if not fits or (rng.random() < CANCELLED_SHARE and start_ts - 86_400 > created):
                session.cancelled = max(
                    created + 3600, min(start_ts - 86_400 * rng.randint(1, 3), now_ts - 60)
                )
            else:
                host.take(start, duration)
            planned.append(session)

    one_off_hosts = [host for host in generated if host not in office_hosts] or generated or office_hosts
    for kind, titles, per_mentors in (
        (AMA, AMA_TITLES, AMAS_PER_MENTORS),
        (SKILL_SHARE, SKILL_SHARE_TITLES, SKILL_SHARES_PER_MENTORS),
    ):
        for number in range(max(2, len(generated) // per_mentors) if one_off_hosts else 0):
            # The first of each kind is next week: the demo always has one to join.
            week = 1 if number == 0 else rng.randint(-weeks_of_history, 2)
            duration = rng.choice(KINDS[kind][0])
            for _attempt in range(HOSTS_TRIED):  # a host with room that week
                host = one_off_hosts[rng.randrange(len(one_off_hosts))]
                starts = _best_fitting(rng, host, now, week=week, repeats=0, minutes=duration, required=1.0)
                if starts is not None:
                    break
            else:
                continue
            host.take(starts[0][0], duration)
            start_ts = int(starts[0][0].timestamp())
            planned.append(
                _Session(
                    next(session_ids),
                    host,
                    kind,
                    titles[rng.randrange(len(titles))],
                    start_ts,
                    start_ts + duration * 60,
                    duration,
                    rng.randint(*KINDS[kind][1]),
                    host.skills[:3],
                    min(start_ts - 86_400 * rng.randint(5, 14), now_ts - 3600),
                )
            )
    planned.sort(key=lambda session: (session.start, session.id))

    seats, questions, votes = _seat_people(rng, planned, people, now_ts)
    return _write(rng, planned, series_rows, seats, questions, votes, now_ts, progress)


def _load_hosts(people: SeededPeople) -> dict[int, _Host]:
    """Mentors who may host: accepting, not the experts booked to their cap, with their 1:1 commitments."""
    in_demand = set(people.in_demand_mentor_ids)
    hosts: dict[int, _Host] = {}
    for user_id, zone, cap, buffer, url in (
        MentorProfile.objects.filter(user__is_mentor=True, accepting=True)
        .order_by("user_id")
        .values_list(
            "user_id", "availability_timezone", "weekly_minutes_cap", "buffer_minutes", "meeting_url"
        )
    ):
        if user_id not in in_demand:
            hosts[user_id] = _Host(user_id, zone, cap, buffer * 60, url, [])
    for user_id, skill_id in (
        UserSkill.objects.filter(user_id__in=list(hosts)).order_by("user_id", "-level", "skill_id")
    ).values_list("user_id", "skill_id"):
        hosts[user_id].skills.append(skill_id)
    for mentor_id, start, end in Booking.objects.filter(
        mentor_id__in=list(hosts), status__in=TAKE_TIME
    ).values_list("mentor_id", "start", "end"):
        host = hosts[mentor_id]
        host.busy.append((int(start.timestamp()), int(end.timestamp())))
        host.minutes_by_week[iso_week_start(start, host.zone)] += int((end - start).total_seconds() // 60)
    return hosts


def _best_fitting(
    rng: random.Random,
    host: _Host,
    now: datetime,
    *,
    week: int,
    repeats: int,
    minutes: int,
    required: float = MOST_WEEKS_FIT,
) -> list[tuple[datetime, bool]] | None:
    """The starts of a session (and of its `repeats` weekly repeats) `week` weeks from this one, each with
    whether the host has it free: on the weekday and local time (tried in a shuffled order) that fits the most
    weeks, or None when none fits `required` of them."""
    zone = get_zone(host.zone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=week)
    candidates = [(weekday, minute) for weekday in range(5) for minute in LOCAL_TIMES]
    rng.shuffle(candidates)
    best: list[tuple[datetime, bool]] | None = None
    best_fitting = 0
    for weekday, minute in candidates:
        wall = datetime.combine(monday + timedelta(days=weekday), time(minute // 60, minute % 60))
        starts = weekly_starts(resolve_local_end(wall, zone), host.zone, repeats)
        fitting = [(start, host.fits(start, minutes)) for start in starts]
        count = sum(fits for _start, fits in fitting)
        if count > best_fitting:
            best, best_fitting = fitting, count
            if count == len(starts):
                break
    if best is None or best_fitting < required * len(best):
        return None
    return best


def _seat_people(
    rng: random.Random, planned: list[_Session], people: SeededPeople, now_ts: int
) -> tuple[dict[int, list[_Seat]], list[tuple], list[tuple]]:
    """Who joined each session, who left, who was seated from the waiting list; the questions and votes."""
    pool = sorted({*people.employee_ids, people.mentee_id})
    busy: dict[int, list[Interval]] = defaultdict(list)  # 1:1 sessions as mentee, then seats
    for mentee_id, start, end in Booking.objects.filter(status__in=TAKE_TIME).values_list(
        "mentee_id", "start", "end"
    ):
        busy[mentee_id].append((int(start.timestamp()), int(end.timestamp())))

    def free(person: int, session: _Session) -> bool:
        return not any(s < session.end and e > session.start for s, e in busy[person])

    mentee = people.mentee_id
    upcoming = [session for session in planned if session.start > now_ts and session.cancelled is None]
    # The demo mentee waits for the first upcoming AMA (made full), and has a seat in an upcoming session,
    # the demo mentor's office hours if she is free for one.
    full = next((session for session in upcoming if session.kind == AMA), None)
    seat_for_mentee = next(
        (
            session
            for hosts_demo in (True, False)
            for session in upcoming
            if session is not full
            and (session.host.id == people.mentor_id) == hosts_demo
            and free(mentee, session)
        ),
        None,
    )
    seats: dict[int, list[_Seat]] = {}
    questions: list[tuple] = []
    votes: list[tuple] = []
    question_ids = iter(range(first_free_id(Question._meta.db_table), 1 << 62))
    for session in planned:
        _durations, _capacities, (low, high), question_share = KINDS[session.kind]
        capacity = max(CAPACITY.low, min(session.capacity, len(pool) // 3))
        session.capacity = capacity
        week = (session.start - now_ts) // (7 * 86_400)
        wanted = round(capacity * rng.uniform(low, high) * adoption_in_week(min(week, 0)))
        if session is full:
            wanted = max(wanted, capacity + 3)
        # People join from a fortnight before (or once it is published), until the start or now, or until
        # the host cancels it.
        window_end = min(session.start, now_ts, session.cancelled or now_ts) - 60
        window_start = max(session.created, min(session.start - 14 * 86_400, now_ts - 2 * 86_400))
        if window_end <= window_start:
            seats[session.id] = []
            continue
        taken = {mentee} if session.start > now_ts else set()
        # The full one looks at everyone (in a shuffled order), the others at a few random people.
        candidates: Iterable[int] = (
            rng.sample(pool, len(pool))
            if session is full
            else (pool[rng.randrange(len(pool))] for _attempt in range(3 * wanted))
        )
        joiners: list[int] = []
        for person in candidates:
            if len(joiners) >= wanted:
                break
            if person not in taken and free(person, session):
                taken.add(person)
                joiners.append(person)
        joined_at = sorted(rng.randrange(window_start, window_end) for _ in joiners)
        if session is seat_for_mentee:
            joiners.insert(0, mentee)
            joined_at.insert(0, window_start)
        seated = [
            _Seat(person, joined)
            for person, joined in zip(joiners[:capacity], joined_at[:capacity], strict=True)
        ]
        waiting = [
            _Seat(person, joined, status=Seat.Status.WAITLISTED)
            for person, joined in zip(joiners[capacity:], joined_at[capacity:], strict=True)
        ]
        for number, seat in enumerate(seated, start=1):
            seat.seat_number, seat.seated = number, seat.joined
            busy[seat.person].append((session.start, session.end))
        everyone = seated + waiting
        last_join = joined_at[-1] if joined_at else window_start
        leavers = [
            seat
            for seat in everyone
            if seat.person != mentee
            and session is not full
            and rng.random() < (LEAVE_CHANCE if seat.status == Seat.Status.SEATED else LEAVE_WAITING_CHANCE)
        ]
        for when, seat in sorted(
            ((rng.randrange(last_join, window_end + 1), seat) for seat in leavers), key=lambda item: item[0]
        ):
            if seat.status == Seat.Status.SEATED:
                freed = seat.seat_number
                seat.status, seat.seat_number, seat.left = Seat.Status.LEFT, None, when
                promoted = next((other for other in waiting if free(other.person, session)), None)
                if promoted is not None:  # the first person waiting who is free then takes the seat
                    waiting.remove(promoted)
                    promoted.status, promoted.seat_number = Seat.Status.SEATED, freed
                    promoted.seated, promoted.from_waitlist = when, True
                    busy[promoted.person].append((session.start, session.end))
            elif seat.status == Seat.Status.WAITLISTED:
                waiting.remove(seat)
                seat.status, seat.left = Seat.Status.LEFT, when
        if session is full and len(seated) == capacity:
            # First in line, having joined just as it filled up: the next seat given up is hers.
            joined = seated[-1].joined if not waiting else min(seated[-1].joined + 1, waiting[0].joined)
            everyone.insert(capacity, _Seat(mentee, joined, status=Seat.Status.WAITLISTED))
        seats[session.id] = everyone
        if rng.random() < question_share:
            _add_questions(rng, session, everyone, window_end, now_ts, question_ids, questions, votes)
    return seats, questions, votes


def _add_questions(
    rng: random.Random,
    session: _Session,
    seats: list[_Seat],
    window_end: int,
    now_ts: int,
    ids: Iterator[int],
    questions: list[tuple],
    votes: list[tuple],
) -> None:
    """Questions from the seated and waiting people, some anonymous, most answered once the session is held,
    and votes from the others."""
    live = [seat for seat in seats if seat.status != Seat.Status.LEFT and seat.joined < window_end]
    if not live:
        return
    held = session.cancelled is None and session.end <= now_ts
    asked: list[tuple[int, int, int]] = []  # id, author, when
    for author in rng.sample(live, min(len(live), rng.randint(2, 7))):
        question_id, when = next(ids), rng.randrange(author.joined, window_end + 1)
        answered = None
        if held and rng.random() < ANSWERED_SHARE:
            answered = session.start + rng.randrange(60, session.duration * 60)
        questions.append(
            (
                question_id,
                session.id,
                author.person,
                QUESTIONS[rng.randrange(len(QUESTIONS))],
                rng.random() < ANONYMOUS_SHARE,
                answered,
                when,
            )
        )
        asked.append((question_id, author.person, when))
    for voter in live:
        choices = [question for question in asked if question[1] != voter.person]
        for question_id, _author, when in rng.sample(choices, min(len(choices), rng.randint(0, 3))):
            earliest = max(when, voter.joined)
            if earliest <= window_end:
                votes.append((question_id, voter.person, rng.randrange(earliest, window_end + 1)))


def _write(
    rng: random.Random,
    planned: list[_Session],
    series_rows: list[tuple[int, int, int]],
    seats: dict[int, list[_Seat]],
    questions: list[tuple],
    votes: list[tuple],
    now_ts: int,
    progress: Progress,
) -> SeededGroupSessions:
    """Writes everything, parents before the rows pointing at them (the seats' foreign key on the session's
    capacity is checked as each row arrives)."""
    stamp = timestamp_formatter(connection.vendor == "postgresql")

    def at(seconds: int | None) -> str | None:
        return None if seconds is None else stamp(seconds)

    series = BulkWriter(GroupSeries._meta.db_table, SERIES_COLUMNS, progress, "group series")
    for series_id, host_id, created in series_rows:
        series.add((series_id, host_id, stamp(created)))
    series.close()
    sessions = BulkWriter(GroupSession._meta.db_table, SESSION_COLUMNS, progress, "group sessions")
    skills = BulkWriter(GroupSession.skills.through._meta.db_table, SKILL_COLUMNS, progress, "group skills")
    template = settings.MEETING_URL_TEMPLATE
    upcoming = 0
    for session in planned:
        live = seats[session.id]
        taken = sum(seat.status == Seat.Status.SEATED for seat in live)
        waiting = sum(seat.status == Seat.Status.WAITLISTED for seat in live)
        cancelled = session.cancelled is not None
        upcoming += not cancelled and session.start > now_ts
        sessions.add(
            (
                session.id,
                session.host.id,
                session.series_id,
                session.title,
                DESCRIPTIONS[session.kind],
                stamp(session.start),
                stamp(session.end),
                session.duration,
                session.capacity,
                taken,
                waiting,
                session.host.meeting_url or template.format(token=f"{rng.getrandbits(48):012x}"),
                GroupSession.Status.CANCELLED if cancelled else GroupSession.Status.SCHEDULED,
                at(session.cancelled),
                f"{rng.getrandbits(128):032x}",
                1 if cancelled else 0,
                stamp(session.created),
                stamp(session.cancelled or session.created),
            )
        )
        for skill_id in session.skills:
            skills.add((session.id, skill_id))
    written = sessions.close()
    skills.close()
    seat_writer = BulkWriter(Seat._meta.db_table, SEAT_COLUMNS, progress, "group seats")
    counts: Counter[str] = Counter()
    for session in planned:
        # The host's own place (what their reminders are about), as publishing a session makes it.
        host_place = (session.id, session.host.id, Seat.Status.HOST, None, None, None, stamp(session.created))
        seat_writer.add((*host_place, None, None, False))
        position = 0
        for seat in seats[session.id]:
            counts[seat.status] += 1
            counts["from_waitlist"] += seat.from_waitlist
            if seat.status == Seat.Status.WAITLISTED:
                position += 1
            seated = seat.status == Seat.Status.SEATED
            seat_writer.add(
                (
                    session.id,
                    seat.person,
                    seat.status,
                    seat.seat_number,
                    session.capacity if seated else None,
                    position if seat.status == Seat.Status.WAITLISTED else None,
                    stamp(seat.joined),
                    at(seat.seated),
                    at(seat.left),
                    seat.from_waitlist,
                )
            )
    seat_writer.close()
    question_writer = BulkWriter(Question._meta.db_table, QUESTION_COLUMNS, progress, "group questions")
    for question_id, session_id, author, text, anonymous, answered, created in questions:
        question_writer.add((question_id, session_id, author, text, anonymous, at(answered), stamp(created)))
    asked = question_writer.close()
    vote_writer = BulkWriter(Vote._meta.db_table, VOTE_COLUMNS, progress, "group votes")
    for question_id, voter, created in votes:
        vote_writer.add((question_id, voter, stamp(created)))
    vote_writer.close()
    for model in (GroupSeries, GroupSession, Question):
        reset_id_sequence(model._meta.db_table)
    return SeededGroupSessions(
        written,
        upcoming,
        counts[Seat.Status.SEATED],
        counts[Seat.Status.WAITLISTED],
        counts["from_waitlist"],
        asked,
    )
