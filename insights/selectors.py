"""Every figure of the HR insights (issue 8), read-only.

Where the figures come from: the weekly summary tables (insights.models, rebuilt by insights.rollups every few
minutes) hold the additive counts per ISO week and group of people, and a bitmap per week of who took part;
the medians of time to help and the load per mentor are aggregated live, in SQL, over indexed columns. The
cost of a summary is thus a dozen queries over a few hundred rows per week of the range, plus two scans of
the range's requests and sessions, whatever the number of sessions in the database.

The privacy rule lives here, so that the page, the API and the CSV cannot differ: a group of fewer than
MIN_GROUP_SIZE people (a department, a job level, a region, or the population a department filter leaves) is
never broken down. When the hidden groups of a breakdown add up to fewer than 5 people, they could still be
worked out by subtracting the shown groups from the totals, so the next smallest group is hidden as well
(complementary suppression). Hidden figures are dropped here and never leave this module.

Conventions: a range is whole ISO weeks, Monday to Sunday in UTC (dates given are widened to whole weeks);
rates are fractions from 0 to 1; a figure with nothing to divide by is None. With a department filter,
session figures are the help its people received (as mentees), mentor figures are about its mentors, and
participants are its people in either role.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.expressions import RawSQL

from insights.models import RequestWait, RollupState, WeekCell, WeekParticipants, WeekSkill, WeekTimeToHelp
from insights.regions import REGIONS, region_of
from insights.rollups import monday
from marketplace.models import Department, JobLevel, MentorProfile, Skill, User, UserSkill
from matching.models import MentorRequest
from sessions_app.models import Booking, Feedback, FollowUp

MIN_GROUP_SIZE = 5
FOLLOW_UP_LABELS = {
    FollowUp.Outcome.YES: "Unblocked",
    FollowUp.Outcome.PARTLY: "Partly unblocked",
    FollowUp.Outcome.NO: "Not unblocked",
}
FEWER_THAN_5 = "fewer than 5"
PROTECTS_SMALLER = "hidden to protect a smaller group"
HELD = Booking.Status.COMPLETED
BOOKED_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)
BOOKED = MentorRequest.Status.BOOKED
# Medians sort the range's requests several times: give them memory instead of temporary files.
POSTGRES_WORK_MEM = "64MB"
NO_DEPARTMENT = "No department"
NO_LEVEL = "Level not set"

# One line per figure: shown under each figure on the page, and in the API as `definitions`.
DEFINITIONS = {
    "employees": "People with an active account who joined before the end of the range.",
    "participants": "Employees who took part in at least one held session in the range, as mentee or mentor.",
    "participation_rate": "Participants divided by employees.",
    "sessions_held": (
        "Sessions marked completed whose start falls in the range (with a department: those its people "
        "received as mentees)."
    ),
    "minutes_held": "Total booked length of the sessions held.",
    "active_mentors": "Mentors (of the department, if chosen) who held at least one session in the range.",
    "mentor_utilization": (
        "Minutes booked (confirmed, completed or no-show) with mentors accepting requests, divided by the "
        "minutes they offer: for each, the smaller of their weekly cap and their weekly blocks, times the "
        "weeks in the range (today's settings)."
    ),
    "median_hours_to_help": (
        "For requests made in the range that got a session: the median time from the request to the "
        "session's start, in hours."
    ),
    "served_before_deadline_rate": (
        "Requests made in the range whose session ended by their deadline, divided by those already "
        "decided (booked, or past their deadline)."
    ),
    "requests": "Requests for help made in the range.",
    "avg_rating": "Average rating (1 to 5) mentees gave to the sessions held.",
    "helpful_rate": "Share of mentees' feedback on sessions held that answered “yes, this helped”.",
    "no_show_rate": "No-shows divided by sessions that were due (held or no-show) in the range.",
    "cancellation_rate": "Cancelled sessions divided by all sessions booked to start in the range.",
    "cross_department_share": "Share of sessions held where mentor and mentee work in different departments.",
    "unblocked_rate": (
        "Of the sessions held whose mentee answered the one-week follow-up, the share answering “yes, it "
        "unblocked me” (“partly” is counted apart; sessions by the week they started)."
    ),
    "partly_unblocked_rate": "Of those one-week follow-up answers, the share answering “partly”.",
    "follow_ups": "Mentees' answers to the one-week follow-up on the sessions held in the range.",
    "moments_logged": (
        "Informal mentoring moments (a tip, an encouragement, an introduction) people logged as happening in "
        "the range (with a department: logged by its people)."
    ),
    "mentors_carrying_half": "The fewest mentors who together held half of all sessions held, busiest first.",
    "weekly": "Per ISO week (Monday, UTC): sessions held and distinct people who took part, in either role.",
    "skills": (
        "Per skill: requests made in the range that asked for it, and mentors accepting requests who offer "
        "it (whole company), with the minutes a week they have left after their bookings."
    ),
    "equity": (
        "By department, job level and time-zone region: participation rate, median hours to help, requests "
        "served before the deadline, helpful rate and one-week unblocked rate of each group's people. Groups "
        "of fewer than 5 people are not shown."
    ),
}


@dataclass(frozen=True)
class Scope:
    """What HR asked for, widened to whole ISO weeks: Monday of `start` to Sunday of `end`, in UTC."""

    start: date
    end: date
    department_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", monday(self.start))
        object.__setattr__(self, "end", monday(self.end) + timedelta(days=6))

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def last_week(self) -> date:
        return self.end - timedelta(days=6)

    @property
    def weeks(self) -> int:
        return (self.end - self.start).days // 7 + 1

    def week_starts(self) -> list[date]:
        return [self.start + timedelta(weeks=n) for n in range(self.weeks)]


# --- Small helpers ---------------------------------------------------------------------------------------


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def _rate(part: float | None, whole: float | None, digits: int = 4) -> float | None:
    if not whole or part is None:
        return None
    return round(part / whole, digits)


def _hours(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        value = value.total_seconds() / 3600
    return round(value, 1)


def _as_date(value) -> date:
    """A week bucket as a date, whatever the backend returned (aware or naive datetime, date, or text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def protect(sizes: dict) -> dict:
    """Which groups to hide and why: under 5 people, or the smallest others until the hidden add up to 5."""
    hidden = {key: FEWER_THAN_5 for key, size in sizes.items() if 0 < size < MIN_GROUP_SIZE}
    if hidden:
        hidden_people = sum(sizes[key] for key in hidden)
        for key in sorted(
            (key for key in sizes if key not in hidden), key=lambda key: (sizes[key], str(key))
        ):
            if hidden_people >= MIN_GROUP_SIZE:
                break
            hidden[key] = PROTECTS_SMALLER
            hidden_people += sizes[key]
    return hidden


def _bookings_in_range(scope: Scope) -> QuerySet:
    return Booking.objects.filter(start__gte=scope.since, start__lt=scope.until).order_by()


def _in_weeks(queryset: QuerySet, scope: Scope) -> QuerySet:
    rows = queryset.filter(week__gte=scope.start, week__lte=scope.last_week)
    if scope.department_id is not None:
        rows = rows.filter(department_id=scope.department_id)
    return rows


# --- People and their groups ------------------------------------------------------------------------------


@dataclass
class Cell:
    """Figures of the people sharing one (department, job level, region): never shown on their own."""

    employees: int = 0
    participants: int = 0
    held: int = 0
    cross: int = 0
    rated: int = 0
    rating_sum: int = 0
    helpful: int = 0
    requests: int = 0
    booked: int = 0
    served: int = 0
    decided: int = 0
    followed_up: int = 0
    unblocked: int = 0
    partly_unblocked: int = 0
    moments: int = 0

    def add(self, other: "Cell") -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


# Every figure of a cell but its headcounts is a sum of the summary table's column of the same name.
CELL_SUMS = tuple(item.name for item in fields(Cell) if item.name not in {"employees", "participants"})


@dataclass
class Dimension:
    name: str
    key_of: object  # (department_id, job_level, region) -> the group's key
    labels: dict
    groups: dict = field(default_factory=dict)  # key -> Cell
    hidden: dict = field(default_factory=dict)  # key -> why it is hidden


def _fetch(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list queryset as the driver returns them, without Django's per-row work: for long
    lists of plain numbers and text only (no dates, durations or booleans, which SQLite returns raw)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _to_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "little")


def _mask(people: Iterable[int]) -> int:
    bits = bytearray()
    for person in people:
        index = person >> 3
        if index >= len(bits):
            bits.extend(bytes(index + 1 - len(bits)))
        bits[index] |= 1 << (person & 7)
    return int.from_bytes(bits, "little")


def _weekly_bitmaps(scope: Scope) -> tuple[int, dict[date, int]]:
    """Who took part in each week of the range (bitmaps of user ids), and in any of them: one query."""
    union, weeks = 0, {}
    for week, people in WeekParticipants.objects.filter(
        week__gte=scope.start, week__lte=scope.last_week
    ).values_list("week", "people"):
        weeks[_as_date(week)] = value = int.from_bytes(bytes(people), "little")
        union |= value
    return union, weeks


def _population(scope: Scope) -> QuerySet:
    return User.objects.filter(is_active=True, date_joined__lt=scope.until).order_by()


def _population_cells(scope: Scope, took_part: int) -> dict[tuple, list[int]]:
    """[employees, participants] per (department, job level, time zone) of the whole company: one query.

    The whole company even with a department filter: whether a department may be shown depends on the sizes
    of the others (complementary suppression).
    """
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    if _on_postgres():
        # PostgreSQL reads the bitmap itself: get_bit(bytea, n) counts from the lowest bit of the first byte,
        # as insights.rollups writes it. CASE keeps get_bit within the bitmap's length.
        bits = _to_bytes(took_part)
        user_id = f'"{User._meta.db_table}"."id"'
        participated = RawSQL(
            f"CASE WHEN {user_id} < %s THEN get_bit(%s::bytea, {user_id}::int) = 1 ELSE false END",
            (len(bits) * 8, bits),
            output_field=BooleanField(),
        )
        for dept, level, zone, employees, participants in (
            _population(scope)
            .values_list("department_id", "job_level", "timezone")
            .annotate(employees=Count("pk"), participants=Count("pk", filter=participated))
        ):
            cells[dept, level, zone] = [employees, participants]
        return cells
    bits = _to_bytes(took_part)
    for person, dept, level, zone in _fetch(
        _population(scope).values_list("pk", "department_id", "job_level", "timezone")
    ):
        cell = cells[dept, level, zone]
        cell[0] += 1
        cell[1] += person >> 3 < len(bits) and bits[person >> 3] >> (person & 7) & 1
    return cells


def _cell_sums(scope: Scope, cells: dict[tuple, Cell]) -> None:
    """Sessions received and requests made per cell over the range, from the summary tables: one query."""
    rows = (
        _in_weeks(WeekCell.objects.all(), scope)
        .values_list("department_id", "job_level", "region")
        .annotate(*(Sum(name) for name in CELL_SUMS))
        .order_by()
    )
    for dept, level, region, *sums in rows:
        cell = cells.setdefault((dept, level, region), Cell())
        cell.add(Cell(**dict(zip(CELL_SUMS, (value or 0 for value in sums), strict=True))))


def _dimensions(cells: dict[tuple, Cell], departments: dict[int, str], department_id: int | None):
    """Sums the cells into departments, job levels and regions, and decides which groups to hide."""
    dimensions = []
    if department_id is None:
        dimensions.append(Dimension("department", lambda key: key[0], {**departments, None: NO_DEPARTMENT}))
    dimensions += [
        Dimension("job_level", lambda key: key[1], {**dict(JobLevel.choices), "": NO_LEVEL}),
        Dimension("region", lambda key: key[2], REGIONS),
    ]
    for dimension in dimensions:
        for key, cell in cells.items():
            dimension.groups.setdefault(dimension.key_of(key), Cell()).add(cell)
        # Only people make a group (the requests of people who have left make none).
        dimension.groups = {key: cell for key, cell in dimension.groups.items() if cell.employees}
        dimension.hidden = protect({key: cell.employees for key, cell in dimension.groups.items()})
    return dimensions


# --- Medians of time to help (live: a median cannot be added up from weeks) -----------------------------

# GROUPING(department, level, region) of each grouping set: 1 marks a column not grouped by.
_SETS = {0b111: "total", 0b011: "department", 0b101: "job_level", 0b110: "region"}


@dataclass
class Medians:
    total: float | None = None
    weekly: dict = field(default_factory=dict)  # week -> hours
    groups: dict = field(default_factory=dict)  # (dimension, key) -> hours


def _medians(scope: Scope, shown: dict[str, set]) -> Medians:
    """Median hours to help over the range, overall and per shown group, and per week: two queries.

    From the summary tables, which keep every booked request's wait with its asker's cell (a median cannot be
    added up from weekly figures). PostgreSQL takes the medians in one GROUPING SETS query; SQLite has no
    percentile, so there the waits come back as one narrow list and Python takes them.
    """
    medians = Medians()
    weekly = WeekTimeToHelp.objects.filter(week__gte=scope.start, week__lte=scope.last_week)
    if scope.department_id is None:
        weekly = weekly.filter(everyone=True)
    else:
        weekly = weekly.filter(everyone=False, department_id=scope.department_id)
    medians.weekly = {
        _as_date(week): _hours(hours) for week, hours in weekly.values_list("week", "median_hours")
    }
    waits = _in_weeks(RequestWait.objects.all(), scope).values(
        "department_id", "job_level", "region", "hours"
    )
    if _on_postgres():
        sql, params = waits.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT GROUPING(department_id, job_level, region), department_id, job_level, region, "
                "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY hours) "
                f"FROM ({sql}) AS waits GROUP BY GROUPING SETS ((), (department_id), (job_level), (region))",
                params,
            )
            rows = cursor.fetchall()
        for grouping, dept, level, region, median in rows:
            kind = _SETS[grouping]
            if kind == "total":
                medians.total = _hours(median)
                continue
            key = {"department": dept, "job_level": level, "region": region}[kind]
            if key in shown.get(kind, ()):
                medians.groups[kind, key] = _hours(median)
        return medians
    found: dict = defaultdict(list)
    for dept, level, region, hours in _fetch(
        waits.values_list("department_id", "job_level", "region", "hours")
    ):
        found["total"].append(hours)
        for kind, key in (("department", dept), ("job_level", level), ("region", region)):
            if key in shown.get(kind, ()):
                found[kind, key].append(hours)
    medians.total = _hours(statistics.median(found.pop("total"))) if found.get("total") else None
    medians.groups = {key: _hours(statistics.median(values)) for key, values in found.items()}
    return medians


