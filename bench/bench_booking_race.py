"""200 people booking the same slot at the same moment, over HTTP against gunicorn and PostgreSQL (issue 5).

Target: in every round exactly one 201, every other answer a 409 `slot_unavailable`, never a 500, and exactly
one confirmed session in the database. Each attempt is its own thread with its own keep-alive connection,
released together by a barrier; gunicorn runs enough threads to have them all in flight at once.

Run: ``python bench/bench_booking_race.py [--attempts 200] [--rounds 5]`` with DATABASE_URL set (make bench).
"""

import argparse
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: bench.*, the apps

from bench.liveserver import Gunicorn, make_people, percentile, remove_people, request, setup

PREFIX = "bench-race"


def run_round(server: Gunicorn, booking_model, mentor, mentees, start: datetime, number: int) -> bool:
    """Every mentee asks for `start` at once; True when exactly one wins and all others get a clean 409."""
    connections = [server.connect() for _ in mentees]
    barrier = threading.Barrier(len(mentees))
    answers: list[tuple[int, str, float]] = [(0, "", 0.0)] * len(mentees)
    body = {"mentor": mentor.id, "start": start.isoformat(), "duration": 30, "topic": "Race"}

    def attempt(index: int) -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            status, data = request(
                connections[index], "POST", "/api/v1/bookings/", token=mentees[index].token, body=body
            )
            code = data.get("code", "") if isinstance(data, dict) else ""
        except OSError as error:
            status, code = 0, type(error).__name__
        answers[index] = (status, code, (time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(mentees))]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    for connection in connections:
        connection.close()

    statuses = Counter(f"{status} {code}".strip() for status, code, _ in answers)
    in_db = booking_model.objects.filter(mentor_id=mentor.id, start=start, status="confirmed").count()
    ok = statuses == Counter({"201": 1, "409 slot_unavailable": len(mentees) - 1}) and in_db == 1
    latencies = [latency for *_, latency in answers]
    print(
        f"round {number}: {dict(statuses)}  confirmed in DB: {in_db}  "
        f"all answered in {wall * 1000:.0f} ms (p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms)  {'OK' if ok else 'FAILED'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=50, help="gunicorn threads per worker")
    options = parser.parse_args()

    setup()
    from sessions_app.models import Booking

    remove_people(PREFIX)
    [mentor], mentees = make_people(PREFIX, mentors=1, mentees=options.attempts)
    server = Gunicorn(workers=options.workers, threads=options.threads)
    print(f"{options.attempts} concurrent attempts per round, gunicorn {server.mode}")
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    failures = 0
    try:
        for round_number in range(options.rounds):
            ok = run_round(
                server, Booking, mentor, mentees, base + timedelta(hours=round_number), round_number + 1
            )
            failures += not ok
    finally:
        server.stop()
        remove_people(PREFIX)
    verdict = "OK" if not failures else f"FAILED in {failures} round(s)"
    print(f"Target: exactly one 201, all others 409 slot_unavailable, no 500 -> {verdict}")
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
