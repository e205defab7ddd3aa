"""Flow 4 on real services: Celery workers and beat on a real Redis, the outbox in a real PostgreSQL.

Every message goes out once: with one worker, with two at once, after a worker is SIGKILLed in the middle of
a sweep, and after Redis was down while a session was booked. Emails land one file per message, named by
their outbox row (tests/integration/email_backends.py), so "once" is a count of files.
"""

import re
import socket
import subprocess
from collections import Counter
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis as redis_client
from django.utils import timezone

from config.celery import app as celery_app
from marketplace.models import AvailabilityBlock
from sessions_app.models import OutboundMessage
from sessions_app.services.bookings import book_session, scheduled_messages
from sessions_app.tasks import send_due_messages
from tests.factories import BookingFactory, MentorFactory, OutboundMessageFactory, UserFactory
from tests.sessions_app.helpers import slot
from tests.waiting import wait_until

if TYPE_CHECKING:
    from tests.integration.conftest import WorkerProcess

BACKEND = "tests.integration.email_backends.OneFilePerMessageBackend"


def worker_env(mail_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "EMAIL_BACKEND": BACKEND,
        "EMAIL_FILE_PATH": str(mail_dir),
        "OUTBOX_SWEEP_EVERY_SECONDS": "1",
        "OUTBOX_BATCH_SIZE": "10",
        **extra,
    }


