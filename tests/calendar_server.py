"""A calendar server for the tests: a real HTTP(S) server on a free local port serving ICS files as Google,
Outlook and iCloud do (ETag and Last-Modified, 304 to a conditional request), and the ways servers go wrong:
redirects, a huge body, a body that trickles, 404, a page that is not a calendar.

    with calendar_server() as server:
        server.serve("/basic.ics", ics("google"))
        server.redirect("/old.ics", "/basic.ics")
        fetch_calendar(server.url("/old.ics"), allow_private=True)
"""

import contextlib
import hashlib
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LAST_MODIFIED = "Sun, 01 Mar 2026 09:00:00 GMT"


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/calendar; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    stream: int = 0  # send this many bytes in pieces, without a Content-Length
    declared_length: int | None = None  # a Content-Length to send whatever the body (a huge one)
    trickle: float = 0.0  # seconds between single bytes of the body, for ever


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class CalendarServer:
    port: int = 0
    scheme: str = "http"
    host: str = "127.0.0.1"
    routes: dict[str, Route] = field(default_factory=dict)
    # For a server standing in for a public one (tests/calendars/test_fetch.py): its public address and
    # the client context that trusts its certificate.
    public: str = ""
    trusted: ssl.SSLContext | None = None
    requests: list[Seen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str, *, scheme: str | None = None, host: str | None = None) -> str:
        return f"{scheme or self.scheme}://{host or self.host}:{self.port}{path}"

    def serve(self, path: str, body: bytes, **options) -> Route:
        """An ICS file with an ETag (its hash) and a Last-Modified, as the big providers serve them."""
        options.setdefault("etag", '"' + hashlib.sha256(body).hexdigest()[:16] + '"')
        options.setdefault("last_modified", LAST_MODIFIED)
        route = Route(body=body, **options)
        self.routes[path] = route
        return route

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.routes[path] = Route(status=status, location=location)

    def answer(self, path: str, status: int, body: bytes = b"", content_type: str = "text/html") -> None:
        self.routes[path] = Route(status=status, body=body, content_type=content_type)

    def seen(self, path: str) -> list[Seen]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def _take(self, path: str, headers: dict[str, str]) -> Route:
        with self._lock:
            self.requests.append(Seen(path, headers))
        return self.routes.get(path, Route(status=404, body=b"Not found", content_type="text/plain"))


def _handler(server: CalendarServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            route = server._take(self.path, {name.lower(): value for name, value in self.headers.items()})
            # RFC 9110: If-None-Match, when sent, decides alone.
            if self.headers.get("If-None-Match") is not None:
                unchanged = bool(route.etag) and self.headers.get("If-None-Match") == route.etag
            else:
                unchanged = bool(route.last_modified) and (
                    self.headers.get("If-Modified-Since") == route.last_modified
                )
            if route.status == 200 and unchanged:
                self.send_response(304)
                self._validators(route)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(route.status)
            if route.location:
                self.send_header("Location", route.location)
            self.send_header("Content-Type", route.content_type)
            self._validators(route)
            if route.stream or route.trickle:
                self.send_header("Connection", "close")
                self.end_headers()
                with contextlib.suppress(OSError):
                    self._stream(route)
                return
            length = route.declared_length if route.declared_length is not None else len(route.body)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(route.body)

        def _validators(self, route: Route) -> None:
            if route.status == 200 and route.etag:
                self.send_header("ETag", route.etag)
            if route.status == 200 and route.last_modified:
                self.send_header("Last-Modified", route.last_modified)

        def _stream(self, route: Route) -> None:
            if route.trickle:
                self.wfile.write(b"BEGIN:VCALENDAR\r\n")
                while True:
                    time.sleep(route.trickle)
                    self.wfile.write(b"X")
                    self.wfile.flush()
            piece = b"BEGIN:VEVENT\r\n" + b"X" * 65_000 + b"\r\n"
            sent = 0
            while sent < route.stream:
                self.wfile.write(piece)
                sent += len(piece)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextlib.contextmanager
def calendar_server(tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> Iterator[CalendarServer]:
    """A server on a free port of `host` (over TLS with `tls`, a server context) until the block ends."""
    server = CalendarServer(scheme="https" if tls else "http", host="localhost" if tls else host)
    http = ThreadingHTTPServer((host, 0), _handler(server))
    http.daemon_threads = True
    if tls is not None:
        http.socket = tls.wrap_socket(http.socket, server_side=True)
    server.port = http.server_port
    thread = threading.Thread(
        target=http.serve_forever, kwargs={"poll_interval": 0.05}, name="calendar-server", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        http.shutdown()
        http.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Certificates:
    ca: Path  # the authority's certificate, for the client to trust
    server: ssl.SSLContext  # the server's context, with a certificate for "localhost" signed by it


def make_certificates(directory: Path, name: str = "localhost") -> Certificates:
    """A throwaway certificate authority and a server certificate for `name`, made with openssl."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Sidebar test CA",
            "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", "server.key",
            "-out", "server.csr")  # fmt: skip
    (directory / "san.cnf").write_text(f"subjectAltName=DNS:{name}\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.cnf", "-out", "server.pem")  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "server.pem", directory / "server.key")
    return Certificates(ca=directory / "ca.pem", server=context)
