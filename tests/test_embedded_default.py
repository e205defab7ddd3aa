"""The embedded default: no DATABASE_URL, no REDIS_URL. migrate, seed_demo and the server work on SQLite."""

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_migrate_seed_and_serve_on_sqlite_with_no_services(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'sidebar.sqlite3'}"
    manage = [sys.executable, "manage.py"]

    def run(*args: str) -> str:
        result = subprocess.run(
            [*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    run("migrate", "--no-input")
    assert "Demo organisation ready" in run("seed_demo", "--mentors", "5", "--employees", "10")
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def home_page() -> str | None:
            if server.poll() is not None:
                raise RuntimeError(f"runserver exited with {server.returncode}")
            try:
                return urllib.request.urlopen(f"{base}/", timeout=5).read().decode()
            except OSError:
                return None

        home = wait_until(home_page, timeout=30, interval=0.1, message=f"runserver to answer on {base}")
        assert "Short, targeted help from colleagues" in home
        assert "Log in" in urllib.request.urlopen(f"{base}/accounts/login/", timeout=5).read().decode()
        request = urllib.request.Request(
            f"{base}/api/v1/auth/token/",
            data=json.dumps({"email": "hr@example.com", "password": "demo-pass-123"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert json.loads(urllib.request.urlopen(request, timeout=10).read())["token"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
