"""A private PostgreSQL 15 cluster for fault tests: stopped and started again on the same port, under load.
Never the shared cluster of the suite (scripts/test-services.sh, port 54329).

Its data directory is a temporary directory of its own (not pytest's tmp_path, which the postgres user cannot
enter), owned by the postgres user when this runs as root (initdb and postgres refuse to run as root); trust
authentication on 127.0.0.1 only, and the same throwaway durability settings as the shared cluster.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg2

from tests.redis_server import free_port
from tests.waiting import wait_until

BIN = Path(os.environ.get("SIDEBAR_PG_BIN", "/usr/lib/postgresql/15/bin"))
SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{directory}'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
"""


class PostgresServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="sidebar-pg-"))
        self.data = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str, timeout: float = 120) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        result = subprocess.run(
            [*prefix, *command],
            cwd="/",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{command[0]} failed ({result.returncode}):\n{result.stderr}\n{self.log_tail()}"
            )
        return result

    def log_tail(self, size: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-size:]
        except OSError:
            return ""

    def init(self) -> None:
        self._run(
            str(BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS.format(port=self.port, directory=self.root))

    def start(self) -> None:
        # -w: returns once the server accepts connections.
        self._run(
            str(BIN / "pg_ctl"), "start", "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", "60"
        )
        wait_until(self._answers, timeout=30, interval=0.1, message=f"PostgreSQL on port {self.port}")

    def stop(self, mode: str = "fast") -> None:
        """`fast`: every session is terminated (rolled back) and the server shuts down cleanly."""
        self._run(str(BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")

    def restart(self) -> None:
        self._run(
            str(BIN / "pg_ctl"), "restart", "-D", str(self.data), "-l", str(self.log_path), "-m", "fast", "-w"
        )

    def _answers(self) -> bool:
        try:
            psycopg2.connect(self.url(), connect_timeout=2).close()
        except psycopg2.OperationalError:
            return False
        return True

    def create_database(self, name: str) -> str:
        connection = psycopg2.connect(self.url(), connect_timeout=5)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)

    def destroy(self) -> None:
        """Stops the server (if running) and deletes its files."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
