"""Group sessions (issue 16): the 200-way join race over HTTP, and the list over 10,000 upcoming sessions.

1. 200 people join one session with 20 seats at the same moment, over HTTP against gunicorn and PostgreSQL.
   Target: every answer within 5 s of the start, exactly 20 "seated" and 180 "waitlisted" with positions
   1..180, never a 500; in the database 20 seated rows, 180 waiting at positions 1..180.
2. `GET /api/v1/group-sessions/?upcoming=true` (a page of 20), the same filtered by skill, a random page, and
   the page `/group-sessions/`, over 10,000 upcoming sessions with seats. Target: median at most 100 ms
   server time (Django in-process, test client) and the same number of queries whatever the page or filter.

Run: ``python bench/bench_group_sessions.py [--attempts 200] [--seats 20] [--rounds 3] [--sessions 10000]``
with DATABASE_URL set (make bench). Uses a database of its own on that server, `sidebar_bench_groups`.
"""

import argparse
import random
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: bench.*, the apps

from bench.benchdb import setup_django, summary, timed
from bench.liveserver import Gunicorn, make_people, percentile, remove_people, request

PREFIX = "bench-groups"
DATABASE = "sidebar_bench_groups"
REPEAT = 40


def race_round(server: Gunicorn, host_id: int, people, *, seats: int, number: int) -> bool:
    from groups.models import GroupSession, Seat

    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2, hours=number)
    session = GroupSession.objects.create(
        host_id=host_id,
        title=f"Bench office hours {number}",
        start=start,
        end=start + timedelta(minutes=30),
        duration=30,
        capacity=seats,
        meeting_url="https://meet.example.com/bench",
    )
    connections = [server.connect() for _ in people]
    barrier = threading.Barrier(len(people))
    answers: list[tuple[int, str, int | None, float]] = [(0, "", None, 0.0)] * len(people)
    path = f"/api/v1/group-sessions/{session.pk}/join/"

    def attempt(index: int) -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            status, data = request(connections[index], "POST", path, token=people[index].token, body={})
            kind = data.get("status") or data.get("code", "") if isinstance(data, dict) else ""
            position = data.get("position") if isinstance(data, dict) else None
        except OSError as error:
            status, kind, position = 0, type(error).__name__, None
        answers[index] = (status, kind, position, time.perf_counter() - started)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(people))]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    for connection in connections:
        connection.close()

    outcomes = Counter(f"{status} {kind}" for status, kind, _, _ in answers)
    told = sorted(position for *_, position, _ in answers if position)
    seated = Seat.objects.filter(session=session, status="seated").count()
    waiting = sorted(
        position or 0
        for position in Seat.objects.filter(session=session, status="waitlisted").values_list(
            "position", flat=True
        )
    )
    waiters = len(people) - seats
    latencies = [latency * 1000 for *_, latency in answers]
    slowest = max(latency for *_, latency in answers)
    ok = (
        outcomes == Counter({"200 seated": seats, "200 waitlisted": waiters})
        and told == list(range(1, waiters + 1))
        and seated == seats
        and waiting == list(range(1, waiters + 1))
        and slowest <= 5.0
    )
    print(
        f"round {number}: {dict(outcomes)}  in DB: {seated} seated, {len(waiting)} waiting "
        f"(positions 1..{waiting[-1] if waiting else 0})  all answered in {wall * 1000:.0f} ms "
        f"(p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
        f"slowest {slowest * 1000:.0f} ms)  {'OK' if ok else 'FAILED'}"
    )
    return ok


def join_race(options) -> int:
    from django.contrib.auth import get_user_model

    remove_people(PREFIX)
    [host], people = make_people(PREFIX, mentors=1, mentees=options.attempts)
    get_user_model().objects.filter(pk=host.id).update(timezone="UTC")
    server = Gunicorn(workers=options.workers, threads=options.threads)
    print(f"{options.attempts} people joining {options.seats} seats at once, gunicorn {server.mode}")
    failures = 0
    try:
        for number in range(1, options.rounds + 1):
            failures += not race_round(server, host.id, people, seats=options.seats, number=number)
    finally:
        server.stop()
        remove_people(PREFIX)
    verdict = "OK" if not failures else f"FAILED in {failures} round(s)"
    print(
        f"Target: all answered within 5 s, exactly {options.seats} seated, the rest waiting 1..n -> {verdict}"
    )
    return failures


LIST_TAG = "bench-group-list"


