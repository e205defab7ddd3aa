"""The demo organisation: departments, skills and people (mentors with skills and weekly blocks).

Deterministic for a given random generator, bulk-inserted so that tens of thousands of people take seconds.
"""

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import time

from django.contrib.auth.hashers import make_password
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
DEPARTMENTS = (
    "Engineering",
    "Product",
    "Design",
    "Data",
    "Sales",
    "Customer Success",
    "Marketing",
    "Finance",
    "People",
    "Operations",
    "Legal",
)
# Several continents, both hemispheres, and zones whose offsets are not whole hours.
DEMO_TIMEZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Africa/Johannesburg",
)
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


@dataclass(frozen=True)
class SeededPeople:
    mentor_ids: list[int]
    employee_ids: list[int]
    mentee_id: int
    mentor_id: int
    hr_id: int


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


def _block(mentor_id: int, weekday: int, start_minute: int, end_minute: int) -> AvailabilityBlock:
    return AvailabilityBlock(
        mentor_id=mentor_id,
        weekday=weekday,
        start=time(start_minute // 60, start_minute % 60),
        end=time(end_minute // 60, end_minute % 60),
    )


def seed_people(*, rng: random.Random, mentors: int, employees: int, progress: Progress) -> SeededPeople:
    """Creates the three demo logins and the generated mentor<n>/employee<n> people."""
    departments, skills = seed_reference_data()
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing 50,000 times would take minutes
    by_name = {department.name: department for department in departments}

    def person(email: str, zone: str, **extra) -> User:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        level = extra.pop("job_level", rng.choice(JobLevel.values))
        return User(
            email=email,
            password=password,
            display_name=extra.pop("display_name", f"{first} {last}"),
            timezone=zone,
            department=extra.pop("department", rng.choice(departments)),
            job_level=level,
            job_title=extra.pop("job_title", f"{JobLevel(level).label} {rng.choice(JOB_ROLES)}"),
            calendar_token=f"demo{rng.getrandbits(128):032x}",
            **extra,
        )

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
    generated_mentors = [
        person(
            f"mentor{n}@example.com",
            rng.choice(DEMO_TIMEZONES),
            is_mentor=True,
            headline=rng.choice(HEADLINES),
        )
        for n in range(1, mentors + 1)
    ]
    generated_employees = [
        person(f"employee{n}@example.com", rng.choice(DEMO_TIMEZONES)) for n in range(1, employees + 1)
    ]

    everyone = named + generated_mentors + generated_employees
    done = 0
    for batch in _batches(everyone):
        User.objects.bulk_create(batch)
        done += len(batch)
        progress("people", done, len(everyone))
    mentee, mentor, hr = named
    make_hr_admin(user=hr)

    all_mentors = [mentor, *generated_mentors]
    _seed_mentoring(rng=rng, mentors=all_mentors, skills=skills, progress=progress)
    _seed_wanted_skills(rng=rng, people=[mentee, *generated_employees], skills=skills)
    return SeededPeople(
        mentor_ids=[user.pk for user in generated_mentors],
        employee_ids=[user.pk for user in generated_employees],
        mentee_id=mentee.pk,
        mentor_id=mentor.pk,
        hr_id=hr.pk,
    )


def _seed_mentoring(
    *, rng: random.Random, mentors: list[User], skills: list[Skill], progress: Progress
) -> None:
    demo_mentor, *generated = mentors
    by_slug = {skill.slug: skill for skill in skills}
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
    for user in generated:
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
        for skill in rng.sample(skills, rng.randint(2, 5)):
            offered.append(
                UserSkill(user=user, skill=skill, level=rng.choices((1, 2, 3), weights=(2, 5, 3))[0])
            )
        blocks.extend(_random_blocks(rng, user.pk))
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
    through = User.skills_wanted.through
    rows = [
        through(user_id=user.pk, skill_id=skill.pk)
        for user in people
        for skill in rng.sample(skills, rng.randint(0, 3))
    ]
    for batch in _batches(rows):
        through.objects.bulk_create(batch)
