"""Sidebar as deployed: settings with DEBUG off, `manage.py` commands and gunicorn in processes of their own.

`production_env()` is the environment of a production start (DEBUG off, a long random SECRET_KEY,
ALLOWED_HOSTS); `start_gunicorn(env)` serves it on a free port and stops it after the test; `collected` adds
static files built by scripts/copy-assets.mjs and collected by `collectstatic`, as a deployment has them.
"""

import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import pytest
from django.db import connection

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# Variables of the test run that a production start must not inherit.
RUN_ONLY = {
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "PORT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # tests/e2e/conftest.py sets it for Playwright's thread
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(tmp_path: Path) -> str:
    """The test database (pytest-django's) as a DATABASE_URL for a process of its own; with SQLite (whose test
    database lives in this process's memory), an empty file in `tmp_path`."""
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    return f"postgres://{user}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def production_env(**overrides: str) -> dict[str, str]:
    """DEBUG off, a fresh 50+ character SECRET_KEY, ALLOWED_HOSTS 127.0.0.1, plus `overrides`."""
    base = {key: value for key, value in os.environ.items() if key not in RUN_ONLY}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1:8000",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def manage(*arguments: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes
    cookies: list[str]  # each Set-Cookie header

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path
    _log: IO[str] = field(repr=False)

    def get(self, path: str, *, headers: dict[str, str] | None = None, timeout: float = 10) -> Response:
        """One GET, redirects not followed, any status returned (never raised)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
            answer = conn.getresponse()
            return Response(
                answer.status,
                {name.lower(): value for name, value in answer.getheaders()},
                answer.read(),
                answer.msg.get_all("Set-Cookie") or [],
            )
        finally:
            conn.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture
def start_gunicorn(request) -> Iterator[Callable[..., Server]]:
    """`start_gunicorn(env)`: gunicorn (one sync worker, or what `arguments` say) on a free port, answering
    once it returns."""
    servers: list[Server] = []

    def start(
        env: dict[str, str],
        *,
        ready_path: str = "/accounts/login/",
        arguments: tuple[str, ...] = ("config.wsgi", "--workers", "1"),
    ) -> Server:
        port = free_port()
        ARTIFACTS.mkdir(exist_ok=True)
        log_path = ARTIFACTS / f"gunicorn-{request.node.name[:80]}.log"
        log = log_path.open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *arguments,
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Server(port=port, process=process, log_path=log_path, _log=log)
        servers.append(server)

        def answers() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited ({process.returncode}):\n{server.log()}")
            try:
                server.get(ready_path, timeout=5)
            except OSError:
                return False
            return True

        wait_until(answers, message=lambda: f"gunicorn to answer on port {port}:\n{server.log()}", timeout=60)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def static_env(tmp_path_factory) -> dict[str, str]:
    """Static files built by scripts/copy-assets.mjs into a temporary tree (never static/vendor)."""
    tmp = tmp_path_factory.mktemp("deploy-static")
    source = tmp / "static"
    shutil.copytree(ROOT / "static", source, ignore=shutil.ignore_patterns("vendor"))
    built = subprocess.run(
        ["node", "scripts/copy-assets.mjs", str(source / "vendor")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return {
        "DJANGO_SETTINGS_MODULE": "tests.deploy.static_settings",
        "SIDEBAR_TEST_STATIC_DIR": str(source),
        "SIDEBAR_TEST_STATIC_ROOT": str(tmp / "staticfiles"),
    }


@pytest.fixture(scope="session")
def collected(static_env) -> dict[str, str]:
    """Environment of a production start whose static files were built and collected just now."""
    result = manage("collectstatic", "--no-input", env=production_env(**static_env))
    assert result.returncode == 0, result.stderr[-3000:]
    return static_env