def with_beat(folder: Path) -> list[str]:
    """Arguments that run beat inside the worker, its schedule file in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return ["-B", "-s", str(folder / "beat-schedule")]


def deliveries(mail_dir: Path) -> Counter:
    """How many emails went out per outbox row id."""
    return Counter(path.name.split("-", 1)[0] for path in mail_dir.glob("*.eml"))


def wait_until_all_sent(expected: int, timeout: float = 90) -> None:
    wait_until(
        lambda: OutboundMessage.objects.filter(status="sent").count() >= expected,
        timeout=timeout,
        interval=0.1,
        message=lambda: (
            f"{expected} messages sent: "
            f"{list(OutboundMessage.objects.values_list('id', 'status', 'attempts'))}"
        ),
    )


RECEIVED = re.compile(r"Task [\w.]+\[([\w-]+)\] received$", re.MULTILINE)
FINISHED = re.compile(r"Task [\w.]+\[([\w-]+)\] (?!received$)", re.MULTILINE)  # succeeded, raised, retry...


def sweep_again(workers: list["WorkerProcess"], count: int = 2) -> None:
    """Queues `count` more sweeps and waits until they have run and the live workers are idle, so that
    whatever a sweep after the last delivery would send again has been sent by the time files are counted.
    """
    sweeps = {send_due_messages.delay().id for _ in range(count)}
    live = [worker for worker in workers if worker.process.poll() is None]

    def done() -> bool:
        logs = [worker.log_path.read_text() for worker in live]
        received = {task for log in logs for task in RECEIVED.findall(log)}
        finished = {task for log in logs for task in FINISHED.findall(log)}
        return sweeps <= finished and received <= finished

    wait_until(
        done,
        timeout=60,
        interval=0.1,
        message=lambda: (
            f"sweeps {sorted(sweeps)} to run and the workers to go idle:\n"
            + "\n".join(worker.log_tail(1500) for worker in live)
        ),
    )


def assert_each_delivered_once(mail_dir: Path, ids: set[int]) -> None:
    counts = deliveries(mail_dir)
    assert {key for key, count in counts.items() if count > 1} == set()
    assert set(counts) == {str(pk) for pk in ids}


def test_reminders_falling_due_within_seconds_are_delivered_once_each(start_worker, settings, tmp_path):
    mail_dir = tmp_path / "mail"
    settings.REMINDER_LEADS_MINUTES = (1,)
    now = timezone.now()
    for seconds in (3, 5, 7):  # each reminder falls due a few seconds from now
        booking = BookingFactory(start=now + timedelta(minutes=1, seconds=seconds))
        OutboundMessage.objects.bulk_create(scheduled_messages(booking, now=now))
    reminders = set(OutboundMessage.objects.filter(kind="reminder").values_list("id", flat=True))
    assert len(reminders) == 6
    worker = start_worker(concurrency=2, extra_args=with_beat(tmp_path), extra_env=worker_env(mail_dir))

    wait_until_all_sent(len(reminders), timeout=60)
    sweep_again([worker])  # nothing may go out again

    assert_each_delivered_once(mail_dir, reminders)
    assert set(OutboundMessage.objects.exclude(kind="reminder").values_list("status", flat=True)) == {
        "pending"
    }


def test_two_workers_at_once_still_deliver_each_message_once(start_worker, tmp_path):
    mail_dir = tmp_path / "mail"
    messages = OutboundMessageFactory.create_batch(120)
    env = worker_env(mail_dir)
    workers = [
        start_worker(concurrency=2, extra_args=with_beat(tmp_path), extra_env=env),
        start_worker(concurrency=2, extra_env=env),
    ]

    for _ in range(6):  # extra sweeps racing beat's, on both workers
        send_due_messages.delay()

    wait_until_all_sent(len(messages))
    sweep_again(workers)

    assert_each_delivered_once(mail_dir, {message.pk for message in messages})
    assert set(OutboundMessage.objects.values_list("attempts", flat=True)) == {1}


def test_a_worker_killed_mid_sweep_loses_nothing_and_repeats_nothing(start_worker, tmp_path):
    mail_dir = tmp_path / "mail"
    messages = OutboundMessageFactory.create_batch(30)
    slow = worker_env(mail_dir, SIDEBAR_TEST_SEND_DELAY="0.3", OUTBOX_RECLAIM_AFTER_SECONDS="3")
    doomed = start_worker(extra_args=["--pool=solo", *with_beat(tmp_path)], extra_env=slow)
    wait_until(
        lambda: len(deliveries(mail_dir)) >= 3,
        timeout=60,
        message=lambda: f"three emails sent by the first worker:\n{doomed.log_tail(2000)}",
    )

    doomed.kill()  # SIGKILL, in the middle of sending
    sent_before = OutboundMessage.objects.filter(status="sent").count()
    assert sent_before < len(messages)
    assert OutboundMessage.objects.filter(status__in=["pending", "sending"]).exists()
    second = start_worker(
        extra_args=with_beat(tmp_path / "second"),
        extra_env=worker_env(mail_dir, OUTBOX_RECLAIM_AFTER_SECONDS="3"),
    )

    wait_until_all_sent(len(messages))
    sweep_again([second])

    assert_each_delivered_once(mail_dir, {message.pk for message in messages})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private redis-server that a test can stop and start again on the same port."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=20, interval=0.1, message=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        process = self.process
        assert process is not None, "start() runs the server before waiting for it"
        if process.poll() is not None:
            raise RuntimeError(f"redis-server on port {self.port} exited with {process.returncode}")
        try:
            return bool(redis_client.Redis.from_url(self.url).ping())
        except redis_client.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path / "redis")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker_at(monkeypatch):
    """Points this process's Celery app at another broker (and back afterwards)."""

    def drop_connection_pools() -> None:
        # Private attributes, which celery-types leaves out: the pools made for the previous broker.
        celery_app._pool = None  # type: ignore[attr-defined]
        celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]

    def point(url: str) -> None:
        monkeypatch.setattr(celery_app.conf, "broker_url", url)
        drop_connection_pools()

    yield point
    drop_connection_pools()


def test_booking_while_redis_is_down_succeeds_and_delivers_once_redis_is_back(
    start_worker, private_redis, broker_at, tmp_path
):
    mail_dir = tmp_path / "mail"
    mentee = UserFactory(timezone="Europe/London")
    mentor = MentorFactory(timezone="Europe/Berlin")
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=clock(0, 0), end=clock(23, 50))
        for weekday in range(7)
    )
    env = worker_env(mail_dir, REDIS_URL=private_redis.url)
    worker = start_worker(extra_args=with_beat(tmp_path), extra_env=env)
    broker_at(private_redis.url)
    private_redis.stop()

    booking = book_session(mentee=mentee, mentor=mentor, start=slot(days=3), minutes=30, topic="Outage")

    confirmations = set(
        OutboundMessage.objects.filter(booking=booking, kind="confirmation").values_list("id", flat=True)
    )
    assert len(confirmations) == 2
    assert OutboundMessage.objects.filter(booking=booking, kind="reminder", status="pending").count() == 4
    assert not OutboundMessage.objects.filter(status="sent").exists()

    private_redis.start()

    wait_until_all_sent(2, timeout=120)
    sweep_again([worker])
    assert_each_delivered_once(mail_dir, confirmations)
