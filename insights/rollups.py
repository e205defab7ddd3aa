"""Rebuilds the weekly summary tables (insights.models) from sessions, feedback, requests, moments and group
sessions.

insights writes only its own summary tables; it never writes domain data. It only reads bookings, feedback,
requests, moments, group sessions and their seats, and deleting its tables loses nothing: the next refresh
rebuilds them.

The only writer of those tables; called by insights.tasks (Celery). A refresh recomputes whole weeks inside a
transaction: delete the weeks' rows, insert them again from grouped queries. Recent weeks change (sessions
complete, feedback and no-shows arrive, requests get booked, deadlines pass), so they are refreshed every few
minutes; the nightly full refresh catches the rare late change to an older week.
"""

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncWeek

from groups.models import GroupSession, Seat
from insights.aggregates import Median
from insights.models import (
    CellCounts,
    RequestWait,
    RollupState,
    WeekCell,
    WeekParticipants,
    WeekPeople,
    WeekSkill,
    WeekTimeToHelp,
)
from insights.regions import region_of
from matching.models import REQUEST_DURATIONS, MentorRequest
from sessions_app.models import Booking, Feedback, FollowUp, Moment

REFRESH_WEEKS_BACK = 8  # feedback, no-shows and late bookings of requests land within a few weeks
REFRESH_WEEKS_AHEAD = 8  # sessions already booked (and cancelled) in the coming weeks
CHUNK_WEEKS = 8  # a full refresh works through history a few weeks per transaction
HELD = Booking.Status.COMPLETED
BOOKED = MentorRequest.Status.BOOKED


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_start(moment: datetime | date) -> date:
    """The Monday (UTC) of the ISO week of an instant, or of a date."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC).date()
    return monday(moment)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class _Counts(CellCounts):
    """The counts of one cell being rebuilt."""

    def add(self, **values: int | None) -> None:
        for name, value in values.items():
            setattr(self, name, getattr(self, name) + (value or 0))


def refresh(
    *, now: datetime, full: bool = False, progress: Callable[[int, int], None] | None = None
) -> RollupState:
    """Recomputes recent weeks (or, with `full` or on first use, every week with data) as of `now`.

    `progress(weeks done, weeks in all)` is called after each chunk of weeks (seed_demo shows it).
    """
    state = RollupState.objects.first()
    this_week = week_start(now)
    last = this_week + timedelta(weeks=REFRESH_WEEKS_AHEAD)
    if full or state is None:
        first = min(filter(None, (_first_week_with_data(), this_week)))
    else:
        first = this_week - timedelta(weeks=REFRESH_WEEKS_BACK)
    weeks_in_all = (last - first).days // 7 + 1
    for chunk_start in _weeks(first, last, step=CHUNK_WEEKS):
        chunk_end = min(chunk_start + timedelta(weeks=CHUNK_WEEKS - 1), last)
        with transaction.atomic():
            _lock()
            _rebuild(chunk_start, chunk_end, now=now)
        if progress is not None:
            progress((chunk_end - first).days // 7 + 1, weeks_in_all)
    if state is None:
        state = RollupState(first_week=first, last_week=last, refreshed_at=now, full_refresh_at=now)
    state.first_week, state.last_week = min(state.first_week, first), max(state.last_week, last)
    state.refreshed_at = now
    if full:
        state.full_refresh_at = now
    state.save()
    return state


def _lock() -> None:
    """One refresh at a time (a second one waits): two would delete and insert the same weeks twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('insights.rollups'))")
    # SQLite: write transactions are serialised already (transaction_mode IMMEDIATE).


def _weeks(first: date, last: date, *, step: int = 1) -> Iterator[date]:
    week = first
    while week <= last:
        yield week
        week += timedelta(weeks=step)


