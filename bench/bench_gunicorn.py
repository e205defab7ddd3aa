"""Gunicorn worker settings under a mixed load of 40 logged-in clients (issue 13, item 15).

Starts gunicorn with each candidate configuration in turn against PostgreSQL (DEBUG off; Redis for the cache
and the Celery broker when REDIS_URL is set) on a demo-sized organisation (`seed_demo` into a database of its
own, once; later runs reuse it). `--clients` threads drive it: each is one demo employee, logged in both ways
(a session cookie for the pages, a token for the API), on a keep-alive connection like a browser's, looping
over a weighted mix: the mentor list page, a mentor's page, my sessions, the mentor list API, a mentor's
slots, and bookings (each client books mentors of its own from a pool the benchmark adds, on distinct slots,
so that none waits for another's lock or sees a conflict). Until every worker has answered a few requests
(a worker's first ones load templates), each request opens its own connection so that all workers get some;
then all clients connect again at one moment (a burst of arrivals, as when a proxy opens its pool), run
`--warmup` seconds, then `--duration` measured seconds.

For each run it prints requests/s, p50/p95/p99 latency, errors (any status but 200, or 201 for a booking, and
any failed connection), the share of requests each worker process served (from gunicorn's access log, whose
format here carries the worker's pid), the web processes' CPU per request and how busy the machine was. The
candidates run `--rounds` times, in alternating order, and each run is compared with the shipped
configuration's run in the same round, so that machine noise shows as the spread between rounds.

Run: ``python bench/bench_gunicorn.py [--clients 40] [--duration 10] [--rounds 2] [--only a,b]`` with
DATABASE_URL (and REDIS_URL) set (make bench). The default run takes about three minutes once seeded.
"""

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: bench.*, the apps

from bench.benchdb import setup_django
from bench.liveserver import REDIS_URL, free_port, make_people, percentile, remove_people, tree_cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "bench-gunicorn"
MENTORS_PER_CLIENT = 5
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
SYNC_WORKERS = 2 * CORES + 1


@dataclass(frozen=True)
class Candidate:
    name: str
    about: str
    arguments: tuple[str, ...]


CANDIDATES = [
    Candidate(
        "shipped",
        "gthread 3 workers x 3 threads (issue 13's 'as shipped')",
        ("--worker-class", "gthread", "--workers", "3", "--threads", "3"),
    ),
    Candidate("sync-3", "sync, 3 workers (the Dockerfile's flags before)", ("--workers", "3")),
    Candidate(
        f"sync-{SYNC_WORKERS}",
        f"sync, 2 x {CORES} cores + 1 = {SYNC_WORKERS} workers",
        ("--worker-class", "sync", "--workers", str(SYNC_WORKERS)),
    ),
    Candidate(
        f"gthread-{SYNC_WORKERS}x2",
        f"gthread {SYNC_WORKERS} workers x 2 threads",
        ("--worker-class", "gthread", "--workers", str(SYNC_WORKERS), "--threads", "2"),
    ),
    Candidate(
        "gthread-3x3-reuse-port",
        "gthread 3 x 3 with --reuse-port",
        ("--worker-class", "gthread", "--workers", "3", "--threads", "3", "--reuse-port"),
    ),
    Candidate(
        f"sync-{SYNC_WORKERS}-reuse-port",
        f"sync {SYNC_WORKERS} workers with --reuse-port",
        ("--worker-class", "sync", "--workers", str(SYNC_WORKERS), "--reuse-port"),
    ),
    Candidate("conf", "config/gunicorn.conf.py as it resolves here", ("-c", "config/gunicorn.conf.py")),
]
DEFAULT_CANDIDATES = [
    "shipped",
    f"sync-{SYNC_WORKERS}",
    f"gthread-{SYNC_WORKERS}x2",
    "gthread-3x3-reuse-port",
    "conf",
]

# (kind, weight): what a client asks for next.
MIX = [
    ("page /mentors/", 20),
    ("page /mentors/<id>/", 15),
    ("page /sessions/", 15),
    ("GET /api/v1/mentors/", 20),
    ("GET /api/v1/mentors/<id>/slots/", 20),
    ("POST /api/v1/bookings/", 10),
]


