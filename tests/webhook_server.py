"""A chat webhook (Slack, Teams) for the tests: a real HTTP server on a free local port that keeps what is
posted to it and answers as told, then as a working webhook does."""

import contextlib
import json
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Post:
    path: str
    content_type: str
    body: dict
    answered: int  # the status it was answered with


class WebhookServer:
    def __init__(self, answers: Iterable[tuple[int, bytes]], then: tuple[int, bytes]) -> None:
        self.posts: list[Post] = []
        self._answers = deque(answers)
        self._then = then
        self._lock = threading.Lock()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    @property
    def delivered(self) -> list[dict]:
        """The bodies it took (answered 2xx)."""
        return [post.body for post in self.posts if 200 <= post.answered < 300]

    def _take(self, path: str, content_type: str, raw: bytes) -> tuple[int, bytes]:
        with self._lock:
            status, body = self._answers.popleft() if self._answers else self._then
            self.posts.append(Post(path, content_type, json.loads(raw), status))
        return status, body


@contextlib.contextmanager
def webhook_server(
    answers: Iterable[tuple[int, bytes]] = (), then: tuple[int, bytes] = (200, b"1")
) -> Iterator[WebhookServer]:
    """Answers each POST with the next of `answers`, then always with `then` (Teams connectors answer "1")."""
    server = WebhookServer(answers, then)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            status, body = server._take(self.path, self.headers.get("Content-Type", ""), raw)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    http.daemon_threads = True
    server.port = http.server_port
    thread = threading.Thread(target=http.serve_forever, name="webhook-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        http.shutdown()
        http.server_close()
        thread.join(timeout=5)
