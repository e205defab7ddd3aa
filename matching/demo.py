"""Demo requests for help: weeks of history across skills, some booked, some expired, some still open.

Deterministic for a given random generator and `now`, bulk-inserted (tens of thousands take seconds). The demo
mentee gets one of each kind, so their /requests/ page shows the whole story.
"""

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from marketplace.models import Skill
from matching.models import MentorRequest

BATCH_SIZE = 2000
SHARE_ASKING = 0.25  # requests per asker over the history, on average
Progress = Callable[[str, int, int], None]

NEEDS = (
    "I present to the leadership team on {day}",
    "First time doing this: a sanity check before {day}",
    "Stuck on a decision and need a second opinion by {day}",
    "Preparing for a difficult conversation on {day}",
    "Reviewing my plan before I share it on {day}",
    "Would love a few pointers before {day}'s workshop",
)


def _askers(people) -> tuple[list[int], int | None, list[int]]:
    """`people`: marketplace.demo.SeededPeople (anything with employee_ids), or a plain list of user ids."""
    if hasattr(people, "employee_ids"):
        mentors = getattr(people, "mentor_ids", ())
        return list(people.employee_ids), getattr(people, "mentee_id", None), list(mentors)
    return list(people), None, []


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
    askers, featured, mentors = _askers(people)
    skill_pool = list(skill_ids or Skill.objects.order_by("pk").values_list("pk", flat=True))
    if not askers or not skill_pool:
        return 0
    # Demand is uneven: a few skills are asked for far more often (what HR's skill-gap figures show).
    rng.shuffle(skill_pool)
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(skill_pool))]

    requests: list[MentorRequest] = []
    chosen_skills: list[list[int]] = []
    count = max(1, int(len(askers) * SHARE_ASKING))
    history = timedelta(weeks=weeks_of_history)
    for _ in range(count):
        created = now - history * rng.random() ** 1.3  # more recent requests, as adoption grows
        requests.append(_request(rng, rng.choice(askers), created, now, mentors))
        chosen_skills.append(_skills(rng, skill_pool, popularity))
    if featured is not None:
        for created, status in ((now - timedelta(days=20), "booked"), (now - timedelta(days=9), "expired")):
            requests.append(_request(rng, featured, created, now, mentors, status=status))
            chosen_skills.append(_skills(rng, skill_pool, popularity))
        requests.append(_request(rng, featured, now - timedelta(hours=2), now, mentors, status="open"))
        chosen_skills.append(_skills(rng, skill_pool, popularity))

    through = MentorRequest.skills.through
    done = 0
    for offset in range(0, len(requests), BATCH_SIZE):
        batch = MentorRequest.objects.bulk_create(requests[offset : offset + BATCH_SIZE])
        through.objects.bulk_create(
            through(mentorrequest_id=request.pk, skill_id=skill_id)
            for request, picked in zip(batch, chosen_skills[offset : offset + BATCH_SIZE], strict=True)
            for skill_id in picked
        )
        done += len(batch)
        progress("requests", done, len(requests))
    return len(requests)


def _skills(rng: random.Random, pool: list[int], popularity: list[float]) -> list[int]:
    wanted = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
    picked: dict[int, None] = {}
    while len(picked) < min(wanted, len(pool)):
        picked[rng.choices(pool, weights=popularity)[0]] = None
    return list(picked)


def _request(
    rng: random.Random,
    asker_id: int,
    created: datetime,
    now: datetime,
    mentors: list[int],
    *,
    status: str | None = None,
) -> MentorRequest:
    created = created.replace(second=0, microsecond=0)
    working_days = rng.choice((1, 2, 3, 3, 3, 5, 7))
    deadline_day = created.date() + timedelta(days=working_days + 2 * (working_days // 5))
    needed_by = datetime.combine(deadline_day, time(rng.choice((12, 15, 17, 17))), tzinfo=UTC)
    if needed_by <= created + timedelta(hours=2):
        needed_by = created + timedelta(days=1)
    duration = rng.choice((20, 30, 30))
    if status is None:
        if needed_by > now:
            status = "booked" if rng.random() < 0.4 else "open"
        else:
            status = "booked" if rng.random() < 0.72 else "expired"
    request = MentorRequest(
        asker_id=asker_id,
        topic=rng.choice(NEEDS).format(day=f"{needed_by:%A}"),
        needed_by=needed_by,
        duration=duration,
        prefer_other_department=rng.random() < 0.15,
        prefer_same_timezone=rng.random() < 0.1,
        status=status,
        created_at=created,
    )
    if status == "booked":
        # Time to help: minutes to a couple of days to book, then a session some hours later.
        window = needed_by - created - timedelta(minutes=duration)
        booked_at = min(created + min(window / 3, timedelta(minutes=rng.randint(2, 60 * 36))), now)
        latest_start = needed_by - timedelta(minutes=duration)
        request.booked_at = booked_at
        request.first_matched_at = created
        request.last_matched_at = booked_at
        request.booked_session_start = max(
            booked_at,
            (booked_at + (latest_start - booked_at) * rng.random()).replace(second=0, microsecond=0),
        )
        request.booked_mentor_id = rng.choice(mentors) if mentors else None
    elif status == "expired":
        request.last_matched_at = needed_by - timedelta(hours=1)
    return request