def _first_week_with_data() -> date | None:
    starts = [
        Booking.objects.aggregate(first=Min("start"))["first"],
        MentorRequest.objects.aggregate(first=Min("created_at"))["first"],
        GroupSession.objects.aggregate(first=Min("start"))["first"],
    ]
    first_moment = Moment.objects.aggregate(first=Min("happened_on"))["first"]
    if first_moment is not None:
        starts.append(_instant(first_moment))
    starts = [moment for moment in starts if moment is not None]
    return week_start(min(starts)) if starts else None


def _rebuild(first: date, last: date, *, now: datetime) -> None:
    """Replaces the rows of the weeks first..last (Mondays, inclusive)."""
    since, until = _instant(first), _instant(last + timedelta(weeks=1))
    WeekCell.objects.filter(week__gte=first, week__lte=last).delete()
    WeekParticipants.objects.filter(week__gte=first, week__lte=last).delete()
    WeekPeople.objects.filter(week__gte=first, week__lte=last).delete()
    WeekSkill.objects.filter(week__gte=first, week__lte=last).delete()
    WeekTimeToHelp.objects.filter(week__gte=first, week__lte=last).delete()
    RequestWait.objects.filter(week__gte=first, week__lte=last).delete()

    cells: dict[tuple, _Counts] = defaultdict(_Counts)
    _add_sessions(cells, since, until)
    _add_requests(cells, since, until, now)
    _add_moments(cells, first, last)
    _add_group_sessions(cells, since, until, now)
    WeekCell.objects.bulk_create(
        (
            WeekCell(week=week, department_id=dept, job_level=level, region=region, **vars(counts))
            for (week, dept, level, region), counts in cells.items()
        ),
        batch_size=2000,
    )
    WeekParticipants.objects.bulk_create(
        (
            WeekParticipants(week=week, people=bytes(bits), count=sum(byte.bit_count() for byte in bits))
            for week, bits in _participants(since, until).items()
        ),
        batch_size=200,
    )
    WeekPeople.objects.bulk_create(
        (
            WeekPeople(week=week, basis=basis, people=bytes(bits))
            for (week, basis), bits in _people(since, until, now).items()
        ),
        batch_size=200,
    )
    WeekSkill.objects.bulk_create(_skills(since, until), batch_size=2000)
    WeekTimeToHelp.objects.bulk_create(_time_to_help(since, until), batch_size=2000)
    RequestWait.objects.bulk_create(_waits(since, until), batch_size=5000)


def _cell(week, dept, level, zone) -> tuple:
    return (week_start(week), dept, level or "", region_of(zone or "UTC"))


def _add_sessions(cells: dict, since: datetime, until: datetime) -> None:
    completed = Q(status=HELD)
    sums = {
        "scheduled": Count("pk"),
        "held": Count("pk", filter=completed),
        "minutes": Sum("duration", filter=completed),
        "no_shows": Count("pk", filter=Q(status=Booking.Status.NO_SHOW)),
        "cancelled": Count("pk", filter=Q(status=Booking.Status.CANCELLED)),
        "cross": Count(
            "pk",
            filter=completed
            & Q(mentee__department__isnull=False, mentor__department__isnull=False)
            & ~Q(mentor__department_id=F("mentee__department_id")),
        ),
        "rated": Count("mentee_feedback", filter=completed),
        "rating_sum": Sum("mentee_feedback__rating", filter=completed),
        "helpful": Count("mentee_feedback", filter=completed & Q(mentee_feedback__helpful=True)),
        "followed_up": Count("follow_up", filter=completed),
        "unblocked": Count("follow_up", filter=completed & Q(follow_up__outcome=FollowUp.Outcome.YES)),
        "partly_unblocked": Count(
            "follow_up", filter=completed & Q(follow_up__outcome=FollowUp.Outcome.PARTLY)
        ),
    }
    rows = (
        Booking.objects.filter(start__gte=since, start__lt=until)
        .annotate(
            week=TruncWeek("start", tzinfo=UTC),
            mentee_feedback=FilteredRelation("feedback", condition=Q(feedback__role=Feedback.Role.MENTEE)),
        )
        .values_list("week", "mentee__department_id", "mentee__job_level", "mentee__timezone")
        .annotate(**sums)
        .order_by()
    )
    for week, dept, level, zone, *values in rows:
        cells[_cell(week, dept, level, zone)].add(**dict(zip(sums, values, strict=True)))


