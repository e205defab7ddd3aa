"""Every main page and list endpoint as a ratio to Django's own floor, on a large organisation (issue 18).

The floor is a 404 page: a URL that resolves to nothing, rendered by the same gunicorn, the same middleware
and the same logged-in session, so what it costs is what every request costs before Sidebar's own work begins.
Absolute times move with the machine; the ratio of a page to the floor measured in the same run, interleaved
request by request, does not (much).

Starts gunicorn (one sync worker, production settings, DEBUG off) on the benchmark database of
bench/benchdb.py (10,000 mentors, 50,000 employees, 100,000 future sessions; seeded once, reused), logs in a
demo employee and HR (a session cookie for the pages, a token for the API), warms every target, then runs
`--rounds` rounds: each round visits the targets in a new random order, each target right after a floor
request. Prints p50 and p95 of each, the ratio of its p50 to the floor's p50, and the issue's target where it
names one.

Run: ``python bench/bench_floor.py [--rounds 60]`` with DATABASE_URL set (make bench does this). Seeding the
organisation the first time takes several minutes; a run of 60 rounds about two.
"""

import argparse
import http.client
import os
import platform
import random
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: bench.*, the apps

from bench.bench_gunicorn import Candidate, start_server
from bench.benchdb import ensure_organisation, setup_django
from bench.liveserver import percentile

ROOT = Path(__file__).resolve().parents[1]
FLOOR = "/bench-floor/no-such-page/"
PAGE_TARGET = 3.0  # every main page and list endpoint at most 3x the floor at p50
SLOTS_TARGET = 2.0  # one mentor's slots at most 2x
AVAILABLE_BEFORE_TARGET_MS = 50.0


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    viewer: str  # "employee" or "hr"
    api: bool
    ratio_target: float | None = PAGE_TARGET
    ms_target: float | None = None


@dataclass(frozen=True)
class Viewer:
    session_key: str
    token: str


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--database", default="sidebar_bench")
    arguments = parser.parse_args()

    secret_key = "benchmark-only-" + secrets.token_hex(32)
    os.environ["SECRET_KEY"] = secret_key  # the sessions written here are read by gunicorn
    setup_django(arguments.database)
    ensure_organisation()
    viewers = {"employee": login("employee1@example.com"), "hr": login("hr@example.com")}
    targets = build_targets()
    # One sync worker: requests one at a time, so each timing is the request alone.
    server = start_server(Candidate("floor", "one sync worker", ("--workers", "1")), secret_key)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        for target in targets:  # templates, caches and the worker's first queries out of the measured rounds
            for _ in range(3):
                status = fetch(connection, target, viewers)
                if status != 200:
                    raise SystemExit(f"{target.name}: {target.path} answered {status}")
        floor_target = Target("floor (404)", FLOOR, "employee", api=False, ratio_target=None)
        for _ in range(3):
            fetch(connection, floor_target, viewers)
        timings: dict[str, list[float]] = {target.name: [] for target in [floor_target, *targets]}
        rng = random.Random(18)
        for _ in range(arguments.rounds):
            for target in rng.sample(targets, len(targets)):
                for measured in (floor_target, target):
                    started = time.perf_counter()
                    status = fetch(connection, measured, viewers)
                    timings[measured.name].append((time.perf_counter() - started) * 1000)
                    expected = 404 if measured is floor_target else 200
                    if status != expected:
                        raise SystemExit(f"{measured.name}: {measured.path} answered {status}")
    finally:
        server.stop()
    report(floor_target, targets, timings, arguments.rounds)


def login(email: str) -> Viewer:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from marketplace.models import User

    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token, _ = Token.objects.get_or_create(user=user)
    return Viewer(session.session_key or "", token.key)


