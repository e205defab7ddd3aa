"""Shared by the booking benchmarks: a gunicorn server on the benchmark database, people with API tokens.

The benchmark process itself uses Django (bench/benchdb.py's database on DATABASE_URL's server) to create its
own mentors and mentees, then talks to gunicorn over HTTP like any client would.
"""

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import time as wall_time
from pathlib import Path

from bench.benchdb import setup_django

ROOT = Path(__file__).resolve().parents[1]
# Read before benchdb drops it: with a Redis, bookings queue their emails for a worker, as in production.
REDIS_URL = os.environ.get("REDIS_URL", "")


@dataclass
class Person:
    id: int
    token: str


def setup() -> None:
    setup_django()


def make_people(prefix: str, *, mentors: int, mentees: int) -> tuple[list[Person], list[Person]]:
    """Mentors open around the clock (UTC, no notice, no buffer, the largest weekly cap) and mentees."""
    from rest_framework.authtoken.models import Token

    from marketplace.models import AvailabilityBlock, MentorProfile, User

    tag = f"{prefix}-{secrets.token_hex(4)}"
    people = [
        User(
            email=f"{tag}-mentor{n}@example.com",
            display_name=f"Bench Mentor {n}",
            is_mentor=True,
            password="!",
        )
        for n in range(mentors)
    ] + [
        User(email=f"{tag}-mentee{n}@example.com", display_name=f"Bench Mentee {n}", password="!")
        for n in range(mentees)
    ]
    User.objects.bulk_create(people)
    people = list(User.objects.filter(email__startswith=f"{tag}-").order_by("pk"))
    MentorProfile.objects.bulk_create(
        MentorProfile(
            user=user,
            availability_timezone="UTC",
            min_notice_minutes=0,
            buffer_minutes=0,
            weekly_minutes_cap=60 * 40,
        )
        for user in people
        if user.is_mentor
    )
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=user, weekday=weekday, start=wall_time(0), end=wall_time(23, 50))
        for user in people
        if user.is_mentor
        for weekday in range(7)
    )
    tokens = Token.objects.bulk_create(Token(user=user, key=Token.generate_key()) for user in people)
    by_user = {token.user_id: token.key for token in tokens}
    return (
        [Person(user.pk, by_user[user.pk]) for user in people if user.is_mentor],
        [Person(user.pk, by_user[user.pk]) for user in people if not user.is_mentor],
    )


def remove_people(prefix: str) -> None:
    from marketplace.models import User

    User.objects.filter(email__startswith=f"{prefix}-").delete()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, *, workers: int, threads: int, worker_class: str = "gthread") -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-" + secrets.token_hex(32),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "LOG_LEVEL": "WARNING",
        }
        if REDIS_URL:
            env["REDIS_URL"] = REDIS_URL
        else:  # tasks run in the request: keep the emails out of the terminal
            env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        self.mode = f"{workers} workers x {threads} threads ({worker_class}), " + (
            "emails queued to Redis" if REDIS_URL else "tasks in-process, emails to memory"
        )
        self.log = (
            ROOT / "test-artifacts" / "gunicorn-bench.log"
        )  # the last run's, for a look after a failure
        self.log.parent.mkdir(exist_ok=True)
        self._log = self.log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                worker_class,
                "--threads",
                str(threads),
                "--backlog",
                "2048",
                "--keep-alive",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                status, _ = request(self.connect(), "GET", "/api/v1/bookings/", token=None)
                if status in (401, 403):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready:\n{self.log.read_text()[-3000:]}")

    def connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        connection.connect()
        return connection

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    *,
    token: str | None,
    body: dict | None = None,
) -> tuple[int, dict | None]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    raw = response.read()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = {"raw": raw[:200].decode(errors="replace")}
    return response.status, data


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields after the command name, which may hold spaces


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and its children, from /proc (Linux only)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields and (int(entry.name) == root or int(fields[1]) == root):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def postmaster_pid() -> int | None:
    """The PostgreSQL server process behind Django's connection, when it runs on this machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    fields = _stat(backend)
    return int(fields[1]) if fields else None


class CpuMeter:
    """CPU seconds spent by gunicorn and by PostgreSQL between start() and stop()."""

    def __init__(self, server: "Gunicorn") -> None:
        self.roots = {"web": server.process.pid, "database": postmaster_pid()}
        self.used: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        return {name: tree_cpu_seconds(pid) if pid else 0.0 for name, pid in self.roots.items()}

    def start(self) -> None:
        self._started = self._read()

    def stop(self) -> dict[str, float]:
        ended = self._read()
        self.used = {name: ended[name] - self._started[name] for name in ended}
        return self.used


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]