def served_before_deadline() -> Q:
    """Booked, and the session (of the request's length) is over by the deadline."""
    ends_in_time = Q()
    for minutes in REQUEST_DURATIONS:
        ends_in_time |= Q(
            duration=minutes, booked_session_start__lte=F("needed_by") - timedelta(minutes=minutes)
        )
    return Q(status=BOOKED) & ends_in_time


def _add_requests(cells: dict, since: datetime, until: datetime, now: datetime) -> None:
    rows = (
        MentorRequest.objects.filter(created_at__gte=since, created_at__lt=until)
        .annotate(week=TruncWeek("created_at", tzinfo=UTC))
        .values_list("week", "asker__department_id", "asker__job_level", "asker__timezone")
        .annotate(
            requests=Count("pk"),
            booked=Count("pk", filter=Q(status=BOOKED)),
            served=Count("pk", filter=served_before_deadline()),
            decided=Count("pk", filter=Q(status=BOOKED) | Q(needed_by__lte=now)),
        )
        .order_by()
    )
    for week, dept, level, zone, requests, booked, served, decided in rows:
        cells[_cell(week, dept, level, zone)].add(
            requests=requests, booked=booked, served=served, decided=decided
        )


def _add_moments(cells: dict, first: date, last: date) -> None:
    """Informal moments by the week they happened (a date, no zone) and their author's cell."""
    rows = (
        Moment.objects.filter(happened_on__gte=first, happened_on__lt=last + timedelta(weeks=1))
        .values_list("happened_on", "author__department_id", "author__job_level", "author__timezone")
        .annotate(moments=Count("pk"))
        .order_by()
    )
    for day, dept, level, zone, moments in rows:
        cells[_cell(day, dept, level, zone)].add(moments=moments)


def held_group_sessions(since: datetime, until: datetime, now: datetime) -> Q:
    """Group sessions starting in [since, until) that were held: not cancelled, and over by `now` (the sweep
    stores completed a little after the end; until then it reads scheduled). A queryset of GroupSession."""
    held = [GroupSession.Status.SCHEDULED, GroupSession.Status.COMPLETED]
    return Q(start__gte=since, start__lt=until, status__in=held, end__lte=now)


def waited_for_a_seat() -> Q:
    """A place taken on the waiting list (for a queryset of Seat): seated from it, or never seated (still
    waiting when the session began, or gone from the list)."""
    return Q(from_waitlist=True) | Q(seated_at__isnull=True)


def _held_seats(since: datetime, until: datetime, now: datetime) -> QuerySet[Seat]:
    """The seats and waiting places of the sessions held; the host's own place is neither."""
    return Seat.objects.filter(
        session__in=GroupSession.objects.filter(held_group_sessions(since, until, now)).values("pk")
    ).exclude(status=Seat.Status.HOST)


