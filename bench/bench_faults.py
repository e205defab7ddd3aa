"""The fault suite of issue 13, run longer than the tests do, with figures (docs/benchmarks.md, Fault suite).

Everything private, nothing shared touched: a PostgreSQL 15 cluster of its own (tests/postgres_server.py,
migrated once), a redis-server of its own (tests/redis_server.py), gunicorn as deployed
(config/gunicorn.conf.py, DEBUG off, WEB_CONCURRENCY 3) and a real Celery worker with beat sending e-mail to
one file per outbox row. Each scenario seeds its own people and runs the load of the tests
(tests/integration/fault_load.py: two booking clients, each with a mentee and mentors of its own, and one
reading client, one request each every 0.3 s) for `--warmup` seconds, then the fault, then `--after`
seconds; then waits until every confirmation of a 201 booking is sent and counts the e-mail files.

Scenarios: Redis frozen (SIGSTOP) and Redis stopped for `--fault` seconds; a pool child SIGKILLed and the
whole worker SIGKILLed (each send then takes 0.2 s, so a kill lands mid-send, and a new worker starts);
two beats (a second worker with its own beat) for `--fault` seconds; PostgreSQL restarted
(`pg_ctl restart -m fast`) and PostgreSQL stopped for `--fault` seconds.

Per scenario: requests, 2xx, 5xx (and the latest second, after the fault began, that one began), failed
connections, max and p95 latency, confirmations expected / delivered / duplicated / lost, and how long after
the fault ended the last confirmation of a booking made before then went out (caught_up_after_s, 0 when all
had gone out by then: the stuck messages, claims the fault cut, are taken again after
OUTBOX_RECLAIM_AFTER_SECONDS, here 10 s).

Run: ``python bench/bench_faults.py [--fault 15] [--warmup 5] [--after 20] [--only a,b]`` as root or the
postgres user's peer (initdb runs as postgres). About six minutes. Exits non-zero when a confirmation was lost
or duplicated.
"""

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository root: tests.*, the apps
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402

from sessions_app.models import OutboundMessage  # noqa: E402
from tests.child_processes import descendants  # noqa: E402
from tests.deploy.conftest import Server, free_port, production_env  # noqa: E402
from tests.integration.conftest import WorkerProcess  # noqa: E402
from tests.integration.delivery import deliveries, with_beat, worker_env  # noqa: E402
from tests.integration.fault_load import (  # noqa: E402
    BookingClient,
    Client,
    ReadingClient,
    percentile,
    seed,
)
from tests.postgres_server import PostgresServer  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402
from tests.waiting import wait_until  # noqa: E402

OUTBOX = OutboundMessage._meta.db_table
RECLAIM_SECONDS = 10


@dataclass
class Stack:
    postgres: PostgresServer
    redis: RedisServer
    env: dict[str, str]
    work: Path
    mail_dir: Path
    workers: list[WorkerProcess]
    server: Server | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"

    def start_worker(self, *, send_delay: float = 0.0) -> WorkerProcess:
        name = f"bench-{uuid.uuid4().hex[:6]}"
        worker = WorkerProcess(
            {
                **self.env,
                **worker_env(self.mail_dir, OUTBOX_RECLAIM_AFTER_SECONDS=str(RECLAIM_SECONDS)),
                "LOG_LEVEL": "INFO",
                "SIDEBAR_TEST_SEND_DELAY": str(send_delay),
            },
            name,
            self.work / f"worker-{name}.log",
            ["--concurrency=2", *with_beat(self.work / f"beat-{name}")],
        )
        self.workers.append(worker)
        worker.wait_ready()
        return worker

    def live_workers(self) -> list[WorkerProcess]:
        return [worker for worker in self.workers if worker.process.poll() is None]

    def start_gunicorn(self) -> None:
        port = free_port()
        log_path = self.work / "gunicorn.log"
        log = log_path.open("a")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "config/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env={**self.env, "WEB_CONCURRENCY": "3", "GUNICORN_MAX_REQUESTS": "0"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.server = server = Server(port=port, process=process, log_path=log_path, _log=log)

        def answers() -> bool:
            try:
                return server.get("/healthz", timeout=5).status == 200
            except OSError:
                return False

        wait_until(answers, timeout=60, interval=0.2, message=lambda: f"gunicorn:\n{server.log()}")

    def rows(self, where: str, arguments: tuple = ()) -> list[tuple]:
        connection = psycopg2.connect(self.env["DATABASE_URL"], connect_timeout=5)
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id, status, sent_at FROM {OUTBOX} WHERE {where}", arguments)
                return cursor.fetchall()
        finally:
            connection.close()


@dataclass
class Fault:
    began: float  # time.monotonic()
    ended: float
    ended_wall: datetime


def hold(seconds: float, start: Callable[[], None], end: Callable[[], None]) -> Fault:
    began = time.monotonic()
    start()
    time.sleep(seconds)
    end()
    return Fault(began, time.monotonic(), datetime.now(UTC))


def at_once(action: Callable[[], None], settle: float = 0.0) -> Fault:
    began = time.monotonic()
    action()
    time.sleep(settle)
    return Fault(began, time.monotonic(), datetime.now(UTC))


def pool_child_killed(stack: Stack, seconds: float) -> Fault:
    [worker] = stack.live_workers()
    child = next(iter(descendants(worker.process.pid).values())).pid
    return at_once(lambda: os.kill(child, signal.SIGKILL))


def worker_killed(stack: Stack, seconds: float) -> Fault:
    def kill_and_replace() -> None:
        for worker in stack.live_workers():
            worker.kill()
        stack.start_worker(send_delay=0.2)

    return at_once(kill_and_replace)