@dataclass
class Client:
    user_id: int
    session: str
    token: str
    pool: list[int]  # the bench mentors this client books


@dataclass
class Measured:
    elapsed: float
    latencies: list[float]  # ms, of the requests answered within the measured window
    by_kind: dict[str, list[float]]
    errors: Counter
    retries: int
    worker_requests: Counter  # worker pid -> requests it answered in the window
    web_cpu_seconds: float  # gunicorn's master and workers
    machine_busy: float  # share of all cores busy with anyone's processes
    load: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def p(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) if self.latencies else float("nan")

    def shares(self) -> list[float]:
        total = sum(self.worker_requests.values()) or 1
        return sorted((100 * count / total for count in self.worker_requests.values()), reverse=True)


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    access_log: Path
    log: Path
    _files: list = field(default_factory=list)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for handle in self._files:
            handle.close()


def start_server(candidate: Candidate, secret_key: str) -> Server:
    port = free_port()
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    access_log = artifacts / f"gunicorn-bench-{candidate.name}-access.log"
    access_log.write_text("")
    log = artifacts / f"gunicorn-bench-{candidate.name}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.production_settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }
    if REDIS_URL:
        env["REDIS_URL"] = REDIS_URL
    else:  # tasks run in the request: keep the emails out of the terminal
        env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    handle = log.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            *candidate.arguments,
            # After the candidate's, so these win over a config file's: where to listen and what to log.
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(s)s",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    server = Server(process, port, access_log, log, [handle])
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return server
            connection.close()
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn not ready:\n{log.read_text()[-3000:]}")


def _worker_cpu(master: int) -> dict[int, float]:
    """CPU seconds of each worker (a child of gunicorn's master), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        if int(fields[1]) == master:
            used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def ensure_demo(mentors: int, employees: int, weeks: int) -> None:
    from django.core.management import call_command

    from marketplace.models import User

    if User.objects.filter(email="mentee@example.com").exists():
        return
    print(f"Seeding the demo organisation ({mentors} mentors, {employees} employees, {weeks} weeks) …")
    call_command(
        "seed_demo", mentors=mentors, employees=employees, weeks_of_history=weeks, force=True, verbosity=0
    )


def make_clients(count: int, secret_key: str) -> tuple[list[Client], list[int], list[int]]:
    """`count` demo employees logged in (a session row and a token each), each with MENTORS_PER_CLIENT mentors
    of its own to book, and the demo mentors whose pages the clients read."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from marketplace.models import User

    assert secret_key == settings.SECRET_KEY  # the session hash must be the one gunicorn computes
    employees = list(
        User.objects.filter(email__startswith="employee", is_mentor=False).order_by("pk")[:count]
    )
    if len(employees) < count:
        raise SystemExit(f"only {len(employees)} demo employees for {count} clients: seed more (--employees)")
    remove_people(PREFIX)
    bench_mentors, _ = make_people(PREFIX, mentors=count * MENTORS_PER_CLIENT, mentees=0)
    clients = []
    for number, user in enumerate(employees):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        token, _ = Token.objects.get_or_create(user=user)
        pool = [m.id for m in bench_mentors[number * MENTORS_PER_CLIENT : (number + 1) * MENTORS_PER_CLIENT]]
        clients.append(Client(user.pk, session.session_key or "", token.key, pool))
    demo_mentors = list(
        User.objects.filter(is_mentor=True)
        .exclude(email__startswith=f"{PREFIX}-")
        .values_list("pk", flat=True)
    )
    return clients, demo_mentors, [m.id for m in bench_mentors]


def reset_bookings(bench_mentor_ids: list[int]) -> None:
    """The previous run's bookings go, so that every run starts from the same database."""
    from sessions_app.models import Booking

    Booking.objects.filter(mentor_id__in=bench_mentor_ids).delete()


def cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat."""
    fields = [float(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


@dataclass
class Phases:
    """Shared by the clients: until every worker has answered a few requests (its first ones load templates
    and code), each request opens a connection of its own, so that every worker gets some; then all clients
    connect again at the same moment (a burst of arrivals: where each keep-alive connection lands is up to
    the workers), `warmup` seconds in the measured mode, then the measured window."""

    arrive_together: threading.Barrier
    warming_workers: bool = True
    measure_from: float = float("inf")
    end_at: float = float("inf")


def _request_for(
    kind: str, me: Client, rng: random.Random, demo_mentors: list[int], number: int, base: datetime
):
    """(method, path, body, expected status, header additions) of one request of `kind`."""
    mentor = rng.choice(demo_mentors)
    if kind.startswith("page"):
        headers = {"Cookie": f"sessionid={me.session}", "Accept": "text/html"}
    else:
        headers = {"Authorization": f"Token {me.token}", "Accept": "application/json"}
    path = {
        "page /mentors/": f"/mentors/?page={rng.randint(1, 5)}",
        "page /mentors/<id>/": f"/mentors/{mentor}/",
        "page /sessions/": "/sessions/",
        "GET /api/v1/mentors/": f"/api/v1/mentors/?page={rng.randint(1, 5)}",
        "GET /api/v1/mentors/<id>/slots/": f"/api/v1/mentors/{mentor}/slots/",
        "POST /api/v1/bookings/": "/api/v1/bookings/",
    }[kind]
    if not kind.startswith("POST"):
        return "GET", path, None, 200, headers
    # Distinct times for this mentee (10 a day); each of its mentors gets 14 a week, within the weekly cap.
    day, nth = divmod(number, 10)
    start = (base + timedelta(days=day, minutes=30 * nth)).isoformat()
    body = json.dumps(
        {"mentor": me.pool[number % len(me.pool)], "start": start, "duration": 30, "topic": "Bench"}
    )
    return "POST", path, body.encode(), 201, {**headers, "Content-Type": "application/json"}


def drive(
    server: Server,
    clients: list[Client],
    demo_mentors: list[int],
    *,
    warmup: float,
    duration: float,
    keep_alive: bool,
    seed: int,
) -> Measured:
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    base = (datetime.now(UTC) + timedelta(days=120)).replace(hour=6, minute=0, second=0, microsecond=0)
    arrived = threading.Event()
    phases = Phases(threading.Barrier(len(clients), action=arrived.set))
    latencies: list[list[tuple[str, float]]] = [[] for _ in clients]
    errors: list[Counter] = [Counter() for _ in clients]
    retries = [0] * len(clients)

    def client(number: int) -> None:
        me = clients[number]
        rng = random.Random(seed * 1000 + number)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        bookings = 0
        reconnected = False
        while (began := time.perf_counter()) < phases.end_at:
            if not reconnected and not phases.warming_workers:
                phases.arrive_together.wait()
                reconnected = True
                began = time.perf_counter()
            kind = rng.choices(kinds, weights)[0]
            method, path, body, expected, extra = _request_for(kind, me, rng, demo_mentors, bookings, base)
            bookings += method == "POST"
            headers = {"Host": "127.0.0.1", **extra}
            if phases.warming_workers or not keep_alive:
                headers["Connection"] = "close"
            status = 0
            for attempt in (1, 2):
                try:
                    connection.request(method, path, body=body, headers=headers)
                    answer = connection.getresponse()
                    answer.read()
                    status = answer.status
                    break
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    # A keep-alive connection the server closed between two requests: a browser asks again.
                    retry = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
                    if attempt == 1 and method == "GET" and isinstance(error, retry):
                        retries[number] += 1
                        continue
                    status = -1
                    errors[number][type(error).__name__] += 1
            ended = time.perf_counter()
            # Every answer that came within the window counts, also one asked for before it: dropping
            # those would drop the slowest (a queue of 40 on 9 threads answers in seconds).
            if phases.measure_from <= ended <= phases.end_at:
                latencies[number].append((kind, (ended - began) * 1000))
                if status not in (expected, -1):
                    errors[number][f"{kind} -> {status}"] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    _wait_until_every_worker_answered(server, at_least=3)
    phases.warming_workers = False
    arrived.wait()
    phases.measure_from = time.perf_counter() + warmup
    phases.end_at = phases.measure_from + duration
    _sleep_until(phases.measure_from)
    log_start = server.access_log.stat().st_size
    cpu_start = (tree_cpu_seconds(server.process.pid), *cpu_busy())
    _sleep_until(phases.end_at)
    log_end = server.access_log.stat().st_size
    cpu_end = (tree_cpu_seconds(server.process.pid), *cpu_busy())
    for thread in threads:
        thread.join()

    by_kind: dict[str, list[float]] = {}
    for mine in latencies:
        for kind, value in mine:
            by_kind.setdefault(kind, []).append(value)
    return Measured(
        elapsed=duration,
        latencies=[value for mine in latencies for _, value in mine],
        by_kind=by_kind,
        errors=sum(errors, Counter()),
        retries=sum(retries),
        worker_requests=_answers_by_worker(server.access_log, log_start, log_end),
        web_cpu_seconds=cpu_end[0] - cpu_start[0],
        machine_busy=(cpu_end[1] - cpu_start[1]) / max(1.0, cpu_end[2] - cpu_start[2]),
        load=os.getloadavg()[0],
    )


def _sleep_until(moment: float) -> None:
    while (left := moment - time.perf_counter()) > 0:
        time.sleep(min(left, 0.01))


def _answers_by_worker(access_log: Path, start: int, end: int) -> Counter:
    """Requests per worker pid in the access log's bytes from `start` to `end` (lines "<pid> status")."""
    with access_log.open("rb") as handle:
        handle.seek(start)
        window = handle.read(end - start).decode(errors="replace")
    return Counter(line.split()[0].strip("<>") for line in window.splitlines() if line.startswith("<"))


