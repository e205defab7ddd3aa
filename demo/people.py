"""The demo organisation: departments, skills and people (mentors with skills and weekly blocks), and the
story the rest of the demo history follows (who is keen, where mentors are scarce, which skills are short).

Deterministic for a given random generator, bulk-inserted so that tens of thousands of people take seconds.
BulkWriter, for the hundreds of thousands of rows of history, is shared with matching.demo and
sessions_app.demo from here, the app they both depend on.
"""

import io
import random
import time as clock
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from itertools import accumulate
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils.text import slugify

from marketplace.models import (
    AvailabilityBlock,
    Department,
    JobLevel,
    MentorProfile,
    Skill,
    User,
    UserSkill,
)
from marketplace.services import make_hr_admin
from marketplace.taxonomy import SKILL_TAXONOMY

DEMO_PASSWORD = "demo-pass-123"
BATCH_SIZE = 2000
COPY_BATCH_SIZE = 50_000

# The story the demo history tells on the HR dashboard (issue 8): who takes part, who waits, which skills are
# short and who carries the load. Weights are shares of people, dealt out exactly rather than drawn at random,
# so that at the default size (60 mentors, 240 employees) every group has at least 5 people and is shown.
#
# Departments: (share of employees, share of mentors, how keen its people are to book help). Operations
# works in shifts on the floor and rarely books; Legal a little more; People champions the programme.
DEPARTMENT_STORY: dict[str, tuple[int, int, float]] = {
    "Engineering": (20, 22, 1.0),
    "Product": (8, 12, 1.1),
    "Design": (6, 8, 1.0),
    "Data": (7, 9, 1.0),
    "Sales": (13, 8, 0.9),
    "Customer Success": (10, 7, 0.9),
    "Marketing": (8, 8, 1.0),
    "Finance": (6, 6, 0.8),
    "People": (5, 8, 1.2),
    "Operations": (13, 3, 0.3),
    "Legal": (4, 4, 0.6),
}
DEPARTMENTS = tuple(DEPARTMENT_STORY)
# Job levels: (share of employees, share of mentors, keenness). Mentors are mostly senior; juniors book most.
LEVEL_STORY: dict[str, tuple[int, int, float]] = {
    JobLevel.ASSOCIATE: (22, 2, 1.3),
    JobLevel.PROFESSIONAL: (30, 12, 1.15),
    JobLevel.SENIOR: (22, 28, 1.0),
    JobLevel.LEAD: (10, 24, 0.8),
    JobLevel.MANAGER: (11, 20, 0.7),
    JobLevel.DIRECTOR: (5, 14, 0.4),
}
# Time zones on several continents, both hemispheres, and offsets that are not whole hours: (share of
# employees, share of mentors). Asia-Pacific has half the mentors its headcount would call for.
ZONE_STORY: dict[str, tuple[int, int]] = {
    "Europe/London": (12, 16),
    "Europe/Berlin": (12, 16),
    "America/New_York": (12, 16),
    "America/Los_Angeles": (8, 12),
    "America/Sao_Paulo": (5, 6),
    "Asia/Kolkata": (10, 5),
    "Asia/Tokyo": (6, 3),
    "Asia/Singapore": (8, 4),
    "Australia/Sydney": (6, 3),
    "Pacific/Auckland": (4, 2),
    "Africa/Johannesburg": (4, 4),
}
DEMO_TIMEZONES = tuple(ZONE_STORY)
# Where mentors are scarce people wait longer for help and more of their requests expire (matching.demo).
ZONES_SHORT_OF_MENTORS = frozenset(
    zone for zone, (employees, mentors) in ZONE_STORY.items() if 2 * mentors <= employees
)
# Share of employees who ever book help, before department and level keenness; the rest never do.
KEEN_SHARE = 0.6
MOST_KEEN_SHARE = 0.95
KEEN_BOOKING_WEIGHTS = (1, 1, 2, 3)  # how often a keen person books, relative to other keen people