def two_beats(stack: Stack, seconds: float) -> Fault:
    extra: list[WorkerProcess] = []
    fault = hold(seconds, lambda: extra.append(stack.start_worker()), lambda: None)
    extra[0].stop()
    return fault


SCENARIOS: dict[str, tuple[Callable[[Stack, float], Fault], float]] = {  # the fault, the workers' send delay
    "redis-frozen": (lambda stack, s: hold(s, stack.redis.freeze, stack.redis.thaw), 0.0),
    "redis-stopped": (lambda stack, s: hold(s, stack.redis.stop, stack.redis.start), 0.0),
    "pool-child-sigkill": (pool_child_killed, 0.2),
    "worker-sigkill": (worker_killed, 0.2),
    "two-beats": (two_beats, 0.0),
    "postgres-restart": (lambda stack, s: at_once(stack.postgres.restart), 0.0),
    "postgres-stopped": (
        lambda stack, s: hold(s, lambda: stack.postgres.stop("fast"), stack.postgres.start),
        0.0,
    ),
}


def run_scenario(stack: Stack, name: str, args: argparse.Namespace) -> dict:
    act, send_delay = SCENARIOS[name]
    for worker in stack.live_workers():
        worker.stop()
    stack.start_worker(send_delay=send_delay)
    seeded = seed(stack.env, clients=2, mentors_each=int((args.warmup + args.fault + args.after) * 4) + 20)
    bookers = [
        BookingClient(stack.base_url, c["token"], c["mentors"], name=f"booker-{i}")
        for i, c in enumerate(seeded.clients)
    ]
    clients: list[Client] = [*bookers, ReadingClient(stack.base_url, seeded.clients[0]["token"])]
    for client in clients:
        client.start()
    try:
        time.sleep(args.warmup)
        fault = act(stack, args.fault)
        time.sleep(args.after)
    finally:
        for client in clients:
            client.stop()
    answers = [(answer, client.ok) for client in clients for answer in client.answers]
    booked = [booking for booker in bookers for booking in booker.booked]
    expected = {row[0] for row in stack.rows("booking_id = ANY(%s) AND kind = 'confirmation'", (booked,))}
    with_fault_pending = {
        row[0]
        for row in stack.rows(
            "booking_id = ANY(%s) AND kind = 'confirmation' AND created_at < %s", (booked, fault.ended_wall)
        )
    }

    def all_sent() -> bool:
        return {row[0] for row in stack.rows("status = 'sent'")} >= expected

    with contextlib.suppress(AssertionError):  # what is never sent is counted as lost below
        wait_until(all_sent, timeout=180, interval=0.5, message="every confirmation sent")
    time.sleep(3)  # a sweep after the last delivery would have sent a duplicate by now
    sent_at = [
        row[2] for row in stack.rows("id = ANY(%s)", (list(with_fault_pending),)) if row[2] is not None
    ]
    counts = deliveries(stack.mail_dir)
    failures = [answer for answer, ok in answers if answer.status >= 500]
    seconds = [answer.seconds for answer, _ in answers]
    return {
        "scenario": name,
        "requests": len(answers),
        "2xx": sum(200 <= answer.status < 300 for answer, _ in answers),
        "5xx": len(failures),
        "5xx_last_began_s": round(max((a.began - fault.began for a in failures), default=0.0), 2),
        "5xx_after_recovery": sum(answer.began >= fault.ended for answer in failures),
        "no_answer": sum(answer.status == 0 for answer, _ in answers),
        "other": sum(answer.status not in (0, ok) and answer.status < 500 for answer, ok in answers),
        "fault_s": round(fault.ended - fault.began, 2),
        "max_s": round(max(seconds), 3),
        "p95_s": round(percentile(seconds, 0.95), 3),
        "confirmations": len(expected),
        "delivered": sum(1 for pk in expected if counts.get(str(pk), 0) >= 1),
        "duplicated": sum(1 for pk in expected if counts.get(str(pk), 0) > 1),
        "lost": sum(1 for pk in expected if counts.get(str(pk), 0) == 0),
        "caught_up_after_s": round(
            max([0.0, *((moment - fault.ended_wall).total_seconds() for moment in sent_at)]), 1
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fault", type=float, default=15, help="seconds a lasting fault lasts")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--after", type=float, default=20)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args()
    names = [name for name in args.only.split(",") if name] or list(SCENARIOS)

    work = Path(tempfile.mkdtemp(prefix="sidebar-bench-faults-"))
    postgres = PostgresServer()
    redis = RedisServer(work / "redis")
    stack = Stack(postgres, redis, {}, work, work / "mail", [])
    results = []
    try:
        postgres.init()
        postgres.start()
        redis.start()
        stack.env = production_env(DATABASE_URL=postgres.create_database("sidebar"), REDIS_URL=redis.url)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input"],
            cwd=ROOT,
            env=stack.env,
            check=True,
            capture_output=True,
        )
        stack.start_gunicorn()
        print(f"{platform.node()}: {os.cpu_count()} cores, load average before {os.getloadavg()}", flush=True)
        for name in names:
            result = run_scenario(stack, name, args)
            result["load_average_1m"] = round(os.getloadavg()[0], 2)
            results.append(result)
            print(json.dumps(result), flush=True)
    finally:
        for worker in stack.workers:
            worker.stop()
        if stack.server is not None:
            stack.server.stop()
        redis.stop()
        postgres.destroy()
        shutil.rmtree(work, ignore_errors=True)

    columns = list(results[0]) if results else []
    print("\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for result in results:
        print("| " + " | ".join(str(result[column]) for column in columns) + " |")
    return 1 if any(result["lost"] or result["duplicated"] for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