def build_targets() -> list[Target]:
    from django.db.models import Count

    from marketplace.models import Skill, User

    busiest_skill = (
        Skill.objects.annotate(mentors=Count("offered_by"))
        .order_by("-mentors", "slug")
        .values_list("slug", flat=True)
    )[0]
    mentor = User.objects.filter(is_mentor=True, email__startswith="mentor").order_by("pk").first()
    assert mentor is not None
    now = datetime.now(UTC).replace(microsecond=0)
    before = quote((now + timedelta(days=3)).isoformat().replace("+00:00", "Z"))
    slots_from = quote((now + timedelta(hours=1)).isoformat().replace("+00:00", "Z"))
    slots_to = quote((now + timedelta(days=14)).isoformat().replace("+00:00", "Z"))
    return [
        Target("/mentors/", "/mentors/", "employee", api=False),
        Target(f"/mentors/?skill={busiest_skill}", f"/mentors/?skill={busiest_skill}", "employee", api=False),
        Target("/mentors/<id>/", f"/mentors/{mentor.pk}/", "employee", api=False),
        Target("/sessions/", "/sessions/", "employee", api=False),
        Target("/requests/", "/requests/", "employee", api=False),
        Target("/group-sessions/", "/group-sessions/", "employee", api=False),
        Target("/insights/ (HR)", "/insights/", "hr", api=False),
        Target("GET /api/v1/mentors/", "/api/v1/mentors/", "employee", api=True),
        Target(
            "GET /api/v1/mentors/?skill=&available_before=",
            f"/api/v1/mentors/?skill={busiest_skill}&available_before={before}",
            "employee",
            api=True,
            ratio_target=PAGE_TARGET,
            ms_target=AVAILABLE_BEFORE_TARGET_MS,
        ),
        Target(
            "GET /api/v1/mentors/<id>/slots/ (14 days)",
            f"/api/v1/mentors/{mentor.pk}/slots/?start={slots_from}&end={slots_to}",
            "employee",
            api=True,
            ratio_target=SLOTS_TARGET,
        ),
        Target("GET /api/v1/bookings/", "/api/v1/bookings/", "employee", api=True),
        Target("GET /api/v1/requests/", "/api/v1/requests/", "employee", api=True),
        Target("GET /api/v1/group-sessions/", "/api/v1/group-sessions/", "employee", api=True),
    ]


def fetch(connection: http.client.HTTPConnection, target: Target, viewers: dict[str, Viewer]) -> int:
    viewer = viewers[target.viewer]
    headers = {"Host": "127.0.0.1"}
    if target.api:
        headers["Authorization"] = f"Token {viewer.token}"
        headers["Accept"] = "application/json"
    else:
        headers["Cookie"] = f"sessionid={viewer.session_key}"
    connection.request("GET", target.path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def report(floor: Target, targets: list[Target], timings: dict[str, list[float]], rounds: int) -> None:
    floor_p50 = percentile(timings[floor.name], 0.5)
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d}, {_cpu_model()}, {len(os.sched_getaffinity(0))} cores, "
        f"Python {platform.python_version()}; one sync gunicorn worker, {rounds} rounds, each target right "
        "after a floor request"
    )
    print(f"{'target':<50} {'p50 ms':>8} {'p95 ms':>8} {'x floor':>8}  target")
    print(f"{floor.name:<50} {floor_p50:8.1f} {percentile(timings[floor.name], 0.95):8.1f} {1.0:8.2f}")
    missed = 0
    for target in targets:
        p50 = percentile(timings[target.name], 0.5)
        ratio = p50 / floor_p50
        wanted = []
        if target.ratio_target is not None:
            wanted.append(
                f"<= {target.ratio_target:g}x" + ("" if ratio <= target.ratio_target else " MISSED")
            )
            missed += ratio > target.ratio_target
        if target.ms_target is not None:
            wanted.append(f"<= {target.ms_target:g} ms" + ("" if p50 <= target.ms_target else " MISSED"))
            missed += p50 > target.ms_target
        print(
            f"{target.name:<50} {p50:8.1f} {percentile(timings[target.name], 0.95):8.1f} {ratio:8.2f}  "
            + ", ".join(wanted)
        )
    print(f"\n{missed} target(s) missed" if missed else "\nevery target met")


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