# Skills asked for far more than they are offered (a few experts, always busy), and skills many offer and few
# ask for. Demand and supply weights of every other skill are 1.
SCARCE_SKILLS = (
    "system-design",
    "machine-learning",
    "kubernetes",
    "salary-negotiation",
    "difficult-conversations",
)
PLENTIFUL_SKILLS = (
    "public-speaking",
    "storytelling",
    "time-management",
    "spreadsheet-modelling",
    "design-systems",
    "vendor-management",
    "writing-user-stories",
    "building-a-network",
)
SCARCE_DEMAND, SCARCE_SUPPLY = 5.0, 0.1
PLENTIFUL_DEMAND, PLENTIFUL_SUPPLY = 0.15, 3.0
# Mentors in demand: the experts in scarce skills, booked close to their weekly cap every week.
IN_DEMAND_MENTOR_SHARE = 0.05
IN_DEMAND_SCARCE_SKILLS = 2
IN_DEMAND_CAPS = (180, 240)

FIRST_NAMES = [
    "Ada",
    "Amara",
    "Ana",
    "Anika",
    "Ben",
    "Carla",
    "Chen",
    "Dara",
    "Diego",
    "Elif",
    "Emeka",
    "Eva",
    "Farah",
    "Felix",
    "Grace",
    "Hana",
    "Ines",
    "Ivan",
    "Jonas",
    "Kai",
    "Kofi",
    "Lara",
    "Leo",
    "Lina",
    "Malik",
    "Maya",
    "Mei",
    "Nadia",
    "Noah",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Sami",
    "Sara",
    "Tariq",
    "Tomas",
    "Uma",
    "Yara",
    "Zoe",
]
LAST_NAMES = [
    "Adeyemi",
    "Alvarez",
    "Baker",
    "Becker",
    "Chowdhury",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kaur",
    "Kim",
    "Kowalski",
    "Larsen",
    "Mensah",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Oliveira",
    "Park",
    "Patel",
    "Quinn",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Singh",
    "Tanaka",
    "Usman",
    "Varga",
    "Wang",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Ziegler",
]
HEADLINES = (
    "Happy to help you prepare a talk or a tricky meeting",
    "Ask me about growing from engineer to lead",
    "I like untangling messy data questions",
    "Twenty minutes on your roadmap? Gladly",
    "Career changes, promotions and the conversations around them",
    "Design reviews, accessibility and UX writing",
    "Debugging production and keeping calm in incidents",
    "First-time manager questions welcome",
)

JOB_ROLES = ("specialist", "analyst", "engineer", "partner", "designer")
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


@dataclass(frozen=True)
class SeededPeople:
    mentor_ids: list[int]
    employee_ids: list[int]
    mentee_id: int
    mentor_id: int
    hr_id: int
    # Employee ids repeated by how often each books help (keen people several times, the others never).
    mentee_pool: list[int] = field(default_factory=list)
    in_demand_mentor_ids: list[int] = field(default_factory=list)


def skill_demand(slug: str) -> float:
    """How often requests ask for a skill, relative to an ordinary one (the story's skill gaps)."""
    if slug in SCARCE_SKILLS:
        return SCARCE_DEMAND
    return PLENTIFUL_DEMAND if slug in PLENTIFUL_SKILLS else 1.0


def skill_supply(slug: str) -> float:
    """How often mentors offer a skill, relative to an ordinary one."""
    if slug in SCARCE_SKILLS:
        return SCARCE_SUPPLY
    return PLENTIFUL_SUPPLY if slug in PLENTIFUL_SKILLS else 1.0


def deal(rng: random.Random, weights: Mapping[T, float], count: int) -> list[T]:
    """`count` labels in proportion to `weights` (largest remainders), shuffled.

    Unlike a random draw per person, every group gets its share, so a small organisation has no empty or
    tiny department by bad luck.
    """
    total = sum(weights.values())
    exact = {label: count * weight / total for label, weight in weights.items()}
    dealt = {label: int(share) for label, share in exact.items()}
    for label in sorted(exact, key=lambda label: dealt[label] - exact[label])[: count - sum(dealt.values())]:
        dealt[label] += 1
    deck = [label for label, times in dealt.items() for _ in range(times)]
    rng.shuffle(deck)
    return deck