def ensure_sessions(count: int) -> None:
    """`count` upcoming sessions over the next 12 weeks by 200 hosts, 1-2 skills each, a few seats each
    (once; reused afterwards)."""
    from django.utils.text import slugify

    from groups.models import GroupSession, Seat
    from marketplace.models import Skill, User
    from marketplace.taxonomy import SKILL_TAXONOMY

    now = datetime.now(UTC)
    if GroupSession.objects.filter(title__startswith=LIST_TAG, start__gt=now).count() >= count:
        return
    started = time.perf_counter()
    GroupSession.objects.filter(title__startswith=LIST_TAG).delete()
    User.objects.filter(email__startswith=f"{LIST_TAG}-").delete()
    for category, name in SKILL_TAXONOMY:
        Skill.objects.get_or_create(slug=slugify(name), defaults={"name": name, "category": category})
    skills = list(Skill.objects.values_list("pk", flat=True))
    hosts = User.objects.bulk_create(
        User(email=f"{LIST_TAG}-host{n}@example.com", display_name=f"Host {n}", is_mentor=True, password="!")
        for n in range(200)
    )
    people = User.objects.bulk_create(
        User(email=f"{LIST_TAG}-person{n}@example.com", display_name=f"Person {n}", password="!")
        for n in range(400)
    )
    rng = random.Random(16)
    base = (now + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    sessions = GroupSession.objects.bulk_create(
        GroupSession(
            host=hosts[n % len(hosts)],
            title=f"{LIST_TAG} {n}",
            start=base + timedelta(minutes=10 * n),
            end=base + timedelta(minutes=10 * n + 30),
            duration=30,
            capacity=20,
            seats_taken=5,
            meeting_url="https://meet.example.com/bench",
        )
        for n in range(count)
    )
    through = GroupSession.skills.through
    through.objects.bulk_create(
        through(groupsession_id=session.pk, skill_id=skill)
        for session in sessions
        for skill in rng.sample(skills, rng.randint(1, 2))
    )
    Seat.objects.bulk_create(
        Seat(
            session=session,
            person=person,
            status="seated",
            seat_number=number + 1,
            session_capacity=20,
            seated_at=now,
        )
        for session in sessions
        for number, person in enumerate(rng.sample(people, 5))
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{count:,} upcoming group sessions ready in {time.perf_counter() - started:.0f}s", flush=True)


def list_benchmark(options) -> bool:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from marketplace.models import Skill, User

    ensure_sessions(options.sessions)
    viewer = User.objects.filter(email__startswith=f"{LIST_TAG}-person").order_by("pk").first()
    assert viewer is not None
    client = Client()
    client.force_login(viewer)
    rng = random.Random(7)
    skills = list(Skill.objects.values_list("slug", flat=True))
    pages = options.sessions // 20

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    queries = {}
    for label, url in [
        ("api page 1", "/api/v1/group-sessions/?upcoming=true"),
        ("api page N", f"/api/v1/group-sessions/?upcoming=true&page={pages // 2}"),
        ("api by skill", f"/api/v1/group-sessions/?upcoming=true&skill={skills[0]}"),
        ("api by skill, page 2", f"/api/v1/group-sessions/?upcoming=true&skill={skills[0]}&page=2"),
        ("page 1", "/group-sessions/"),
        ("page N", f"/group-sessions/?page={pages // 2}"),
        ("page by skill", f"/group-sessions/?skill={skills[1]}"),
        ("page by skill, page 2", f"/group-sessions/?skill={skills[1]}&page=2"),
    ]:
        get(url)
        with CaptureQueriesContext(connection) as captured:
            get(url)
        queries[label] = len(captured)
    print(f"{options.sessions:,} upcoming group sessions; queries per request: {queries}")
    figures = {
        "/api/v1/group-sessions/?upcoming=true (page 1)": timed(
            lambda: get("/api/v1/group-sessions/?upcoming=true"), REPEAT
        ),
        "/api/v1/group-sessions/?upcoming=true&page=N (random)": timed(
            lambda: get(f"/api/v1/group-sessions/?upcoming=true&page={rng.randint(1, pages)}"), REPEAT
        ),
        "/api/v1/group-sessions/?upcoming=true&skill=S (random)": timed(
            lambda: get(f"/api/v1/group-sessions/?upcoming=true&skill={rng.choice(skills)}"), REPEAT
        ),
        "/group-sessions/ (page 1)": timed(lambda: get("/group-sessions/"), REPEAT),
        "/group-sessions/?skill=S (random)": timed(
            lambda: get(f"/group-sessions/?skill={rng.choice(skills)}"), REPEAT
        ),
    }
    medians = []
    for label, durations in figures.items():
        print(summary(label, durations))
        medians.append(sorted(durations)[len(durations) // 2])
    # The same request costs the same queries wherever its page lies (a skill filter reads the skill once).
    constant = all(
        queries[first] == queries[later]
        for first, later in [
            ("api page 1", "api page N"),
            ("api by skill", "api by skill, page 2"),
            ("page 1", "page N"),
            ("page by skill", "page by skill, page 2"),
        ]
    )
    ok = max(medians) <= 100 and constant
    print(f"Target: median at most 100 ms, constant queries -> {'OK' if ok else 'FAILED'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=50, help="gunicorn threads per worker")
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--only", choices=["race", "list"], default=None)
    options = parser.parse_args()

    setup_django(DATABASE)
    failed = False
    if options.only in (None, "race"):
        failed |= join_race(options) > 0
    if options.only in (None, "list"):
        failed |= not list_benchmark(options)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
