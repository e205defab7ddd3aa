"""config/gunicorn.conf.py: the production worker settings (docs/benchmarks.md, "Gunicorn workers"), resolved
by gunicorn itself (`--print-config`) with and without environment overrides, the Dockerfile and compose
starting gunicorn with it and nothing else, and a gunicorn started with it serving pages from sync workers."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.deploy.conftest import ROOT, database_url, production_env
from tests.waiting import wait_until

CONFIG = "config/gunicorn.conf.py"
CORES = len(os.sched_getaffinity(0))
OVERRIDES = {
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_BIND",
    "GUNICORN_CMD_ARGS",
    "PORT",
}


def resolve(**env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in OVERRIDES}
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "-c", CONFIG],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def resolved(**env: str) -> dict[str, str]:
    result = resolve(**env)
    assert result.returncode == 0, result.stderr[-3000:]
    return {
        match.group(1): match.group(2).strip()
        for match in re.finditer(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE)
    }


def test_the_config_resolves_to_sync_workers_two_per_core_and_one_preloaded():
    settings = resolved()
    assert settings["wsgi_app"] == "config.wsgi:application"
    assert settings["bind"] == "['0.0.0.0:8000']"
    assert settings["worker_class"] == "sync"
    assert settings["workers"] == str(2 * CORES + 1)
    assert settings["threads"] == "1"
    assert settings["timeout"] == "30"
    assert settings["graceful_timeout"] == "8"  # under Docker's 10 s between SIGTERM and SIGKILL
    assert settings["keepalive"] == "5"
    assert (settings["max_requests"], settings["max_requests_jitter"]) == ("1000", "100")
    assert settings["preload_app"] == "True"
    assert settings["worker_tmp_dir"] == "/dev/shm"
    assert settings["accesslog"] == "-"
    assert settings["pre_fork"] == "<pre_fork()>"  # gc.freeze() before each fork


def test_the_environment_overrides_workers_threads_timeouts_recycling_and_bind():
    settings = resolved(
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="4",
        GUNICORN_TIMEOUT="60",
        GUNICORN_GRACEFUL_TIMEOUT="20",
        GUNICORN_MAX_REQUESTS="0",
        GUNICORN_BIND="127.0.0.1:9000",
    )
    assert (settings["workers"], settings["threads"], settings["worker_class"]) == ("3", "4", "gthread")
    assert (settings["timeout"], settings["graceful_timeout"]) == ("60", "20")
    assert (settings["max_requests"], settings["max_requests_jitter"]) == ("0", "0")  # never recycled
    assert settings["bind"] == "['127.0.0.1:9000']"


def test_the_port_moves_the_default_bind_and_an_explicit_bind_wins():
    assert resolved(PORT="8202")["bind"] == "['0.0.0.0:8202']"
    assert resolved(PORT="8202", GUNICORN_BIND="127.0.0.1:9000")["bind"] == "['127.0.0.1:9000']"


def test_a_malformed_override_stops_gunicorn_naming_the_variable():
    for name, raw in (
        ("GUNICORN_THREADS", "many"),
        ("GUNICORN_TIMEOUT", "0"),
        ("WEB_CONCURRENCY", "0"),
        ("PORT", "http"),
    ):
        result = resolve(**{name: raw})
        assert result.returncode != 0, (name, raw)
        assert name in result.stderr, result.stderr[-2000:]


def test_the_image_and_compose_start_gunicorn_with_the_config_file_and_no_flags_of_their_own():
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (.*)$", dockerfile, re.MULTILINE)
    assert cmd is not None
    assert cmd.group(1) == '["gunicorn", "-c", "config/gunicorn.conf.py"]'
    compose = (ROOT / "docker-compose.yml").read_text()
    starts = re.findall(r"[\w ]*gunicorn [^\"\n]*", compose.split("services:", 1)[1])
    # exec: gunicorn, not the shell, gets Docker's SIGTERM and shuts down gracefully.
    assert [start.strip() for start in starts] == ["exec gunicorn -c config/gunicorn.conf.py"]


def worker_pids(master: int) -> set[int]:
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == master:
                children.add(int(entry.name))
    return children


def test_gunicorn_started_with_the_config_serves_pages_from_preloaded_sync_workers(
    collected, start_gunicorn, tmp_path
):
    server = start_gunicorn(
        production_env(**collected, DATABASE_URL=database_url(tmp_path), WEB_CONCURRENCY="2"),
        arguments=("-c", CONFIG),
    )
    wait_until(lambda: len(worker_pids(server.process.pid)) == 2, message="two workers", timeout=30)
    for _ in range(4):
        answer = server.get("/accounts/login/")
        assert answer.status == 200, (answer.status, server.log())
    assert "Using worker: sync" in server.log()
    wait_until(lambda: '"GET /accounts/login/ HTTP/1.1" 200' in server.log(), message="the access log")
    # Preloaded: the master itself loaded Django and its database driver, which workers inherit.
    assert "psycopg2" in Path(f"/proc/{server.process.pid}/maps").read_text()
