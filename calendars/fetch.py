"""Fetching a person's calendar address: bounded in time, size and redirects, and never onto our own network.

- Addresses are ``https://`` (``webcal://`` is the same address read over https); plain ``http://`` only with
  ``allow_private`` (CALENDAR_FETCH_ALLOW_PRIVATE: a test server, a calendar on the company's own network).
- The SSRF guard: every hop's host is resolved here, and an address that is private, loopback, link-local,
  multicast, reserved, unspecified or not globally routable (an IPv4 address inside IPv6 too: mapped, 6to4,
  Teredo, NAT64) is refused unless ``allow_private``; if any address of the host is refused, the host is.
- The connection is pinned: it goes to the address that was checked (TLS still verifies the certificate
  against the host's name), so a DNS answer that changes between the check and the connection (DNS
  rebinding) cannot move it. Redirects are followed by hand, at most ``max_redirects``, each hop checked
  and pinned anew. Proxies from the environment are not used (they would resolve the name themselves).
- Conditional requests (If-None-Match, If-Modified-Since): 304 means the file did not change.
- A connect timeout, a timeout on every read, and a deadline for the whole fetch checked between reads and
  hops; the body is read in pieces and abandoned past ``max_bytes`` (also when Content-Length says so
  first). No compression is asked for, so the size read is the size stored.

A server that sends its headers a byte at a time is bounded by the read timeout per byte, not by the
deadline: the sync task's own time limit (calendars/tasks.py) ends such a fetch.

The address is a secret: nothing here logs it or puts it in an error.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from calendars.errors import SyncFailed

REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "Sidebar-calendar-sync/1 (busy times for mentoring slots)"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_PIECE = 64 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 20.0  # seconds for the whole fetch, every hop included


@dataclass(frozen=True)
class Fetched:
    """What the address answered: the file, or None when it has not changed since the validators sent."""

    body: bytes | None
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class Target:
    scheme: str  # "https" or "http"
    host: str  # ASCII (IDNA) host name or IP literal, without brackets
    port: int
    path: str  # path and query, percent-encoded


@dataclass
class _Clock:
    deadline: float
    started: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        remaining = self.deadline - (time.monotonic() - self.started)
        if remaining <= 0:
            raise SyncFailed("timeout")
        return remaining


def target(url: str, *, allow_private: bool) -> Target:
    """The address as this module fetches it; SyncFailed ("bad_address", "bad_scheme", "credentials",
    "private_address")
    for one it never fetches. An IP literal is checked here already; a name, when it is resolved."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise SyncFailed("bad_address") from error
    scheme = parts.scheme.lower()
    if scheme == "webcal":
        scheme = "https"
    if scheme not in ("https", "http") or (scheme == "http" and not allow_private):
        raise SyncFailed("bad_scheme")
    if parts.username is not None or parts.password is not None:
        raise SyncFailed("credentials")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise SyncFailed("bad_address")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise SyncFailed("bad_address") from error
    literal = _ip_literal(host)
    if literal is not None and not allow_private and not is_public(literal):
        raise SyncFailed("private_address")
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet: not private, loopback, link-local, multicast,
    reserved, unspecified or otherwise not globally routable, nor an IPv6 form of such an IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = (
            address.ipv4_mapped
            or address.sixtofour
            or (address.teredo[1] if address.teredo else None)
            or (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None)
        )
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def fetch_calendar(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    allow_private: bool = False,
    limits: Limits = Limits(),  # frozen: one shared default is safe
    tls: ssl.SSLContext | None = None,
) -> Fetched:
    """GETs the calendar at `url` (following redirects) with the validators of the last read; SyncFailed
    with a code calendars.errors words for everything that is not a file or a 304."""
    clock = _Clock(limits.deadline)
    context = tls or ssl.create_default_context()
    current = url
    for _hop in range(limits.max_redirects + 1):
        hop = target(current, allow_private=allow_private)
        addresses = _resolve(hop, allow_private=allow_private)
        status, headers, connection, response = _request(
            hop, addresses, etag, last_modified, limits, clock, context
        )
        try:
            if status in REDIRECTS:
                location = headers.get("location")
                if not location:
                    raise SyncFailed("bad_response")
                current = _next_hop(current, location, allow_private=allow_private)
                continue
            if status == 304:
                return Fetched(None, headers.get("etag", etag), headers.get("last-modified", last_modified))
            if status != 200:
                raise SyncFailed("http_status", str(status))
            body = _read_body(response, headers, limits, clock)
            return Fetched(body, headers.get("etag", ""), headers.get("last-modified", ""))
        finally:
            connection.close()
    raise SyncFailed("too_many_redirects")