def weighted_sample(rng: random.Random, items: Sequence[T], cum_weights: Sequence[float], k: int) -> list[T]:
    """`k` distinct items, each pick in proportion to its weight (`cum_weights`: running totals)."""
    picked: dict[T, None] = {}
    while len(picked) < min(k, len(items)):
        picked[rng.choices(items, cum_weights=cum_weights)[0]] = None
    return list(picked)


def _batches(items: Sequence, size: int = BATCH_SIZE) -> Iterator[Sequence]:
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]


def seed_reference_data() -> tuple[list[Department], list[Skill]]:
    departments = [Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS]
    existing = set(Skill.objects.values_list("slug", flat=True))
    Skill.objects.bulk_create(
        Skill(slug=slugify(name), name=name, category=category)
        for category, name in SKILL_TAXONOMY
        if slugify(name) not in existing
    )
    return departments, list(Skill.objects.order_by("id"))


def _random_blocks(rng: random.Random, mentor_id: int) -> list[AvailabilityBlock]:
    blocks = []
    for weekday in sorted(rng.sample(range(5), rng.randint(2, 4))):
        first_start = rng.choice((8 * 60, 8 * 60 + 30, 9 * 60, 10 * 60, 11 * 60))
        first_end = first_start + rng.choice((60, 90, 120))
        blocks.append(_block(mentor_id, weekday, first_start, first_end))
        if rng.random() < 0.5:
            second_start = rng.choice((13 * 60, 14 * 60, 15 * 60, 15 * 60 + 30))
            blocks.append(_block(mentor_id, weekday, second_start, second_start + rng.choice((60, 90))))
    return blocks


def _in_demand_blocks(rng: random.Random, mentor_id: int) -> list[AvailabilityBlock]:
    """Room for a full week: a long morning and an afternoon on four or five weekdays."""
    blocks = []
    for weekday in sorted(rng.sample(range(5), rng.randint(4, 5))):
        morning = rng.choice((8 * 60, 9 * 60))
        blocks.append(_block(mentor_id, weekday, morning, morning + 120))
        afternoon = rng.choice((13 * 60, 14 * 60))
        blocks.append(_block(mentor_id, weekday, afternoon, afternoon + 90))
    return blocks


