"""The load of the fault suite and bench/bench_faults.py: clients that book, read and poll /healthz over HTTP
from threads, each answer recorded with when it began; and what a run's figures are made of.

Each booking client has a mentee of its own and books each of its own mentors once, on distinct slots, so no
booking waits for another's lock or meets a conflict: every answer but 201 is a fault's doing.
"""

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.sessions_app.helpers import slot, z

ROOT = Path(__file__).resolve().parents[2]
# Far above every configured timeout (1 s publish, 0.5 s cache, 5 s database connect): a correctness bound.
ANSWER_WITHIN_SECONDS = 20


@dataclass(frozen=True)
class Answer:
    began: float  # time.monotonic()
    seconds: float
    status: int  # 0: no answer within ANSWER_WITHIN_SECONDS (or none at all)
    body: bytes = b""


def call(request: urllib.request.Request) -> Answer:
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_WITHIN_SECONDS) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except OSError:
        status, body = 0, b""
    return Answer(began, time.monotonic() - began, status, body)


class Client(threading.Thread):
    """Sends `next_request()` every `pause` seconds until stopped (or until it returns None)."""

    pause = 0.3
    ok = 200  # the status of a request answered as it should be

    def __init__(self, base_url: str, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.base_url = base_url
        self.answers: list[Answer] = []
        self.stopping = threading.Event()

    def next_request(self) -> urllib.request.Request | None:
        raise NotImplementedError

    def answered(self, answer: Answer) -> None:
        """Called with each answer."""

    def run(self) -> None:
        while not self.stopping.is_set():
            request = self.next_request()
            if request is None:
                return
            answer = call(request)
            self.answers.append(answer)
            self.answered(answer)
            self.stopping.wait(self.pause)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=ANSWER_WITHIN_SECONDS + 5)


class BookingClient(Client):
    """Books one session a round, each with a mentor of its own (ids), until stopped; keeps the booked ids."""

    ok = 201

    def __init__(
        self, base_url: str, token: str, mentor_ids: list[int], name: str = "booking-client"
    ) -> None:
        super().__init__(base_url, name)
        self.token, self.mentor_ids = token, mentor_ids
        self.booked: list[int] = []
        self.number = 0

    def next_request(self) -> urllib.request.Request | None:
        if self.number >= len(self.mentor_ids):
            return None
        mentor, number = self.mentor_ids[self.number], self.number
        self.number += 1
        start = slot(days=3 + number // 10, hour=8 + number % 10)
        body = {"mentor": mentor, "start": z(start), "duration": 30, "topic": "Board presentation"}
        return urllib.request.Request(
            f"{self.base_url}/api/v1/bookings/",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            method="POST",
        )

    def answered(self, answer: Answer) -> None:
        if answer.status == 201:
            self.booked.append(json.loads(answer.body)["id"])


class ReadingClient(Client):
    """Reads its mentee's bookings, again and again."""

    def __init__(self, base_url: str, token: str, name: str = "reading-client") -> None:
        super().__init__(base_url, name)
        self.token = token

    def next_request(self) -> urllib.request.Request:
        return urllib.request.Request(
            f"{self.base_url}/api/v1/bookings/", headers={"Authorization": f"Token {self.token}"}
        )


@dataclass
class Seeded:
    """What fault_seed.py created: per booking client a mentee's token and mentors of its own."""

    clients: list[dict] = field(default_factory=list)  # {"token": str, "mentors": [int]}


def seed(env: dict[str, str], *, clients: int, mentors_each: int) -> Seeded:
    """Creates the load's people in the database of `env` (DATABASE_URL), in a process of its own."""
    output = run_in_project(
        ["-m", "tests.integration.fault_seed", str(clients), str(mentors_each)], env=env, what="seeding"
    )
    return Seeded(clients=json.loads(output.strip().splitlines()[-1]))


def migrate(env: dict[str, str]) -> None:
    run_in_project(["manage.py", "migrate", "--no-input"], env=env, what="migrate")


def run_in_project(arguments: list[str], *, env: dict[str, str], what: str) -> str:
    """Runs Python with `arguments` in the project, against the database of `env`; returns its output."""
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