def _next_hop(current: str, location: str, *, allow_private: bool) -> str:
    base = "https" + current[len("webcal") :] if current.lower().startswith("webcal:") else current
    following = urljoin(base, location)
    try:
        target(following, allow_private=allow_private)
    except SyncFailed as error:
        if error.code == "bad_scheme":
            raise SyncFailed("bad_redirect") from error
        raise
    return following


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _resolve(hop: Target, *, allow_private: bool) -> list[tuple[int, tuple]]:
    """Every address of the host, each checked: one refused address refuses the host."""
    try:
        found = socket.getaddrinfo(hop.host, hop.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise SyncFailed("unknown_host") from error
    addresses: list[tuple[int, tuple]] = []
    for family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if not allow_private and not is_public(address):
            raise SyncFailed("private_address")
        addresses.append((family, sockaddr))
    if not addresses:
        raise SyncFailed("unknown_host")
    return addresses


def _connect(addresses: list[tuple[int, tuple]], timeout: float) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers."""
    timed_out = False
    for _family, sockaddr in addresses:
        try:
            # An IP address, so no name is looked up again here.
            return socket.create_connection((sockaddr[0], sockaddr[1]), timeout=timeout)
        except TimeoutError:
            timed_out = True
        except OSError:
            pass
    raise SyncFailed("timeout" if timed_out else "unreachable")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """http.client's connection, to an address already checked (the Host header keeps the name)."""

    def __init__(self, hop: Target, addresses: list, connect_timeout: float, read_timeout: float) -> None:
        super().__init__(hop.host, hop.port, timeout=connect_timeout)
        self._addresses = addresses
        self._read_timeout = read_timeout

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.timeout)  # type: ignore[arg-type]
        self.sock.settimeout(self._read_timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self,
        hop: Target,
        addresses: list,
        connect_timeout: float,
        read_timeout: float,
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(hop.host, hop.port, timeout=connect_timeout, context=context)
        self._addresses = addresses
        self._read_timeout = read_timeout
        self._tls = context

    def connect(self) -> None:
        sock = _connect(self._addresses, self.timeout)  # type: ignore[arg-type]
        try:
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except ssl.SSLCertVerificationError as error:
            sock.close()
            raise SyncFailed("tls") from error
        except TimeoutError as error:
            sock.close()
            raise SyncFailed("timeout") from error
        except (ssl.SSLError, OSError) as error:
            sock.close()
            raise SyncFailed("tls") from error
        self.sock.settimeout(self._read_timeout)


def _request(
    hop: Target,
    addresses: list,
    etag: str,
    last_modified: str,
    limits: Limits,
    clock: _Clock,
    context: ssl.SSLContext,
) -> tuple[int, dict[str, str], http.client.HTTPConnection, http.client.HTTPResponse]:
    connect_timeout = min(limits.connect_timeout, clock.left())
    read_timeout = min(limits.read_timeout, clock.left())
    connection: http.client.HTTPConnection
    if hop.scheme == "https":
        connection = _PinnedHTTPSConnection(hop, addresses, connect_timeout, read_timeout, context)
    else:
        connection = _PinnedHTTPConnection(hop, addresses, connect_timeout, read_timeout)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/calendar, text/plain;q=0.5, */*;q=0.1",
        "Accept-Encoding": "identity",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        connection.request("GET", hop.path, headers=headers)
        response = connection.getresponse()
    except SyncFailed:
        connection.close()
        raise
    except TimeoutError as error:
        connection.close()
        raise SyncFailed("timeout") from error
    except http.client.HTTPException as error:
        connection.close()
        raise SyncFailed("bad_response") from error
    except (OSError, ValueError) as error:
        connection.close()
        raise SyncFailed("unreachable") from error
    headers_read = {name.lower(): value for name, value in response.getheaders()}
    return response.status, headers_read, connection, response


def _read_body(
    response: http.client.HTTPResponse, headers: dict[str, str], limits: Limits, clock: _Clock
) -> bytes:
    megabytes = str(limits.max_bytes // (1024 * 1024))
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise SyncFailed("too_large", megabytes)
    pieces: list[bytes] = []
    size = 0
    try:
        while True:
            clock.left()
            piece = response.read1(_PIECE)
            if not piece:
                break
            size += len(piece)
            if size > limits.max_bytes:
                raise SyncFailed("too_large", megabytes)
            pieces.append(piece)
    except TimeoutError as error:
        raise SyncFailed("timeout") from error
    except (http.client.HTTPException, OSError) as error:
        raise SyncFailed("bad_response") from error
    return b"".join(pieces)
