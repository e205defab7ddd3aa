"""Benchmark of matching on PostgreSQL: rank a request among 10,000 mentors (target: p95 <= 150 ms).

Run: ``python bench/bench_matching.py [--requests N] [--keep]`` with DATABASE_URL pointing at PostgreSQL
(``make bench`` starts one). It builds its own database, ``<name>_bench_matching``: the demo organisation
(10,000 mentors with skills and weekly blocks, 50,000 employees), 100,000 confirmed future sessions and
100,000 past ones (half with a rating). Then, for random requests (1–3 skills by uneven popularity, a deadline
1–7 working days ahead, 20 or 30 minutes), it times:

- ``find_matches``: candidate generation and ranking (what a re-match costs);
- ``POST /api/v1/requests/``: the whole API view in-process (input, matching, the two inserts, the response).

``--keep`` keeps the database, so the next run skips the data generation.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time as clock
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIRequestFactory, force_authenticate  # noqa: E402

from demo.people import seed_people  # noqa: E402
from marketplace.models import Skill, User  # noqa: E402
from matching import candidates  # noqa: E402
from matching.api import RequestListView  # noqa: E402
from matching.models import MentorRequest  # noqa: E402
from matching.ranking import AskedSkill, Need  # noqa: E402
from sessions_app.models import Booking, Feedback  # noqa: E402

BATCH = 5000
TARGET_P95_MS = 150.0


def log(message: str) -> None:
    print(message, flush=True)


def use_own_database(keep: bool) -> None:
    base = settings.DATABASES["default"]
    if base["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("bench_matching needs PostgreSQL: set DATABASE_URL (make bench does).")
    base.setdefault("TEST", {})["NAME"] = f"{base['NAME']}_bench_matching"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep, serialize=False)


def generate(args: argparse.Namespace, rng: random.Random) -> None:
    started = clock.perf_counter()
    people = seed_people(
        rng=rng,
        mentors=args.mentors,
        employees=args.employees,
        progress=lambda label, done, total: None,
    )
    elapsed = clock.perf_counter() - started
    log(f"people: {args.mentors:,} mentors, {args.employees:,} employees ({elapsed:.0f} s)")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    mentor_ids, employee_ids = people.mentor_ids, people.employee_ids

    def sessions(count: int, *, future: bool, status: str) -> list[Booking]:
        taken: set[tuple[int, datetime]] = set()
        made: list[Booking] = []
        while len(made) < count:
            day = rng.randint(1, 56)
            start = now + timedelta(
                days=day if future else -day, hours=rng.randint(-8, 8), minutes=rng.choice((0, 30))
            )
            mentor, mentee = rng.choice(mentor_ids), rng.choice(employee_ids)
            if (mentor, start) in taken or (mentee, start) in taken:
                continue  # exclusion constraints: nobody is in two confirmed sessions at once
            taken.update({(mentor, start), (mentee, start)})
            duration = rng.choice((20, 30))
            made.append(
                Booking(
                    mentor_id=mentor,
                    mentee_id=mentee,
                    start=start,
                    end=start + timedelta(minutes=duration),
                    duration=duration,
                    topic="Benchmark session",
                    status=status,
                    meeting_url="https://meet.example.com/bench",
                    uid=uuid.UUID(int=rng.getrandbits(128)),
                    created_at=start - timedelta(days=2),
                )
            )
        return made

    for label, rows in (
        ("future sessions", sessions(args.future_bookings, future=True, status=Booking.Status.CONFIRMED)),
        ("past sessions", sessions(args.past_sessions, future=False, status=Booking.Status.COMPLETED)),
    ):
        for offset in range(0, len(rows), BATCH):
            Booking.objects.bulk_create(rows[offset : offset + BATCH])
        log(f"{label}: {len(rows):,}")
    past = Booking.objects.filter(status=Booking.Status.COMPLETED).values_list("pk", "mentee_id")
    feedback = [
        Feedback(
            booking_id=pk, author_id=mentee, role="mentee", rating=rng.choice((3, 4, 4, 5, 5)), helpful=True
        )
        for pk, mentee in past.iterator()
        if rng.random() < 0.5
    ]
    for offset in range(0, len(feedback), BATCH):
        Feedback.objects.bulk_create(feedback[offset : offset + BATCH])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"ratings: {len(feedback):,}; data ready in {clock.perf_counter() - started:.0f} s")


def random_need(
    rng: random.Random, skills: list[Skill], weights: list[float], asker: User, now: datetime
) -> Need:
    picked: dict[int, Skill] = {}
    for _ in range(rng.choices((1, 2, 3), weights=(6, 3, 1))[0]):
        skill = rng.choices(skills, weights=weights)[0]
        picked[skill.pk] = skill
    return Need(
        asker_id=asker.pk,
        skills=tuple(AskedSkill(skill.pk, skill.name) for skill in picked.values()),
        needed_by=now + timedelta(days=rng.choice((1, 2, 3, 3, 5, 7))),
        duration_minutes=rng.choice((20, 30)),
        asker_timezone=asker.timezone,
        asker_department_id=asker.department_id,
        prefer_other_department=rng.random() < 0.2,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report(label: str, timings: list[float], queries: list[int]) -> float:
    p95 = percentile(timings, 0.95)
    median = statistics.median(timings)
    log(
        f"{label:<44} p50 {median:7.1f} ms   p95 {p95:7.1f} ms   max {max(timings):7.1f} ms"
        f"   queries {min(queries)}–{max(queries)}   n={len(timings)}"
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--future-bookings", type=int, default=100_000)
    parser.add_argument("--past-sessions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per measurement")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    use_own_database(args.keep)
    try:
        if User.objects.filter(is_mentor=True).count() < args.mentors:
            generate(args, rng)
        else:
            log("reusing the kept database")
        run(args, rng)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def run(args: argparse.Namespace, rng: random.Random) -> None:
    skills = list(Skill.objects.order_by("pk"))
    rng.shuffle(skills)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(skills))]
    askers = list(User.objects.filter(is_mentor=False).order_by("?")[:500])
    now = datetime.now(UTC)
    python = sys.version.split()[0]
    log(f"\nPostgreSQL, {args.mentors:,} mentors, Python {python}, {args.requests} requests each")

    for _ in range(20):  # warm caches, connections and the zone database
        candidates.find_matches(random_need(rng, skills, weights, rng.choice(askers), now), now=now)

    timings, queries, sizes = [], [], []
    for _ in range(args.requests):
        need = random_need(rng, skills, weights, rng.choice(askers), now)
        with CaptureQueriesContext(connection) as captured:
            started = clock.perf_counter()
            found = candidates.find_matches(need, now=now)
            timings.append((clock.perf_counter() - started) * 1000)
        queries.append(len(captured))
        sizes.append(len(found.matches))
    report("find_matches (candidates + ranking)", timings, queries)
    log(f"{'':<44} matches per request: median {statistics.median(sizes):.0f}, none for {sizes.count(0)}")

    factory = APIRequestFactory()
    view = RequestListView.as_view()
    timings, queries = [], []
    for _ in range(args.requests):
        need = random_need(rng, skills, weights, rng.choice(askers), now)
        asker = User.objects.get(pk=need.asker_id)
        body = {
            "topic": "Benchmark request",
            "skills": list(
                Skill.objects.filter(pk__in=[s.skill_id for s in need.skills]).values_list("slug", flat=True)
            ),
            "needed_by": need.needed_by.isoformat(),
            "duration": need.duration_minutes,
        }
        request = factory.post("/api/v1/requests/", body, format="json")
        force_authenticate(request, asker)
        with CaptureQueriesContext(connection) as captured:
            started = clock.perf_counter()
            response = view(request)
            response.render()
            timings.append((clock.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.data
        queries.append(len(captured))
    p95 = report("POST /api/v1/requests/ (whole view)", timings, queries)
    MentorRequest.objects.filter(topic="Benchmark request").delete()
    verdict = "OK" if p95 <= TARGET_P95_MS else "OVER TARGET"
    log(f"\nTarget: p95 <= {TARGET_P95_MS:.0f} ms for a request -> {p95:.1f} ms: {verdict}")


if __name__ == "__main__":
    main()