def _wait_until_every_worker_answered(server: Server, *, at_least: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = {str(pid) for pid in _worker_cpu(server.process.pid)}
        answered = _answers_by_worker(server.access_log, 0, server.access_log.stat().st_size)
        if workers and all(answered[pid] >= at_least for pid in workers):
            return
        time.sleep(0.2)
    raise RuntimeError(f"not every worker answered {at_least} requests within {timeout:.0f} s")


def shares_text(shares: list[float]) -> str:
    return "/".join(f"{share:.0f}" for share in shares)


def row(name: str, run: Measured, baseline: Measured | None) -> str:
    errors = sum(run.errors.values())
    ratios = ""
    if baseline is not None:
        ratios = f"  x{run.rate / baseline.rate:4.2f} req/s  x{run.p(0.95) / baseline.p(0.95):4.2f} p95"
    return (
        f"{name:<24} {run.rate:6.1f} req/s  p50 {run.p(0.5):6.0f}  p95 {run.p(0.95):6.0f}  "
        f"p99 {run.p(0.99):6.0f} ms  errors {errors:3d}  workers % {shares_text(run.shares()):<18}"
        f" web CPU {1000 * run.web_cpu_seconds / max(1, len(run.latencies)):5.1f} ms/req"
        f"  machine {100 * run.machine_busy:3.0f}% busy{ratios}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40, help="concurrent clients (threads)")
    parser.add_argument("--duration", type=float, default=10, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds of load before")
    parser.add_argument("--rounds", type=int, default=2, help="runs of every candidate, in alternating order")
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT_CANDIDATES),
        help=f"comma-separated candidates (the first is the baseline); known: "
        f"{', '.join(c.name for c in CANDIDATES)}",
    )
    parser.add_argument(
        "--no-keep-alive",
        action="store_true",
        help="a new connection per request (what a proxy without upstream keep-alive does)",
    )
    parser.add_argument("--database", default="sidebar_gunicorn_bench", help="the benchmark's database")
    parser.add_argument("--mentors", type=int, default=300, help="demo mentors when seeding")
    parser.add_argument("--employees", type=int, default=1200, help="demo employees when seeding")
    parser.add_argument(
        "--weeks-of-history", type=int, default=12, help="weeks of past sessions when seeding"
    )
    options = parser.parse_args()
    began = time.monotonic()
    known = {candidate.name: candidate for candidate in CANDIDATES}
    chosen = [known[name] for name in options.only.split(",") if name]

    secret_key = "benchmark-only-" + secrets.token_hex(32)
    os.environ["SECRET_KEY"] = secret_key  # for the sessions the benchmark writes and gunicorn reads
    setup_django(options.database)
    ensure_demo(options.mentors, options.employees, options.weeks_of_history)
    clients, demo_mentors, bench_mentors = make_clients(options.clients, secret_key)
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}: {CORES} cores ({_cpu_model()}), "
        f"Python {platform.python_version()}, load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    print(
        f"{options.clients} clients ({'no keep-alive' if options.no_keep_alive else 'keep-alive'}),"
        f" {options.warmup:g} s warm-up + {options.duration:g} s measured per run, {options.rounds} rounds;"
        f" {len(demo_mentors)} demo mentors; "
        + ("Redis for the cache and the broker" if REDIS_URL else "no Redis: tasks in-process")
    )
    print("mix: " + ", ".join(f"{kind} {weight}%" for kind, weight in MIX))
    results: dict[str, list[Measured]] = {candidate.name: [] for candidate in chosen}
    try:
        for number in range(options.rounds):
            order = chosen if number % 2 == 0 else list(reversed(chosen))
            print(f"\nround {number + 1} ({', '.join(c.name for c in order)})")
            done: dict[str, Measured] = {}
            for candidate in order:
                reset_bookings(bench_mentors)
                server = start_server(candidate, secret_key)
                try:
                    done[candidate.name] = drive(
                        server,
                        clients,
                        demo_mentors,
                        warmup=options.warmup,
                        duration=options.duration,
                        keep_alive=not options.no_keep_alive,
                        seed=number,
                    )
                finally:
                    server.stop()
                results[candidate.name].append(done[candidate.name])
                print(row(candidate.name, done[candidate.name], None), flush=True)
            print(f"round {number + 1} against {chosen[0].name} of the same round:")
            for candidate in chosen:
                print(row(candidate.name, done[candidate.name], done[chosen[0].name]))
    finally:
        reset_bookings(bench_mentors)
        remove_people(PREFIX)
        _purge_queued_tasks()
    summarise(chosen, results)
    print(f"\n{time.monotonic() - began:.0f} s in all; load average now {os.getloadavg()[0]:.1f}")


