"""The demo organisation: departments, skills and people (mentors with skills and weekly blocks), dealt
out by the story in demo.story.

Deterministic for a given random generator, bulk-inserted so that tens of thousands of people take seconds.
"""

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from itertools import accumulate
from typing import TypeVar

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from demo.bulk import Progress
from demo.names import FIRST_NAMES, HEADLINES, JOB_ROLES, LAST_NAMES
from demo.story import (
    DEPARTMENT_STORY,
    DEPARTMENTS,
    IN_DEMAND_CAPS,
    IN_DEMAND_MENTOR_SHARE,
    IN_DEMAND_SCARCE_SKILLS,
    KEEN_BOOKING_WEIGHTS,
    KEEN_SHARE,
    LEVEL_STORY,
    MOST_KEEN_SHARE,
    SCARCE_SKILLS,
    ZONE_STORY,
    skill_demand,
    skill_supply,
)
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
    assert user.department is not None  # every generated person is given one
    chance = KEEN_SHARE * DEPARTMENT_STORY[user.department.name][2] * LEVEL_STORY[user.job_level][2]
    if rng.random() >= min(chance, MOST_KEEN_SHARE):
        return 0
    return rng.choice(KEEN_BOOKING_WEIGHTS)


def job_title(level: str, role: str) -> str:
    """'Senior analyst', 'Lead engineer', 'Manager': a title as people write it, in English (demo content)."""
    if level in (JobLevel.MANAGER, JobLevel.DIRECTOR):
        return "Manager" if level == JobLevel.MANAGER else "Director"
    prefix = {"associate": "Associate", "senior": "Senior", "lead": "Lead"}.get(level)
    return f"{prefix} {role}" if prefix else role.capitalize()


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
            job_title=extra.pop("job_title", job_title(level, rng.choice(JOB_ROLES))),  # drawn for everyone
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
        # Verified, as if each had followed the sign-up mail: e-mail verification is mandatory.
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in batch
        )
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
