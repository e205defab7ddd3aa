"""Demo requests for help: weeks of history across skills, some booked, some expired, some still open.

Demand follows the story (demo.story): a handful of scarce skills are asked for far more often than
mentors offer them, so their requests are the ones that expire or still wait near their deadline; people in
zones short of mentors wait longer for help and are served before their deadline less often. Whether a
request was booked follows from the data: the more a request's skills are wanted compared with how many
accepting mentors offer them, the less likely.

Deterministic for a given random generator and `now`, written in bulk (COPY on PostgreSQL: a hundred thousand
requests take seconds). The demo
mentee gets one of each kind, so their /requests/ page shows the whole story.
"""

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from itertools import accumulate

from django.db import connection
from django.utils import timezone

from demo.bulk import BulkWriter, Progress, timestamp_formatter
from demo.story import ZONES_SHORT_OF_MENTORS, skill_demand
from marketplace.models import Skill, User, UserSkill
from matching import promise
from matching.models import MentorRequest

REQUEST_COLUMNS = (
    "id",
    "asker_id",
    "topic",
    "context",
    "needed_by",
    "duration",
    "prefer_other_department",
    "prefer_same_timezone",
    "status",
    "created_at",
    "booked_at",
    "booked_session_start",
    "booked_mentor_id",
    "last_matched_at",
    "first_matched_at",
    "match_count",
    "shortlist",
    "help_due_at",
)
REQUESTS_PER_ASKER_PER_WEEK = 0.05
KEEN_ASKER_SHARE = 0.7  # requests by people who book often; the rest by anyone
DEMAND_SPREAD = (0.6, 1.4)  # ordinary skills differ a little in how often they are asked for
# Chance that a request with a deadline passed was booked, when its skills are no more wanted than offered;
# divided by (how much more wanted than offered) ** BOOKED_PRESSURE_EXPONENT for scarce skills.
BOOKED_CHANCE = 0.9
BOOKED_PRESSURE_EXPONENT = 0.7
UPCOMING_BOOKED_SHARE = 0.5  # requests whose deadline is ahead: some are still open
SHORT_OF_MENTORS_BOOKED_SHARE = 0.75

NEEDS = (
    "I present to the leadership team on {day}",
    "First time doing this: a sanity check before {day}",
    "Stuck on a decision and need a second opinion by {day}",
    "Preparing for a difficult conversation on {day}",
    "Reviewing my plan before I share it on {day}",
    "Would love a few pointers before {day}'s workshop",
)


def _askers(people) -> tuple[list[int], list[int], int | None]:
    """`people`: demo.people.SeededPeople, or a plain list of user ids.

    Returns everyone who may ask, those who ask often (repeated by how often), and the demo mentee.
    """
    if hasattr(people, "employee_ids"):
        everyone = list(people.employee_ids)
        return (
            everyone,
            list(getattr(people, "mentee_pool", ())) or everyone,
            getattr(people, "mentee_id", None),
        )
    return list(people), list(people), None


def _supply() -> dict[int, list[int]]:
    """Accepting mentors offering each skill: one query."""
    offered: dict[int, list[int]] = defaultdict(list)
    for skill_id, mentor_id in (
        UserSkill.objects.filter(
            user__is_mentor=True, user__is_active=True, user__mentor_profile__accepting=True
        )
        .order_by("skill_id", "user_id")
        .values_list("skill_id", "user_id")
    ):
        offered[skill_id].append(mentor_id)
    return offered


def _pressure(demand: dict[int, float], offered: dict[int, list[int]]) -> dict[int, float]:
    """Per skill: its share of the demand over its share of the offers (1: as wanted as offered)."""
    total_demand = sum(demand.values())
    total_offers = sum(len(offered.get(skill, ())) for skill in demand) + len(demand)
    return {
        # One imaginary offer each, so a skill nobody offers has a finite (large) pressure.
        skill: (weight / total_demand) / ((len(offered.get(skill, ())) + 1) / total_offers)
        for skill, weight in demand.items()
    }


