"""Booking throughput over HTTP: 8 clients booking distinct slots against gunicorn and PostgreSQL (issue 5).

Target: at least 100 bookings/s on the 2-core machine. Each client is a thread with a keep-alive connection
and its own mentee, booking one 30-minute slot after another, and reports each request's latency. Two cases:
every client books mentors of its own (a pool of MENTORS_PER_CLIENT, round robin, so that mentors end up
with a realistic handful of sessions each and no two clients wait for the same mentor's lock), and all
clients book one shared mentor (they queue on that mentor's lock: the worst case, one very popular person).

Run: ``python bench/bench_booking_throughput.py [--per-client 250]`` with DATABASE_URL set (make bench).
"""

import argparse
import os
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: bench.*, the apps

from bench.liveserver import (
    CpuMeter,
    Gunicorn,
    load_average,
    make_people,
    percentile,
    remove_people,
    request,
    setup,
)

PREFIX = "bench-throughput"
CLIENTS = 8
MENTORS_PER_CLIENT = 25


def slot(base: datetime, index: int) -> datetime:
    # 10 sessions a day, 70 a week: 2,100 minutes, within the largest weekly cap (2,400).
    day, nth = divmod(index, 10)
    return base + timedelta(days=day, minutes=30 * nth)


def run_case(
    server: Gunicorn, title: str, pools: list[list[int]], mentees, per_client: int, warmup: int
) -> float:
    """`pools[n]` are the mentors client n books, round robin."""
    base = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0) + timedelta(days=1)
    shared = len({mentor for pool in pools for mentor in pool}) == 1
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    statuses: list[Counter] = [Counter() for _ in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS + 1)

    def client(number: int) -> None:
        connection = server.connect()
        token = mentees[number].token

        pool = pools[number]

        def book(index: int) -> float:
            # With one shared mentor the clients interleave their slots so that none collide.
            position = index * CLIENTS + number if shared else index
            body = {
                "mentor": pool[index % len(pool)],
                "start": slot(base, position).isoformat(),
                "duration": 30,
                "topic": "Throughput",
            }
            started = time.perf_counter()
            status, _ = request(connection, "POST", "/api/v1/bookings/", token=token, body=body)
            statuses[number][status] += 1
            return (time.perf_counter() - started) * 1000

        for index in range(warmup):
            book(index)
        barrier.wait()
        for index in range(warmup, warmup + per_client):
            latencies[number].append(book(index))
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    meter = CpuMeter(server)
    barrier.wait()
    meter.start()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu = meter.stop()

    every = [value for values in latencies for value in values]
    answers = sum(statuses, Counter())
    rate = len(every) / elapsed
    print(
        f"{title:<44} {rate:6.1f} bookings/s   p50 {percentile(every, 0.5):5.1f} ms   "
        f"p95 {percentile(every, 0.95):5.1f} ms   p99 {percentile(every, 0.99):5.1f} ms   "
        f"n={len(every)}  answers={dict(answers)}"
    )
    web_ms, db_ms = (cpu[name] * 1000 / len(every) for name in ("web", "database"))
    capacity = (os.cpu_count() or 1) * 1000 / (web_ms + db_ms)
    print(
        f"{'':<44} CPU per booking: web {web_ms:.1f} ms + database {db_ms:.1f} ms -> an idle "
        f"{os.cpu_count()}-core machine serves ~{capacity:.0f}/s; load average now {load_average()}"
    )
    if set(answers) != {201}:
        raise SystemExit(f"unexpected answers: {dict(answers)}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-client", type=int, default=250, help="timed bookings per client")
    parser.add_argument("--warmup", type=int, default=10, help="untimed bookings per client first")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=3, help="gunicorn threads per worker")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    options = parser.parse_args()

    setup()
    remove_people(PREFIX)
    mentors, mentees = make_people(PREFIX, mentors=CLIENTS * MENTORS_PER_CLIENT + 1, mentees=2 * CLIENTS)
    ids = [mentor.id for mentor in mentors]
    server = Gunicorn(workers=options.workers, threads=options.threads, worker_class=options.worker_class)
    print(f"{CLIENTS} clients, {options.per_client} timed bookings each, gunicorn {server.mode}")
    try:
        rate = run_case(
            server,
            f"8 clients, {MENTORS_PER_CLIENT} mentors of their own each",
            [ids[n * MENTORS_PER_CLIENT : (n + 1) * MENTORS_PER_CLIENT] for n in range(CLIENTS)],
            mentees[:CLIENTS],
            options.per_client,
            options.warmup,
        )
        run_case(
            server,
            "8 clients, one shared mentor",
            [[ids[-1]]] * CLIENTS,
            mentees[CLIENTS:],
            max(1, options.per_client // 4),
            0,
        )
    finally:
        server.stop()
        remove_people(PREFIX)
    verdict = "OK" if rate >= 100 else "UNDER TARGET"
    print(f"Target: >= 100 bookings/s with 8 clients on distinct slots -> {rate:.1f}/s: {verdict}")


if __name__ == "__main__":
    main()
