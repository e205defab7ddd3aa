"""scripts/run.sh, what `make run` starts: the demo served as production serves it (gunicorn, static files by
whitenoise), links that follow PORT, and everything it started stopped by Ctrl-C or TERM.

Item 13 of issue 13: a worker that exits (SIGKILL here, an "Unrecoverable error" in an outage) is started
again. Item 4 of issue 14: with PORT and no SITE_URL the links carry the port; a few dozen people at once are
all let in (Django's development server queues five connections and drops the rest of the SYNs, which
browsers see as a stall of a second or more, or a reset); SIGINT to the whole group (Ctrl-C in a terminal) or
TERM (to the script, or to its group as systemd and Docker send it) leaves no process running.
"""

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from marketplace.models import User
from tests.child_processes import PROC, descendants
from tests.integration.conftest import ARTIFACTS, ROOT, database_url_for_workers
from tests.redis_server import free_port
from tests.waiting import wait_until

# What the test run's environment may carry that would change what the script reads.
RUN_ONLY = {"DATABASE_URL", "REDIS_URL", "SITE_URL", "PORT", "DJANGO_SETTINGS_MODULE", "WEB_CONCURRENCY"}
CLIENTS_AT_ONCE = 40
# A SYN that finds the listen queue full is dropped and sent again by the client after 1 s (Linux's initial
# retransmission timeout): a connect that takes this long was turned away at the door.
TURNED_AWAY_AFTER_SECONDS = 0.9
STOPPED_WITHIN_SECONDS = 10


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class RunningScript:
    process: subprocess.Popen
    port: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def get(self, path: str, *, session: str = "", timeout: float = 30) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Cookie": f"sessionid={session}"} if session else {}
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return Answer(
                response.status,
                {name.lower(): value for name, value in response.getheaders()},
                response.read().decode(errors="replace"),
            )
        finally:
            connection.close()

    def answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"run.sh exited ({self.process.returncode}):\n{self.log()}")
        try:
            return self.get("/healthz", timeout=5).status == 200
        except OSError:
            return False


def group_members(group: int) -> list[str]:
    """Live processes whose process group is `group` (what Ctrl-C in a terminal signals)."""
    members = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        state, _ppid, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == group and state != "Z":
            members.append(f"pid {entry.name}: {command.strip()}")
    return members


def script_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    base = {key: value for key, value in os.environ.items() if key not in RUN_ONLY}
    return {
        **base,
        "PORT": str(free_port()),
        "TMPDIR": str(tmp_path),
        "VENV": str(ROOT / ".venv"),
        "WEB_CONCURRENCY": "3",
        **settings,
    }


@contextmanager
def running_script(env: dict[str, str], log_name: str) -> Iterator[RunningScript]:
    """run.sh in a session of its own (its pid is its process group), answering /healthz; killed, with its
    whole group, if the test left it running."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"run-sh-{log_name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "run.sh")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    script = RunningScript(process, int(env["PORT"]), log_path)
    try:
        wait_until(
            script.answers, timeout=90, interval=0.2, message=lambda: f"run.sh to serve:\n{script.log()}"
        )
        yield script
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        if group_members(process.pid):
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A migrated SQLite database file, copied by each test that serves from one."""
    path = tmp_path_factory.mktemp("run-sh") / "template.sqlite3"
    env = {key: value for key, value in os.environ.items() if key not in RUN_ONLY}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": f"sqlite:///{path}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return path


SIGN_IN = (
    "from django.test import Client; from marketplace.models import User; "
    "user = User.objects.create_user('port@example.com', 'demo-pass-123', display_name='Pia Port'); "
    "client = Client(); client.force_login(user); print(client.cookies['sessionid'].value)"
)


def sqlite_env(tmp_path: Path, migrated_sqlite: Path) -> dict[str, str]:
    database = tmp_path / "db.sqlite3"
    shutil.copy(migrated_sqlite, database)
    return script_env(tmp_path, DATABASE_URL=f"sqlite:///{database}")