def _block(mentor_id: int, weekday: int, start_minute: int, end_minute: int) -> AvailabilityBlock:
    return AvailabilityBlock(
        mentor_id=mentor_id,
        weekday=weekday,
        start=time(start_minute // 60, start_minute % 60),
        end=time(end_minute // 60, end_minute % 60),
    )


def _keen_weight(rng: random.Random, user: User) -> int:
    """How often an employee books help, relative to others: 0 for those who never do."""
    chance = KEEN_SHARE * DEPARTMENT_STORY[user.department.name][2] * LEVEL_STORY[user.job_level][2]
    if rng.random() >= min(chance, MOST_KEEN_SHARE):
        return 0
    return rng.choice(KEEN_BOOKING_WEIGHTS)


def seed_people(*, rng: random.Random, mentors: int, employees: int, progress: Progress) -> SeededPeople:
    """Creates the three demo logins and the generated mentor<n>/employee<n> people."""
    departments, skills = seed_reference_data()
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing 50,000 times would take minutes
    by_name = {department.name: department for department in departments}

    def person(email: str, zone: str, **extra) -> User:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        level = extra.pop("job_level")
        return User(
            email=email,
            password=password,
            display_name=extra.pop("display_name", f"{first} {last}"),
            timezone=zone,
            department=extra.pop("department"),
            job_level=level,
            job_title=extra.pop("job_title", f"{JobLevel(level).label} {rng.choice(JOB_ROLES)}"),
            calendar_token=f"demo{rng.getrandbits(128):032x}",
            **extra,
        )

    def generated(count: int, role: int, email: str, **extra) -> list[User]:
        """`role`: 0 for employees, 1 for mentors (the column of the story's weights)."""
        zones = deal(rng, {zone: shares[role] for zone, shares in ZONE_STORY.items()}, count)
        names = deal(rng, {name: shares[role] for name, shares in DEPARTMENT_STORY.items()}, count)
        levels = deal(rng, {level: shares[role] for level, shares in LEVEL_STORY.items()}, count)
        return [
            person(
                email.format(n=n),
                zone,
                department=by_name[name],
                job_level=level,
                **{key: value() for key, value in extra.items()},
            )
            for n, zone, name, level in zip(range(1, count + 1), zones, names, levels, strict=True)
        ]

    named = [
        person(
            "mentee@example.com",
            "Europe/London",
            display_name="Maya Mentee",
            department=by_name["Engineering"],
            job_level=JobLevel.PROFESSIONAL,
            job_title="Software engineer",
        ),
        person(
            "mentor@example.com",
            "Europe/Berlin",
            display_name="Marco Mentor",
            department=by_name["Product"],
            job_level=JobLevel.LEAD,
            job_title="Principal product manager",
            is_mentor=True,
            headline="Product discovery, roadmaps and presenting to the board",
            bio="Fifteen years in product. I enjoy helping people sharpen a pitch or a plan in half an hour.",
        ),
        person(
            "hr@example.com",
            "Europe/London",
            display_name="Hana HR",
            department=by_name["People"],
            job_level=JobLevel.MANAGER,
            job_title="People partner",
        ),
    ]
    generated_mentors = generated(
        mentors, 1, "mentor{n}@example.com", is_mentor=lambda: True, headline=lambda: rng.choice(HEADLINES)
    )
    generated_employees = generated(employees, 0, "employee{n}@example.com")

    everyone = named + generated_mentors + generated_employees
    done = 0
    for batch in _batches(everyone):
        User.objects.bulk_create(batch)
        done += len(batch)
        progress("people", done, len(everyone))
    mentee, mentor, hr = named
    make_hr_admin(user=hr)

    in_demand = rng.sample(generated_mentors, round(len(generated_mentors) * IN_DEMAND_MENTOR_SHARE))
    _seed_mentoring(
        rng=rng, mentors=[mentor, *generated_mentors], in_demand=in_demand, skills=skills, progress=progress
    )
    _seed_wanted_skills(rng=rng, people=[mentee, *generated_employees], skills=skills)
    pool = [mentee.pk] * max(KEEN_BOOKING_WEIGHTS)
    for user in generated_employees:
        pool.extend([user.pk] * _keen_weight(rng, user))
    return SeededPeople(
        mentor_ids=[user.pk for user in generated_mentors],
        employee_ids=[user.pk for user in generated_employees],
        mentee_id=mentee.pk,
        mentor_id=mentor.pk,
        hr_id=hr.pk,
        mentee_pool=pool,
        in_demand_mentor_ids=[user.pk for user in in_demand],
    )


def _seed_mentoring(
    *, rng: random.Random, mentors: list[User], in_demand: list[User], skills: list[Skill], progress: Progress
) -> None:
    demo_mentor, *generated = mentors
    by_slug = {skill.slug: skill for skill in skills}
    supply = list(accumulate(skill_supply(skill.slug) for skill in skills))
    scarce = [by_slug[slug] for slug in SCARCE_SKILLS if slug in by_slug]
    profiles = [
        MentorProfile(
            user=demo_mentor,
            availability_timezone=demo_mentor.timezone,
            weekly_minutes_cap=240,
            min_notice_minutes=60,
            buffer_minutes=5,
        )
    ]
    offered = [
        UserSkill(user=demo_mentor, skill=by_slug[slug], level=level)
        for slug, level in (
            ("product-discovery", 3),
            ("presenting-to-executives", 3),
            ("roadmapping", 2),
            ("public-speaking", 2),
            ("storytelling", 2),
        )
    ]
    blocks = [
        _block(demo_mentor.pk, weekday, start, end)
        for weekday in range(5)
        for start, end in ((9 * 60, 12 * 60), (14 * 60, 17 * 60))
    ]
    expert_of = {user.pk: index for index, user in enumerate(in_demand)}
    for user in generated:
        expert = expert_of.get(user.pk)
        if expert is None:
            profiles.append(
                MentorProfile(
                    user=user,
                    availability_timezone=user.timezone,
                    session_lengths=rng.choice(([20, 30], [20, 30], [30], [20])),
                    min_notice_minutes=rng.choice((60, 120, 240, 240, 480)),
                    buffer_minutes=rng.choice((0, 5, 5, 10)),
                    weekly_minutes_cap=rng.choice((60, 60, 90, 120, 180)),
                    accepting=rng.random() > 0.05,
                )
            )
            chosen = weighted_sample(rng, skills, supply, rng.randint(2, 5))
            blocks.extend(_random_blocks(rng, user.pk))
        else:
            profiles.append(
                MentorProfile(
                    user=user,
                    availability_timezone=user.timezone,
                    session_lengths=rng.choice(([20, 30], [30])),
                    min_notice_minutes=rng.choice((60, 120)),
                    buffer_minutes=rng.choice((0, 5)),
                    weekly_minutes_cap=rng.choice(IN_DEMAND_CAPS),
                    accepting=True,
                )
            )
            # The experts share the scarce skills out between them, so each has a few experts at most.
            chosen = [
                scarce[(expert * IN_DEMAND_SCARCE_SKILLS + n) % len(scarce)]
                for n in range(IN_DEMAND_SCARCE_SKILLS)
                if scarce
            ]
            chosen += [skill for skill in weighted_sample(rng, skills, supply, 2) if skill not in chosen]
            blocks.extend(_in_demand_blocks(rng, user.pk))
        for skill in chosen:
            offered.append(
                UserSkill(user=user, skill=skill, level=rng.choices((1, 2, 3), weights=(2, 5, 3))[0])
            )
    for label, rows in (
        ("mentor profiles", profiles),
        ("offered skills", offered),
        ("weekly blocks", blocks),
    ):
        done = 0
        for batch in _batches(rows):
            type(rows[0]).objects.bulk_create(batch)
            done += len(batch)
            progress(label, done, len(rows))


def _seed_wanted_skills(*, rng: random.Random, people: list[User], skills: list[Skill]) -> None:
    """What people would like to learn, mostly the skills in demand."""
    through = User.skills_wanted.through
    demand = list(accumulate(skill_demand(skill.slug) for skill in skills))
    rows = [
        through(user_id=user.pk, skill_id=skill.pk)
        for user in people
        for skill in weighted_sample(rng, skills, demand, rng.randint(0, 3))
    ]
    for batch in _batches(rows):
        through.objects.bulk_create(batch)


class BulkWriter:
    """Batches rows of plain values into one table: COPY on PostgreSQL, executemany elsewhere.

    Tens of times faster than bulk_create for the demo's hundreds of thousands of rows. Text must hold no tab,
    newline or backslash (COPY's text format).
    """

    def __init__(self, table: str, columns: tuple[str, ...], progress: Progress, label: str) -> None:
        self.table, self.columns, self.progress, self.label = table, columns, progress, label
        self.rows: list[tuple] = []
        self.written = 0
        self.postgres = connection.vendor == "postgresql"

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= COPY_BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        quoted = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                buffer.writelines("\t".join(map(copy_value, row)) + "\n" for row in self.rows)
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


def copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def timestamp_formatter(postgres: bool) -> Callable[[int], str]:
    """Seconds since the epoch as the database's UTC text; cached, since sessions share grid times."""
    suffix = "+00" if postgres else ""
    cache: dict[int, str] = {}

    def stamp(seconds: int) -> str:
        text = cache.get(seconds)
        if text is None:
            text = cache[seconds] = clock.strftime("%Y-%m-%d %H:%M:%S", clock.gmtime(seconds)) + suffix
        return text

    return stamp
