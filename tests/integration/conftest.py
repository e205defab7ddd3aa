"""Real services: a Celery worker process on a real Redis, writing to the same PostgreSQL test database.

`make test` starts Redis and PostgreSQL (scripts/test-services.sh) and exports REDIS_URL and DATABASE_URL.
"""

import contextlib
import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
import redis as redis_client
from django.db import connection

from config.celery import app as celery_app
from tests.redis_server import RedisServer
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@contextlib.contextmanager
def only_user_of(redis_url: str):
    """Holds an exclusive lock named after the Redis database, in every pytest process on this machine.

    The real-worker tests flush their Redis database and start workers that take any task queued there, so two
    of them at once (on two pytest-xdist workers, or in two runs with the same REDIS_URL) would steal each
    other's tasks. An xdist_group cannot keep them apart: pytest-xdist 3.8 does not group on pytest 9.2
    (pytest-dev/pytest-xdist#1386), and a group says nothing to another run.
    """
    digest = hashlib.sha256(redis_url.encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"sidebar-tests-redis-{digest}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        yield


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail(
            "REDIS_URL is not set: run the suite with `make test`, which starts Redis on a private port"
        )
    with only_user_of(url):
        client = redis_client.Redis.from_url(url)
        client.flushdb()  # no task from an earlier test (or run) may leak into this one
        yield url


def database_url_for_workers() -> str:
    """The URL of this run's test database, for the worker processes."""
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail("the integration tests need PostgreSQL: run them with `make test`")
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    return f"postgres://{user}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


class WorkerProcess:
    """`celery worker` in a process group of its own: stopping it stops everything it started too (the pool's
    children and an embedded beat, which would outlive a SIGKILLed worker and go on sweeping)."""

    def __init__(self, env: dict[str, str], name: str, log_path: Path, extra_args: list[str]) -> None:
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=info",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                *extra_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_tail(self, size: int = 3000) -> str:
        return self.log_path.read_text()[-size:]

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited early:\n{self.log_tail()}")
            return "ready." in self.log_path.read_text()

        wait_until(
            ready,
            timeout=timeout,
            interval=0.1,
            message=lambda: f"worker {self.name} to be ready:\n{self.log_tail()}",
        )

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # the whole group has ended
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL, all at once, as when the machine dies under it."""
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM) given 30 s, then SIGKILL; whatever is left in its group is killed too."""
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self._signal_group(signal.SIGKILL)
                    self.process.wait(timeout=30)
            self._signal_group(signal.SIGKILL)
        finally:
            self._log.close()


def stop_all(stops: list[Callable[[], None]]) -> None:
    """Calls every stop, even after one raised (the first error is raised at the end)."""
    errors = []
    for stop in stops:
        try:
            stop()
        except Exception as error:  # the others must still be stopped
            errors.append(error)
    if errors:
        raise errors[0]


@pytest.fixture
def start_worker(transactional_db, redis_url):
    """Starts real Celery worker processes against this test's database; stops them afterwards."""
    ARTIFACTS.mkdir(exist_ok=True)
    workers: list[WorkerProcess] = []
    env = {**os.environ, "DATABASE_URL": database_url_for_workers(), "REDIS_URL": redis_url, "DEBUG": "1"}
    previous_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False

    def start(
        concurrency: int = 1, extra_args: list[str] | None = None, extra_env: dict[str, str] | None = None
    ) -> WorkerProcess:
        """`extra_env` adds settings for this worker (e.g. EMAIL_BACKEND, REMINDER_LEADS_MINUTES)."""
        name = f"test-{uuid.uuid4().hex[:8]}"
        worker = WorkerProcess(
            {**env, **(extra_env or {})},
            name,
            ARTIFACTS / f"worker-{name}.log",
            [f"--concurrency={concurrency}", *(extra_args or [])],
        )
        workers.append(worker)
        worker.wait_ready()
        return worker

    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = previous_eager
        stop_all([worker.stop for worker in workers])


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own (tests/redis_server.py), to stop or freeze."""
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


from tests.deploy.conftest import start_gunicorn  # noqa: E402, F401  (gunicorn for the fault suite)