def summarise(chosen: list[Candidate], results: dict[str, list[Measured]]) -> None:
    baseline = results[chosen[0].name]
    print(f"\nSummary: median of the rounds; ratios to {chosen[0].name} in the same round (min-max)")
    print("| configuration | req/s | p50 ms | p95 ms | p99 ms | errors | % per worker | x req/s | x p95 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for candidate in chosen:
        runs = results[candidate.name]
        rate_ratios = [run.rate / base.rate for run, base in zip(runs, baseline, strict=True)]
        p95_ratios = [run.p(0.95) / base.p(0.95) for run, base in zip(runs, baseline, strict=True)]
        # Shares by rank (the busiest worker first), averaged over the rounds.
        width = max(len(run.shares()) for run in runs)
        shares = [
            statistics.mean((run.shares() + [0.0] * width)[rank] for run in runs) for rank in range(width)
        ]
        errors = sum((run.errors for run in runs), Counter())
        rate = statistics.median(r.rate for r in runs)
        p50, p95, p99 = (statistics.median(r.p(fraction) for r in runs) for fraction in (0.5, 0.95, 0.99))
        print(
            f"| {candidate.name}: {candidate.about} | {rate:.1f} | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
            f"{sum(errors.values())} | {shares_text(shares)} | {_spread(rate_ratios)} | "
            f"{_spread(p95_ratios)} |"
        )
        if errors:
            print(f"|   errors of {candidate.name}: {dict(errors)} | | | | | | | | |")
    print("\np95 by kind of request (ms, median of the rounds):")
    for candidate in chosen:
        runs = results[candidate.name]
        kinds = " ".join(
            f"{kind.split(' ', 1)[1]} {_median_p95(runs, kind):.0f}"
            for kind, _ in MIX
            if all(kind in r.by_kind for r in runs)
        )
        print(f"  {candidate.name:<24} {kinds}")


def _median_p95(runs: list[Measured], kind: str) -> float:
    return statistics.median(percentile(run.by_kind[kind], 0.95) for run in runs)


def _spread(values: list[float]) -> str:
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.2f}"
    return f"{median:.2f} ({min(values):.2f}-{max(values):.2f})"


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _purge_queued_tasks() -> None:
    """The bookings' delivery tasks queued on Redis for a worker that the benchmark does not run."""
    if not REDIS_URL:
        return
    import redis

    redis.Redis.from_url(REDIS_URL).delete("celery")


if __name__ == "__main__":
    main()