# --- Sessions by week -------------------------------------------------------------------------------------

WEEK_SUMS = (
    "scheduled",
    "held",
    "minutes",
    "no_shows",
    "cancelled",
    "requests",
    "followed_up",
    "unblocked",
    "moments",
)


def _weekly_sums(scope: Scope) -> dict[date, dict]:
    """Per week: sessions booked, held, minutes, no-shows, cancellations, follow-ups, requests, moments."""
    rows = (
        _in_weeks(WeekCell.objects.all(), scope)
        .values_list("week")
        .annotate(*(Sum(name) for name in WEEK_SUMS))
        .order_by()
    )
    return {
        _as_date(week): dict(zip(WEEK_SUMS, (value or 0 for value in sums), strict=True))
        for week, *sums in rows
    }


# --- Mentors: load, capacity, skills ----------------------------------------------------------------------


@dataclass(frozen=True)
class MentorLoad:
    held: int
    booked_minutes: int


def _mentor_loads(scope: Scope) -> dict[int, MentorLoad]:
    """Sessions held and minutes booked per mentor in the range (whole company): one query, live."""
    rows = (
        _bookings_in_range(scope)
        .values_list("mentor_id")
        .annotate(
            held=Count("mentor_id", filter=Q(status=HELD)),  # not pk: the covering index has no id
            booked=Sum("duration", filter=Q(status__in=BOOKED_STATUSES)),
        )
    )
    return {mentor: MentorLoad(held, booked or 0) for mentor, held, booked in rows}