def _add_group_sessions(cells: dict, since: datetime, until: datetime, now: datetime) -> None:
    """Group sessions held, by their host's cell (sessions, seats offered, seats filled), and the seats in
    them by each person's cell (seats held, of those given from the waiting list, places taken on it)."""
    seated = Q(status=Seat.Status.SEATED)
    hosted = (
        GroupSession.objects.filter(held_group_sessions(since, until, now))
        .annotate(week=TruncWeek("start", tzinfo=UTC))
        .values_list("week", "host__department_id", "host__job_level", "host__timezone")
        .annotate(group_hosted=Count("pk"), group_seats_offered=Sum("capacity"))
        .order_by()
    )
    for week, dept, level, zone, sessions, offered in hosted:
        cells[_cell(week, dept, level, zone)].add(group_hosted=sessions, group_seats_offered=offered)
    filled = (
        _held_seats(since, until, now)
        .filter(seated)
        .annotate(week=TruncWeek("session__start", tzinfo=UTC))
        .values_list(
            "week", "session__host__department_id", "session__host__job_level", "session__host__timezone"
        )
        .annotate(group_seats_taken=Count("pk"))
        .order_by()
    )
    for week, dept, level, zone, taken in filled:
        cells[_cell(week, dept, level, zone)].add(group_seats_taken=taken)
    attended = (
        _held_seats(since, until, now)
        .annotate(week=TruncWeek("session__start", tzinfo=UTC))
        .values_list("week", "person__department_id", "person__job_level", "person__timezone")
        .annotate(
            group_seats=Count("pk", filter=seated),
            group_from_waitlist=Count("pk", filter=seated & Q(from_waitlist=True)),
            group_waited=Count("pk", filter=waited_for_a_seat()),
        )
        .order_by()
    )
    for week, dept, level, zone, seats, from_waitlist, waited in attended:
        cells[_cell(week, dept, level, zone)].add(
            group_seats=seats, group_from_waitlist=from_waitlist, group_waited=waited
        )


def _participants(since: datetime, until: datetime) -> dict[date, bytearray]:
    """A bitmap per week of the people (either role) of the sessions held that week."""
    bitmaps: dict[date, bytearray] = defaultdict(bytearray)
    rows = (
        Booking.objects.filter(start__gte=since, start__lt=until, status=HELD)
        .values_list("start", "mentee_id", "mentor_id")
        .order_by()
    )
    for start, mentee_id, mentor_id in rows.iterator(chunk_size=20_000):
        bits = bitmaps[week_start(start)]
        for person in (mentee_id, mentor_id):
            index = person >> 3
            if index >= len(bits):
                bits.extend(bytes(index + 1 - len(bits)))
            bits[index] |= 1 << (person & 7)
    return bitmaps


def _set_bit(bits: bytearray, person: int) -> None:
    index = person >> 3
    if index >= len(bits):
        bits.extend(bytes(index + 1 - len(bits)))
    bits[index] |= 1 << (person & 7)


def _people(since: datetime, until: datetime, now: datetime) -> dict[tuple[date, str], bytearray]:
    """A bitmap per (week, basis) of the distinct people each kind of rate comes from (PEOPLE_BASES)."""
    bitmaps: dict[tuple[date, str], bytearray] = defaultdict(bytearray)
    sessions = (
        Booking.objects.filter(start__gte=since, start__lt=until)
        .annotate(
            mentee_feedback=FilteredRelation("feedback", condition=Q(feedback__role=Feedback.Role.MENTEE)),
            rated=Count("mentee_feedback"),
            answered=Count("follow_up"),
        )
        .values_list("start", "mentee_id", "status", "rated", "answered")
        .order_by()
    )
    for start, mentee_id, status, rated, answered in sessions.iterator(chunk_size=20_000):
        week = week_start(start)
        bases = ["booked"]
        if status == HELD:
            bases += ["mentees"] + ["raters"] * bool(rated) + ["answered"] * bool(answered)
        for basis in bases:
            _set_bit(bitmaps[week, basis], mentee_id)
    requests = (
        MentorRequest.objects.filter(created_at__gte=since, created_at__lt=until)
        .filter(Q(status=BOOKED) | Q(needed_by__lte=now))
        .values_list("created_at", "asker_id", "status")
        .order_by()
    )
    for made, asker_id, status in requests.iterator(chunk_size=20_000):
        week = week_start(made)
        _set_bit(bitmaps[week, "deciders"], asker_id)
        if status == BOOKED:
            _set_bit(bitmaps[week, "waiters"], asker_id)
    hosts = (
        GroupSession.objects.filter(held_group_sessions(since, until, now)).values_list("start", "host_id")
    ).order_by()
    for start, host_id in hosts.iterator(chunk_size=20_000):
        _set_bit(bitmaps[week_start(start), "group_hosts"], host_id)
    seats = (
        _held_seats(since, until, now)
        .annotate(waited=ExpressionWrapper(waited_for_a_seat(), output_field=BooleanField()))
        .values_list("session__start", "person_id", "status", "waited")
        .order_by()
    )
    for start, person_id, status, waited in seats.iterator(chunk_size=20_000):
        week = week_start(start)
        if status == Seat.Status.SEATED:
            _set_bit(bitmaps[week, "group_attendees"], person_id)
        if waited:
            _set_bit(bitmaps[week, "group_waiters"], person_id)
    return bitmaps


