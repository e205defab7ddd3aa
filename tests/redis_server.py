"""A private redis-server for fault tests: stopped and started again on the same port, or frozen (SIGSTOP:
the kernel still accepts connections, nothing answers) and thawed. Never the shared Redis of the suite."""

import contextlib
import os
import signal
import socket
import subprocess
from pathlib import Path

import redis as redis_client

from tests.waiting import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.frozen = False
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis_client.Redis:
        return redis_client.Redis.from_url(self.url, socket_timeout=5)

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
            return bool(redis_client.Redis.from_url(self.url, socket_timeout=2).ping())
        except (redis_client.ConnectionError, redis_client.TimeoutError):
            return False

    def freeze(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        if self.process is not None and self.frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGCONT)
        self.frozen = False

    def stop(self) -> None:
        self.thaw()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