@dataclass(frozen=True)
class Mentor:
    department_id: int | None
    weekly_minutes: int  # offered now: min(weekly cap, minutes of weekly blocks); 0 when not accepting


def _mentors() -> dict[int, Mentor]:
    """Every person with mentoring settings, with the weekly minutes they offer today: one query."""
    block = ExpressionWrapper(
        F("user__availability_blocks__end") - F("user__availability_blocks__start"),
        output_field=DurationField(),
    )
    rows = (
        MentorProfile.objects.values_list(
            "user_id",
            "user__department_id",
            "accepting",
            "user__is_mentor",
            "user__is_active",
            "weekly_minutes_cap",
        )
        .annotate(blocks=Sum(block))
        .order_by()
    )
    mentors = {}
    for user_id, dept, accepting, is_mentor, is_active, cap, blocks in rows:
        block_minutes = int(blocks.total_seconds() // 60) if blocks else 0
        offering = accepting and is_mentor and is_active
        mentors[user_id] = Mentor(dept, min(cap, block_minutes) if offering else 0)
    return mentors


def _load_spread(loads: dict[int, MentorLoad]) -> dict:
    """How concentrated sessions are: the fewest mentors carrying half, and each tenth's share."""
    counts = sorted((load.held for load in loads.values() if load.held), reverse=True)
    total = sum(counts)
    spread: dict = {
        "active_mentors": len(counts),
        "mentors_carrying_half": None,
        "share_of_mentors_carrying_half": None,
        "slices": [],
        "suppressed": None,
    }
    if not total:
        return spread
    if len(counts) < MIN_GROUP_SIZE:  # the spread over 1–4 mentors would tell each one's load
        return {**spread, "suppressed": FEWER_THAN_5}
    running = 0
    for index, count in enumerate(counts, start=1):
        running += count
        if running * 2 >= total:
            spread["mentors_carrying_half"] = index
            break
    spread["share_of_mentors_carrying_half"] = _rate(spread["mentors_carrying_half"], len(counts))
    # Slices of the active mentors, busiest first (tenths, or fewer so that each holds at least 5 mentors):
    # the share of the sessions each slice held.
    slices = min(10, len(counts) // MIN_GROUP_SIZE)
    for n in range(slices if slices > 1 else 0):
        part = counts[len(counts) * n // slices : len(counts) * (n + 1) // slices]
        spread["slices"].append(
            {
                "from_percent": round(100 * n / slices),
                "to_percent": round(100 * (n + 1) / slices),
                "mentors": len(part),
                "sessions": sum(part),
                "share": _rate(sum(part), total),
            }
        )
    return spread


def _skills(scope: Scope, loads: dict[int, MentorLoad], mentors: dict[int, Mentor]) -> list[dict]:
    """Demand (requests per skill, summary tables) against supply (mentors offering it, free minutes)."""
    demand = {
        skill_id: (requested or 0, unmet or 0)
        for skill_id, requested, unmet in _in_weeks(WeekSkill.objects.all(), scope)
        .values_list("skill_id")
        .annotate(Sum("requested"), Sum("unmet"))
        .order_by()
    }
    offering_mentors: dict[int, int] = defaultdict(int)
    free_minutes: dict[int, float] = defaultdict(float)
    free_of: dict[int, float] = {}
    for user_id, mentor in mentors.items():
        if mentor.weekly_minutes > 0:
            load = loads.get(user_id)
            used_per_week = load.booked_minutes / scope.weeks if load else 0
            free_of[user_id] = max(0.0, mentor.weekly_minutes - used_per_week)
    for skill_id, user_ids in _mentors_by_skill():
        for user_id in user_ids:
            if user_id in free_of:
                offering_mentors[skill_id] += 1
                free_minutes[skill_id] += free_of[user_id]
    skills = []
    for skill_id, slug, name in Skill.objects.values_list("pk", "slug", "name"):
        requested, unmet = demand.get(skill_id, (0, 0))
        offered = offering_mentors.get(skill_id, 0)
        if requested or offered:
            skills.append(
                {
                    "slug": slug,
                    "name": name,
                    "requested": requested,
                    "unmet": unmet,
                    "offered": offered,
                    "free_minutes_per_week": round(free_minutes.get(skill_id, 0)),
                }
            )
    skills.sort(key=lambda skill: (-skill["requested"], -skill["unmet"], skill["slug"]))
    return skills


def _mentors_by_skill() -> list[tuple[int, list[int]]]:
    """(skill, ids of accepting mentors who offer it): one query, an array per skill on PostgreSQL."""
    offers = UserSkill.objects.filter(user__mentor_profile__accepting=True).order_by()
    if _on_postgres():
        return list(offers.values_list("skill_id").annotate(mentors=ArrayAgg("user_id")))
    grouped: dict[int, list[int]] = defaultdict(list)
    for skill_id, user_id in _fetch(offers.values_list("skill_id", "user_id")):
        grouped[skill_id].append(user_id)
    return list(grouped.items())


def skill_gaps(skills: list[dict], limit: int = 3) -> list[dict]:
    """The skills whose requests most often went without a session; ties: fewer mentors offering it first."""
    wanting = [skill for skill in skills if skill["unmet"]]
    wanting.sort(key=lambda skill: (-skill["unmet"], skill["offered"], skill["slug"]))
    return wanting[:limit]


def gap_sentence(skill: dict) -> str:
    mentors = {0: "no mentor offers it", 1: "1 mentor offers it"}.get(
        skill["offered"], f"{skill['offered']} mentors offer it"
    )
    free = f" ({skill['free_minutes_per_week']} free minutes a week)" if skill["offered"] else ""
    plural = "s" if skill["requested"] != 1 else ""
    return (
        f"{skill['name']}: {skill['requested']} request{plural}, {skill['unmet']} without a session; "
        f"{mentors}{free}."
    )


# --- The summary ------------------------------------------------------------------------------------------

FIGURES = (
    "employees",
    "participants",
    "participation_rate",
    "sessions_held",
    "minutes_held",
    "active_mentors",
    "mentor_utilization",
    "median_hours_to_help",
    "avg_rating",
    "helpful_rate",
    "no_show_rate",
    "cancellation_rate",
    "cross_department_share",
    "served_before_deadline_rate",
    "unblocked_rate",
    "partly_unblocked_rate",
    "follow_ups",
    "moments_logged",
    "requests",
    "decided_requests",
    "ratings",
    "offering_mentors",
    "offered_minutes",
    "booked_minutes",
)


def refreshed_at() -> datetime | None:
    """When the summary tables were last rebuilt (None: never)."""
    return RollupState.objects.values_list("refreshed_at", flat=True).first()


def summary(scope: Scope, *, now: datetime) -> dict:
    """Every figure of the dashboard for `scope`, with the privacy rule applied: 14 queries at most."""
    with transaction.atomic():
        if _on_postgres():
            with connection.cursor() as cursor:
                # JIT compilation costs more than it saves on these short queries (measured: bench_insights).
                cursor.execute(f"SET LOCAL work_mem = '{POSTGRES_WORK_MEM}'; SET LOCAL jit = off")
        return _summary(scope, now=now)


def _shown_population(scope: Scope, by_zone: dict[tuple, list[int]]) -> tuple[dict, str | None]:
    """Cells (department, job level, region) of the population, or why it (a department) may not be shown."""
    if scope.department_id is not None:
        sizes: dict = defaultdict(int)
        for (dept, _level, _zone), (employees, _participants) in by_zone.items():
            sizes[dept] += employees
        if not sizes.get(scope.department_id):
            return {}, FEWER_THAN_5
        reason = protect(dict(sizes)).get(scope.department_id)
        if reason:
            return {}, reason
        by_zone = {key: value for key, value in by_zone.items() if key[0] == scope.department_id}
    cells: dict[tuple, Cell] = defaultdict(Cell)
    for (dept, level, zone), (employees, participants) in by_zone.items():
        cell = cells[dept, level or "", region_of(zone)]
        cell.employees += employees
        cell.participants += participants
    if sum(cell.employees for cell in cells.values()) < MIN_GROUP_SIZE:
        return {}, FEWER_THAN_5
    return cells, None


def _summary(scope: Scope, *, now: datetime) -> dict:
    departments = dict(Department.objects.values_list("pk", "name"))
    department = None
    if scope.department_id is not None:
        department = {"id": scope.department_id, "name": departments.get(scope.department_id)}
    base = {
        "start": scope.start,
        "end": scope.end,
        "department": department,
        "as_of": refreshed_at(),
        "definitions": DEFINITIONS,
    }
    took_part, weeks = _weekly_bitmaps(scope)
    by_zone = _population_cells(scope, took_part)
    cells, reason = _shown_population(scope, by_zone)
    if reason:
        return suppressed_summary(base, reason)
    if scope.department_id is None:
        weekly_people = {week: value.bit_count() for week, value in weeks.items()}
    else:
        mask = _mask(
            _population(scope).filter(department_id=scope.department_id).values_list("pk", flat=True)
        )
        weekly_people = {week: (value & mask).bit_count() for week, value in weeks.items()}
    _cell_sums(scope, cells)
    dimensions = _dimensions(cells, departments, scope.department_id)
    shown = {dimension.name: set(dimension.groups) - set(dimension.hidden) for dimension in dimensions}
    medians = _medians(scope, shown)
    weekly_sums = _weekly_sums(scope)
    loads = _mentor_loads(scope)
    mentors = _mentors()
    skills = _skills(scope, loads, mentors)

    if scope.department_id is not None:
        own = {key for key, mentor in mentors.items() if mentor.department_id == scope.department_id}
        own_loads = {key: load for key, load in loads.items() if key in own}
    else:
        own, own_loads = set(mentors), loads
    offering = {key: mentors[key].weekly_minutes for key in own if mentors[key].weekly_minutes > 0}
    offered_minutes = sum(offering.values()) * scope.weeks
    booked_minutes = sum(load.booked_minutes for key, load in own_loads.items() if key in offering)
    spread = _load_spread(own_loads)

    totals = Cell()
    for cell in cells.values():
        totals.add(cell)
    sessions: dict = defaultdict(int)
    for row in weekly_sums.values():
        for name, value in row.items():
            sessions[name] += value
    weekly = []
    for week in scope.week_starts():
        row = weekly_sums.get(week, {})
        weekly.append(
            {
                "week_start": week,
                "sessions": row.get("held", 0),
                "participants": weekly_people.get(week, 0),
                "minutes": row.get("minutes", 0),
                "no_shows": row.get("no_shows", 0),
                "cancellations": row.get("cancelled", 0),
                "requests": row.get("requests", 0),
                "median_hours_to_help": medians.weekly.get(week),
                "follow_ups": row.get("followed_up", 0),
                "unblocked_rate": _rate(row.get("unblocked"), row.get("followed_up")),
                "moments_logged": row.get("moments", 0),
            }
        )

    return {
        **base,
        "suppressed": None,
        "employees": totals.employees,
        "participants": totals.participants,
        "participation_rate": _rate(totals.participants, totals.employees),
        "sessions_held": sessions["held"],
        "minutes_held": sessions["minutes"],
        "active_mentors": spread["active_mentors"],
        "mentor_utilization": _rate(booked_minutes, offered_minutes),
        "median_hours_to_help": medians.total,
        "avg_rating": round(totals.rating_sum / totals.rated, 2) if totals.rated else None,
        "helpful_rate": _rate(totals.helpful, totals.rated),
        "no_show_rate": _rate(sessions["no_shows"], sessions["held"] + sessions["no_shows"]),
        "cancellation_rate": _rate(sessions["cancelled"], sessions["scheduled"]),
        "cross_department_share": _rate(totals.cross, totals.held),
        "served_before_deadline_rate": _rate(totals.served, totals.decided),
        "unblocked_rate": _rate(totals.unblocked, totals.followed_up),
        "partly_unblocked_rate": _rate(totals.partly_unblocked, totals.followed_up),
        "follow_ups": totals.followed_up,
        "moments_logged": totals.moments,
        "requests": sessions["requests"],
        "decided_requests": totals.decided,
        "ratings": totals.rated,
        "offering_mentors": len(offering),
        "offered_minutes": offered_minutes,
        "booked_minutes": booked_minutes,
        "weekly": weekly,
        "skills": skills,
        "skill_gaps": [{**gap, "sentence": gap_sentence(gap)} for gap in skill_gaps(skills)],
        "load_spread": spread,
        "equity": {dimension.name: _equity_rows(dimension, medians) for dimension in dimensions},
    }


def _equity_rows(dimension: Dimension, medians: Medians) -> list[dict]:
    order = list(dimension.labels)
    rows = []
    for key in sorted(
        dimension.groups, key=lambda key: (order.index(key) if key in order else len(order), str(key))
    ):
        cell = dimension.groups[key]
        label = dimension.labels.get(key, str(key))
        reason = dimension.hidden.get(key)
        if reason:
            rows.append({"key": key, "label": label, "suppressed": reason})
            continue
        rows.append(
            {
                "key": key,
                "label": label,
                "suppressed": None,
                "employees": cell.employees,
                "participants": cell.participants,
                "participation_rate": _rate(cell.participants, cell.employees),
                "requests": cell.requests,
                "median_hours_to_help": medians.groups.get((dimension.name, key)),
                "served_before_deadline_rate": _rate(cell.served, cell.decided),
                "helpful_rate": _rate(cell.helpful, cell.rated),
                "unblocked_rate": _rate(cell.unblocked, cell.followed_up),
            }
        )
    return rows


def suppressed_summary(base: dict, reason: str) -> dict:
    """The shape of a summary whose population is too small to show: every figure withheld."""
    return {
        **base,
        "suppressed": reason,
        **dict.fromkeys(FIGURES),
        "weekly": [],
        "skills": [],
        "skill_gaps": [],
        "load_spread": {
            "active_mentors": None,
            "mentors_carrying_half": None,
            "share_of_mentors_carrying_half": None,
            "slices": [],
            "suppressed": reason,
        },
        "equity": {},
    }


# --- The CSV export: the weekly figures, overall and per department -----------------------------------------

EXPORT_COLUMNS = (
    "week_start",
    "department",
    "employees",
    "participants",
    "participation_rate",
    "sessions_held",
    "minutes_held",
    "no_shows",
    "cancellations",
    "requests",
    "median_hours_to_help",
    "follow_ups",
    "unblocked_rate",
    "moments_logged",
)


DEPARTMENT_WEEK_SUMS = (
    "held",
    "minutes",
    "no_shows",
    "cancelled",
    "requests",
    "followed_up",
    "unblocked",
    "moments",
)


def _weekly_by_department(scope: Scope, departments: dict[int, list[int]]) -> dict[tuple, dict]:
    """Per (week, shown department): its people's sessions, participants, requests and median: 3 queries."""
    found: dict[tuple, dict] = defaultdict(dict)
    rows = (
        WeekCell.objects.filter(
            week__gte=scope.start, week__lte=scope.last_week, department_id__in=list(departments)
        )
        .values_list("week", "department_id")
        .annotate(*(Sum(name) for name in DEPARTMENT_WEEK_SUMS))
        .order_by()
    )
    for week, dept, held, minutes, no_shows, cancelled, requests, followed_up, unblocked, moments in rows:
        found[_as_date(week), dept].update(
            sessions_held=held,
            minutes_held=minutes,
            no_shows=no_shows,
            cancellations=cancelled,
            requests=requests,
            follow_ups=followed_up,
            unblocked_rate=_rate(unblocked, followed_up),
            moments_logged=moments,
        )
    masks = {dept: _mask(members) for dept, members in departments.items()}
    for week, people in WeekParticipants.objects.filter(
        week__gte=scope.start, week__lte=scope.last_week
    ).values_list("week", "people"):
        value = int.from_bytes(bytes(people), "little")
        for dept, mask in masks.items():
            found[_as_date(week), dept]["participants"] = (value & mask).bit_count()
    for week, dept, hours in WeekTimeToHelp.objects.filter(
        week__gte=scope.start, week__lte=scope.last_week, everyone=False, department_id__in=list(departments)
    ).values_list("week", "department_id", "median_hours"):
        found[_as_date(week), dept]["median_hours_to_help"] = _hours(hours)
    return found


def export_rows(scope: Scope, *, now: datetime) -> list[dict]:
    """The weekly figures as CSV rows: one per week for the scope, then one per week per department.

    A department hidden by the privacy rule gets rows whose figures all read "fewer than 5" (or why else it
    is hidden); a department filter that leaves fewer than 5 people makes every figure read so.
    """
    report = summary(scope, now=now)
    overall = report["department"]["name"] if report["department"] else "All departments"
    if report["suppressed"]:
        hidden = dict.fromkeys(EXPORT_COLUMNS[2:], report["suppressed"])
        return [{"week_start": week, "department": overall, **hidden} for week in scope.week_starts()]
    rows = [
        {
            "week_start": week["week_start"],
            "department": overall,
            "employees": report["employees"],
            "participants": week["participants"],
            "participation_rate": _rate(week["participants"], report["employees"]),
            "sessions_held": week["sessions"],
            "minutes_held": week["minutes"],
            "no_shows": week["no_shows"],
            "cancellations": week["cancellations"],
            "requests": week["requests"],
            "median_hours_to_help": week["median_hours_to_help"],
            "follow_ups": week["follow_ups"],
            "unblocked_rate": week["unblocked_rate"],
            "moments_logged": week["moments_logged"],
        }
        for week in report["weekly"]
    ]
    if scope.department_id is not None:
        return rows
    groups = [group for group in report["equity"]["department"] if group["key"] is not None]
    shown = [group["key"] for group in groups if not group["suppressed"]]
    members: dict[int, list[int]] = {dept: [] for dept in shown}
    if shown:
        for person, dept in User.objects.filter(
            is_active=True, date_joined__lt=scope.until, department_id__in=shown
        ).values_list("pk", "department_id"):
            members[dept].append(person)
    by_department = _weekly_by_department(scope, members) if shown else {}
    for group in groups:
        for week in scope.week_starts():
            if group["suppressed"]:
                hidden = dict.fromkeys(EXPORT_COLUMNS[2:], group["suppressed"])
                rows.append({"week_start": week, "department": group["label"], **hidden})
                continue
            figures = by_department.get((week, group["key"]), {})
            participants = figures.get("participants", 0)
            rows.append(
                {
                    "week_start": week,
                    "department": group["label"],
                    "employees": group["employees"],
                    "participants": participants,
                    "participation_rate": _rate(participants, group["employees"]),
                    "sessions_held": figures.get("sessions_held", 0),
                    "minutes_held": figures.get("minutes_held", 0),
                    "no_shows": figures.get("no_shows", 0),
                    "cancellations": figures.get("cancellations", 0),
                    "requests": figures.get("requests", 0),
                    "median_hours_to_help": figures.get("median_hours_to_help"),
                    "follow_ups": figures.get("follow_ups", 0),
                    "unblocked_rate": figures.get("unblocked_rate"),
                    "moments_logged": figures.get("moments_logged", 0),
                }
            )
    return rows


# --- A mentor's own impact (/me/impact/) ------------------------------------------------------------------


def mentor_impact(mentor_id: int, *, now: datetime, comments: int = 30) -> dict:
    """A mentor's own record, all time: sessions given, people helped, ratings, one-week follow-up outcomes,
    and what mentees wrote (comments, and what changed for them a week later).

    Only ever about the mentor asking: the comments are what mentees wrote about the mentor's own sessions,
    shown to that mentor (never to HR).
    """
    completed = Q(status=HELD)
    given = Booking.objects.filter(mentor_id=mentor_id).aggregate(
        sessions=Count("pk", filter=completed),
        people=Count("mentee_id", filter=completed, distinct=True),
        minutes=Sum("duration", filter=completed),
        upcoming=Count("pk", filter=Q(status=Booking.Status.CONFIRMED, start__gte=now)),
    )
    feedback = Feedback.objects.filter(booking__mentor_id=mentor_id, role=Feedback.Role.MENTEE)
    ratings = feedback.aggregate(
        rated=Count("pk"), rating_sum=Sum("rating"), helpful=Count("pk", filter=Q(helpful=True))
    )
    recent = (
        feedback.exclude(comment="")
        .order_by("-created_at", "-pk")
        .values("comment", "rating", "helpful", "created_at", "booking__topic", "booking__start")[:comments]
    )
    follow_ups = FollowUp.objects.filter(booking__mentor_id=mentor_id, booking__status=HELD)
    outcomes = follow_ups.aggregate(
        answered=Count("pk"),
        **{outcome: Count("pk", filter=Q(outcome=outcome)) for outcome in FollowUp.Outcome.values},
    )
    changes = (
        follow_ups.exclude(note="")
        .order_by("-created_at", "-pk")
        .values("note", "outcome", "created_at", "booking__topic", "booking__start")[:comments]
    )
    return {
        "sessions_given": given["sessions"],
        "people_helped": given["people"],
        "minutes_given": given["minutes"] or 0,
        "upcoming": given["upcoming"],
        "ratings": ratings["rated"],
        "avg_rating": round(ratings["rating_sum"] / ratings["rated"], 2) if ratings["rated"] else None,
        "helpful_rate": _rate(ratings["helpful"], ratings["rated"]),
        "follow_ups": outcomes["answered"],
        "unblocked_rate": _rate(outcomes[FollowUp.Outcome.YES], outcomes["answered"]),
        "follow_up_outcomes": [
            {
                "outcome": outcome,
                "label": label,
                "count": outcomes[outcome],
                "share": _rate(outcomes[outcome], outcomes["answered"]),
            }
            for outcome, label in FOLLOW_UP_LABELS.items()
        ],
        "changes": [
            {
                "note": row["note"],
                "outcome": row["outcome"],
                "outcome_label": FOLLOW_UP_LABELS[row["outcome"]],
                "written_at": row["created_at"],
                "topic": row["booking__topic"],
                "session_start": row["booking__start"],
            }
            for row in changes
        ],
        "comments": [
            {
                "comment": row["comment"],
                "rating": row["rating"],
                "helpful": row["helpful"],
                "written_at": row["created_at"],
                "topic": row["booking__topic"],
                "session_start": row["booking__start"],
            }
            for row in recent
        ],
    }