def signed_in_session(env: dict[str, str]) -> str:
    """The session key of a new person signed in, written into the database of `env`."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SIGN_IN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def stop(script: RunningScript, signum: int, *, whole_group: bool) -> float:
    """Sends `signum` (to the script's whole group, as a terminal's Ctrl-C does, or to the script alone) and
    returns how long until the script and every process of its group had ended."""
    started = descendants(script.process.pid)
    assert started, "run.sh started nothing"
    began = time.monotonic()
    if whole_group:
        os.killpg(script.process.pid, signum)
    else:
        script.process.send_signal(signum)
    status = script.process.wait(timeout=60)
    wait_until(
        lambda: not group_members(script.process.pid),
        timeout=STOPPED_WITHIN_SECONDS,
        message=lambda: f"run.sh's processes to end: {group_members(script.process.pid)}\n{script.log()}",
    )
    took = time.monotonic() - began
    assert status == 128 + signum, f"exit status {status}\n{script.log()}"
    assert [process for process in descendants().values() if process.key in started] == []
    return took


def test_links_follow_the_port_when_no_site_url_is_set(tmp_path, migrated_sqlite):
    env = sqlite_env(tmp_path, migrated_sqlite)
    session = signed_in_session(env)
    with running_script(env, "port") as script:
        page = script.get("/sessions/", session=session)
        assert page.status == 200, page.body[-2000:]
        [feed_url] = re.findall(r'id="feed-url"[^>]*value="([^"]+)"', page.body)
        assert feed_url.startswith(f"http://127.0.0.1:{script.port}/calendar/"), feed_url

        feed = script.get(feed_url.removeprefix(f"http://127.0.0.1:{script.port}"))
        assert feed.status == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        stop(script, signal.SIGTERM, whole_group=False)


def test_the_demo_is_served_by_gunicorn_with_static_files_from_whitenoise(tmp_path, migrated_sqlite):
    with running_script(sqlite_env(tmp_path, migrated_sqlite), "static") as script:
        page = script.get("/accounts/login/")
        assert page.status == 200
        assert page.headers["server"].startswith("gunicorn"), page.headers
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.body)
        assert any("/static/vendor/" in asset for asset in assets), assets
        assets.append("/static/admin/css/base.css")  # an app's own static files (django.contrib.admin)
        for asset in assets:
            answer = script.get(asset)
            assert answer.status == 200, asset
            assert answer.body, asset
        stop(script, signal.SIGTERM, whole_group=False)


def test_a_few_dozen_people_at_once_are_all_let_in_and_answered(tmp_path, migrated_sqlite):
    with running_script(sqlite_env(tmp_path, migrated_sqlite), "concurrent") as script:
        gate = threading.Barrier(CLIENTS_AT_ONCE)
        connect_seconds: list[float] = []
        outcomes: list[int | str] = []

        def visit() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", script.port, timeout=60)
            gate.wait()
            began = time.monotonic()
            try:
                connection.connect()
                connect_seconds.append(time.monotonic() - began)
                connection.request("GET", "/accounts/login/")
                response = connection.getresponse()
                response.read()
                outcomes.append(response.status)
            except OSError as error:  # a reset, a refusal
                outcomes.append(repr(error))
            finally:
                connection.close()

        visitors = [threading.Thread(target=visit) for _ in range(CLIENTS_AT_ONCE)]
        for visitor in visitors:
            visitor.start()
        for visitor in visitors:
            visitor.join(timeout=120)

        assert outcomes == [200] * CLIENTS_AT_ONCE, outcomes
        turned_away = [seconds for seconds in connect_seconds if seconds > TURNED_AWAY_AFTER_SECONDS]
        assert turned_away == [], f"{len(turned_away)} connections waited for a SYN retransmission"
        stop(script, signal.SIGTERM, whole_group=False)


@pytest.mark.parametrize(
    ("signum", "whole_group"),
    [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGTERM, True)],
    ids=["ctrl-c", "term-to-the-script", "term-to-the-group"],
)
def test_a_signal_stops_the_server_and_the_sweep_with_nothing_left(
    tmp_path, migrated_sqlite, signum, whole_group
):
    with running_script(sqlite_env(tmp_path, migrated_sqlite), f"sqlite-{signum}-{whole_group}") as script:
        wait_until(lambda: "run_sweep" in str(descendants(script.process.pid)), message="the sweep to start")
        took = stop(script, signum, whole_group=whole_group)
    assert took < STOPPED_WITHIN_SECONDS


@pytest.mark.parametrize(
    ("signum", "whole_group"),
    [(signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["ctrl-c", "term-to-the-script"],
)
def test_a_signal_stops_the_server_worker_and_beat_with_nothing_left(
    transactional_db, private_redis, tmp_path, signum, whole_group
):
    env = script_env(tmp_path, REDIS_URL=private_redis.url, DATABASE_URL=database_url_for_workers())
    user = User.objects.create_user("port@example.com", "demo-pass-123", display_name="Pia Port")
    client = Client()
    client.force_login(user)
    with running_script(env, f"redis-{signum}-{whole_group}") as script:
        wait_until(
            lambda: "ready." in script.log_path.read_text(), timeout=60, message="the worker to be ready"
        )
        wait_until(lambda: "beat: Starting" in script.log_path.read_text(), timeout=60, message="beat")
        page = script.get("/sessions/", session=client.cookies["sessionid"].value)
        assert f"http://127.0.0.1:{script.port}/calendar/" in page.body
        took = stop(script, signum, whole_group=whole_group)
    assert took < STOPPED_WITHIN_SECONDS


def celery_workers_below(pid: int) -> list[int]:
    """The main processes of `celery worker` below `pid` (not their pool children)."""
    found = {process.pid: process for process in descendants(pid).values()}
    return [
        process.pid
        for process in found.values()
        if " worker " in f" {process.command} "
        and "celery" in process.command
        and not (process.ppid in found and " worker " in f" {found[process.ppid].command} ")
    ]


def test_run_sh_starts_a_killed_worker_again_and_stops_everything_on_sigterm(
    transactional_db, private_redis, tmp_path
):
    env = script_env(tmp_path, REDIS_URL=private_redis.url, DATABASE_URL=database_url_for_workers())
    with running_script(env, "restart") as script:
        [first] = wait_until(
            lambda: celery_workers_below(script.process.pid),
            timeout=60,
            message=lambda: f"run.sh to start a worker:\n{script.log()}",
        )
        wait_until(
            lambda: "ready." in script.log_path.read_text(), timeout=60, message="the worker to be ready"
        )

        os.kill(first, signal.SIGKILL)

        wait_until(
            lambda: [pid for pid in celery_workers_below(script.process.pid) if pid != first],
            timeout=60,
            message=lambda: f"run.sh to start the worker again:\n{script.log()}",
        )
        wait_until(
            lambda: "worker exited" in script.log_path.read_text(), timeout=10, message="run.sh to say so"
        )
        stop(script, signal.SIGTERM, whole_group=False)