def _skills(since: datetime, until: datetime) -> list[WeekSkill]:
    through = MentorRequest.skills.through
    # django-stubs drops annotate() on an auto-created through model: it cannot see "week" in values_list().
    rows = (
        through.objects.filter(mentorrequest__created_at__gte=since, mentorrequest__created_at__lt=until)  # type: ignore[misc]
        .annotate(week=TruncWeek("mentorrequest__created_at", tzinfo=UTC))
        .values_list("week", "skill_id", "mentorrequest__asker__department_id")
        .annotate(requested=Count("pk"), unmet=Count("pk", filter=~Q(mentorrequest__status=BOOKED)))
        .order_by()
    )
    return [
        WeekSkill(week=week_start(week), skill_id=skill, department_id=dept, requested=requested, unmet=unmet)
        for week, skill, dept, requested, unmet in rows
    ]


def wait() -> ExpressionWrapper:
    """How long a booked request waited for help: from the request to the session's start."""
    return ExpressionWrapper(F("booked_session_start") - F("created_at"), output_field=DurationField())


def _hours(value: timedelta) -> float:
    return round(value.total_seconds() / 3600, 4)


def _time_to_help(since: datetime, until: datetime) -> list[WeekTimeToHelp]:
    """Per week of the request: the median wait of the booked requests, for everyone and per department."""
    booked = (
        MentorRequest.objects.filter(created_at__gte=since, created_at__lt=until, status=BOOKED)
        .annotate(week=TruncWeek("created_at", tzinfo=UTC))
        .order_by()
    )
    found = []
    if connection.vendor == "postgresql":
        for week, median in booked.values_list("week").annotate(median=Median(wait())):
            found.append(WeekTimeToHelp(week=week_start(week), everyone=True, median_hours=_hours(median)))
        for week, dept, median in booked.values_list("week", "asker__department_id").annotate(
            median=Median(wait())
        ):
            found.append(
                WeekTimeToHelp(week=week_start(week), department_id=dept, median_hours=_hours(median))
            )
        return found
    waits: dict = defaultdict(list)
    for week, dept, value in booked.annotate(wait=wait()).values_list("week", "asker__department_id", "wait"):
        waits[week_start(week), True, None].append(value)
        waits[week_start(week), False, dept].append(value)
    return [
        WeekTimeToHelp(
            week=week, everyone=everyone, department_id=dept, median_hours=_hours(statistics.median(values))
        )
        for (week, everyone, dept), values in waits.items()
    ]


def _waits(since: datetime, until: datetime) -> Iterator[RequestWait]:
    """Every booked request made in the weeks, with its wait in hours and its asker's cell."""
    rows = (
        MentorRequest.objects.filter(created_at__gte=since, created_at__lt=until, status=BOOKED)
        .annotate(wait=wait())
        .values_list("created_at", "asker__department_id", "asker__job_level", "asker__timezone", "wait")
        .order_by()
    )
    for made, dept, level, zone, value in rows.iterator(chunk_size=20_000):
        week, dept, level, region = _cell(made, dept, level, zone)
        yield RequestWait(week=week, department_id=dept, job_level=level, region=region, hours=_hours(value))
