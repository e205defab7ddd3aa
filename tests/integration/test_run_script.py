"""Item 13 of issue 13: scripts/run.sh supervises what it starts. A worker that exits (SIGKILL here, an
"Unrecoverable error" in an outage) is started again; SIGTERM to the script stops everything it started."""

import os
import signal
import subprocess

from tests.child_processes import descendants
from tests.integration.conftest import ARTIFACTS, ROOT, database_url_for_workers
from tests.redis_server import free_port
from tests.waiting import wait_until


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
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "run-sh.log"
    env = {
        **os.environ,
        "REDIS_URL": private_redis.url,
        "DATABASE_URL": database_url_for_workers(),
        "PORT": str(free_port()),
        "TMPDIR": str(tmp_path),
        "VENV": str(ROOT / ".venv"),
    }
    with log_path.open("w") as log:
        script = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "run.sh")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        [first] = wait_until(
            lambda: celery_workers_below(script.pid),
            timeout=60,
            message=lambda: f"run.sh to start a worker:\n{log_path.read_text()[-2000:]}",
        )
        wait_until(lambda: "ready." in log_path.read_text(), timeout=60, message="the worker to be ready")

        os.kill(first, signal.SIGKILL)

        wait_until(
            lambda: [pid for pid in celery_workers_below(script.pid) if pid != first],
            timeout=60,
            message=lambda: f"run.sh to start the worker again:\n{log_path.read_text()[-2000:]}",
        )
        wait_until(lambda: "worker exited" in log_path.read_text(), timeout=10, message="run.sh to say so")
        started = descendants(script.pid)
        assert started

        script.send_signal(signal.SIGTERM)
        assert script.wait(timeout=60) != 0
        assert [process for process in descendants().values() if process.key in started] == []
    finally:
        if script.poll() is None:
            script.kill()
            script.wait(timeout=30)