def seed_requests(
    *,
    rng: random.Random,
    people,
    progress: Progress,
    skill_ids: Sequence[int] | None = None,
    now: datetime | None = None,
    weeks_of_history: int = 8,
) -> int:
    """Creates requests over the past `weeks_of_history` weeks and the coming days; returns how many."""
    now = (now or timezone.now()).astimezone(UTC).replace(second=0, microsecond=0)
    askers, keen_askers, featured = _askers(people)
    skills = Skill.objects.order_by("pk")
    if skill_ids is not None:
        skills = skills.filter(pk__in=skill_ids)
    slugs = dict(skills.values_list("pk", "slug"))
    if not askers or not slugs:
        return 0
    demand = {skill: skill_demand(slug) * rng.uniform(*DEMAND_SPREAD) for skill, slug in slugs.items()}
    offered = _supply()
    pressure = _pressure(demand, offered)
    skill_pool = list(demand)
    demand_cum = list(accumulate(demand.values()))
    all_mentors = sorted({mentor for mentors in offered.values() for mentor in mentors})
    far_from_mentors = set(
        User.objects.filter(timezone__in=ZONES_SHORT_OF_MENTORS).values_list("pk", flat=True)
    )

    table = MentorRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        next_id = (cursor.fetchone()[0] or 0) + 1

    def booked_chance(picked: list[int], asker_id: int) -> float:
        chance = (
            BOOKED_CHANCE / max(1.0, max(pressure[skill] for skill in picked)) ** BOOKED_PRESSURE_EXPONENT
        )
        return chance * (SHORT_OF_MENTORS_BOOKED_SHARE if asker_id in far_from_mentors else 1)

    def add(asker_id: int, created: datetime, picked: list[int], status: str | None = None) -> None:
        nonlocal next_id
        # Someone who offers one of the skills asked for (anyone, when nobody does).
        mentors = next((offered[skill] for skill in picked if offered.get(skill)), all_mentors)
        request = _request(
            rng,
            asker_id,
            created,
            now,
            mentors,
            status=status,
            booked_chance=booked_chance(picked, asker_id),
            slow=asker_id in far_from_mentors,
        )
        created_at = request[8]
        help_due_at = promised.due_at(created_at)
        requests.add((next_id, *(stamp_of(value) for value in request), 0, "[]", stamp_of(help_due_at)))
        for skill_id in picked:
            request_skills.add((next_id, skill_id))
        next_id += 1

    postgres = connection.vendor == "postgresql"
    stamp = timestamp_formatter(postgres)
    promised = promise.current()

    def stamp_of(value):
        return stamp(int(value.timestamp())) if isinstance(value, datetime) else value

    requests = BulkWriter(table, REQUEST_COLUMNS, progress, "requests")
    through = MentorRequest.skills.through
    request_skills = BulkWriter(
        through._meta.db_table, ("mentorrequest_id", "skill_id"), progress, "requested skills"
    )
    count = max(1, int(len(askers) * REQUESTS_PER_ASKER_PER_WEEK * weeks_of_history))
    history = timedelta(weeks=weeks_of_history)
    for _ in range(count):
        created = now - history * rng.random() ** 1.3  # more recent requests, as adoption grows
        asker = rng.choice(keen_askers if rng.random() < KEEN_ASKER_SHARE else askers)
        add(asker, created, _skills(rng, skill_pool, demand_cum))
    if featured is not None:
        # The demo mentee: helped with an ordinary skill; a scarce one expired; another scarce one still open.
        by_pressure = sorted(skill_pool, key=lambda skill: (pressure[skill], skill))
        ordinary = by_pressure[len(by_pressure) // 2]
        add(featured, now - timedelta(days=20), [ordinary], status="booked")
        add(featured, now - timedelta(days=9), [by_pressure[-1]], status="expired")
        # The open one is scarce but somebody offers it, so a mentor can answer it (demo.answers).
        answerable = [
            skill
            for skill in by_pressure[:-1] or by_pressure
            if any(mentor != featured for mentor in offered.get(skill, ()))
        ]
        add(
            featured,
            now - timedelta(hours=2),
            [answerable[-1] if answerable else by_pressure[-2 if len(by_pressure) > 1 else -1]],
            status="open",
        )
    made = requests.close()
    request_skills.close()
    if postgres and made:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {table}))", [table]
            )
    return made


def _skills(rng: random.Random, pool: list[int], demand_cum: list[float]) -> list[int]:
    wanted = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
    picked: dict[int, None] = {}
    while len(picked) < min(wanted, len(pool)):
        picked[rng.choices(pool, cum_weights=demand_cum)[0]] = None
    return list(picked)


def _request(
    rng: random.Random,
    asker_id: int,
    created: datetime,
    now: datetime,
    mentors: list[int],
    *,
    status: str | None = None,
    booked_chance: float = BOOKED_CHANCE,
    slow: bool = False,
) -> tuple:
    """One request's values, REQUEST_COLUMNS from asker_id to first_matched_at.

    `slow`: the asker is far from most mentors, so booking and the session come later.
    """
    created = created.replace(second=0, microsecond=0)
    working_days = rng.choice((1, 2, 3, 3, 3, 5, 7))
    deadline_day = created.date() + timedelta(days=working_days + 2 * (working_days // 5))
    needed_by = datetime.combine(deadline_day, time(rng.choice((12, 15, 17, 17))), tzinfo=UTC)
    if needed_by <= created + timedelta(hours=2):
        needed_by = created + timedelta(days=1)
    duration = rng.choice((20, 30, 30))
    if status is None:
        if needed_by > now:
            status = "booked" if rng.random() < booked_chance * UPCOMING_BOOKED_SHARE else "open"
        else:
            status = "booked" if rng.random() < booked_chance else "expired"
    topic = rng.choice(NEEDS).format(day=f"{needed_by:%A}")
    prefer_other_department = rng.random() < 0.15
    prefer_same_timezone = rng.random() < 0.1
    booked_at = booked_session_start = booked_mentor_id = last_matched_at = first_matched_at = None
    if status == "booked":
        # Time to help: minutes to a couple of days to book, then a session some hours later; far from the
        # mentors, both take longer and the session lands nearer the deadline.
        window = needed_by - created - timedelta(minutes=duration)
        longest_hours = 72 if slow else 36
        booked_at = min(
            created + min(window / (2 if slow else 3), timedelta(minutes=rng.randint(2, 60 * longest_hours))),
            now,
        ).replace(microsecond=0)
        latest_start = needed_by - timedelta(minutes=duration)
        towards_deadline = rng.random() ** (0.5 if slow else 1.5)
        first_matched_at, last_matched_at = created, booked_at
        booked_session_start = max(
            booked_at,
            (booked_at + (latest_start - booked_at) * towards_deadline).replace(second=0, microsecond=0),
        )
        booked_mentor_id = rng.choice(mentors) if mentors else None
    elif status == "expired":
        last_matched_at = needed_by - timedelta(hours=1)
    return (
        asker_id,
        topic,
        "",
        needed_by,
        duration,
        prefer_other_department,
        prefer_same_timezone,
        status,
        created,
        booked_at,
        booked_session_start,
        booked_mentor_id,
        last_matched_at,
        first_matched_at,
    )
