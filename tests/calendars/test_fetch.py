"""calendars.fetch against real servers on this machine: conditional requests, redirects, sizes, timeouts,
TLS, and the SSRF guard (CALENDAR_FETCH_ALLOW_PRIVATE off unless a test needs the local server).

The outside world is faked only where there is none: public DNS names and a public address are routed to
the local server by `internet` (socket.getaddrinfo and socket.create_connection), so that a hop from the
public internet can be sent to a private address.
"""

import socket
import ssl

import pytest

from calendars.errors import SyncFailed
from calendars.fetch import Limits, fetch_calendar, is_public, target
from tests.calendar_server import LAST_MODIFIED, calendar_server, make_certificates
from tests.calendars.ics_files import ics
from tests.hung_server import hung_server

GOOGLE = ics("google")
QUICK = Limits(connect_timeout=1, read_timeout=0.5, deadline=3)


def refused(url: str, **options) -> SyncFailed:
    with pytest.raises(SyncFailed) as failure:
        fetch_calendar(url, **options)
    return failure.value


@pytest.fixture
def internet(monkeypatch):
    """Public names and addresses, routed to local servers: `internet.name("calendar.example.com",
    "93.184.216.34")`, `internet.route("93.184.216.34", port)`. Lookups are counted per name."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.create_connection

    class Internet:
        names: dict[str, list[list[str]]] = {}
        lookups: dict[str, int] = {}
        routes: dict[str, int] = {}
        connected: list[str] = []

        def name(self, host: str, *answers: str | list[str]) -> None:
            """Each lookup of `host` gets the next answer (the last one for ever after)."""
            self.names[host] = [[answer] if isinstance(answer, str) else answer for answer in answers]

        def route(self, address: str, port: int) -> None:
            self.routes[address] = port

    internet = Internet()

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in internet.names:
            return real_getaddrinfo(host, port, *args, **kwargs)
        count = internet.lookups[host] = internet.lookups.get(host, 0) + 1
        answers = internet.names[host]
        found = answers[min(count, len(answers)) - 1]
        return [(_family(address), socket.SOCK_STREAM, 6, "", (address, port)) for address in found]

    def create_connection(address, *args, **kwargs):
        host = address[0]
        internet.connected.append(host)
        if host in internet.routes:
            return real_connect(("127.0.0.1", internet.routes[host]), *args, **kwargs)
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return internet


def _family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


# --- Reading a calendar ---


def test_a_calendar_is_read_with_its_validators(server):
    route = server.serve("/basic.ics", GOOGLE)

    fetched = fetch_calendar(server.url("/basic.ics"), allow_private=True)

    assert fetched.body == GOOGLE
    assert (fetched.etag, fetched.last_modified) == (route.etag, LAST_MODIFIED)
    headers = server.seen("/basic.ics")[0].headers
    assert headers["accept-encoding"] == "identity"
    assert "if-none-match" not in headers


def test_an_unchanged_calendar_answers_304_to_its_etag_and_nothing_is_read(server):
    route = server.serve("/basic.ics", GOOGLE)

    fetched = fetch_calendar(server.url("/basic.ics"), etag=route.etag or "", allow_private=True)

    assert fetched.body is None
    assert fetched.etag == route.etag
    assert server.seen("/basic.ics")[0].headers["if-none-match"] == route.etag


def test_an_unchanged_calendar_answers_304_to_its_last_modified(server):
    server.serve("/basic.ics", GOOGLE, etag=None)

    fetched = fetch_calendar(server.url("/basic.ics"), last_modified=LAST_MODIFIED, allow_private=True)

    assert fetched.body is None
    assert fetched.last_modified == LAST_MODIFIED


def test_a_changed_calendar_is_read_again_whatever_validators_are_sent(server):
    server.serve("/basic.ics", GOOGLE)

    fetched = fetch_calendar(server.url("/basic.ics"), etag='"an-older-version"', allow_private=True)

    assert fetched.body == GOOGLE


def test_redirects_are_followed_each_hop_checked_relative_ones_too(server):
    server.serve("/calendar.ics", GOOGLE)
    server.redirect("/a", "/b", status=301)
    server.redirect("/b", server.url("/c"), status=307)
    server.redirect("/c", "calendar.ics", status=308)

    assert fetch_calendar(server.url("/a"), allow_private=True).body == GOOGLE
    assert [len(server.seen(path)) for path in ("/a", "/b", "/c", "/calendar.ics")] == [1, 1, 1, 1]


def test_more_than_five_redirects_are_refused(server):
    server.serve("/calendar.ics", GOOGLE)
    for hop in range(6):
        server.redirect(f"/{hop}", f"/{hop + 1}" if hop < 5 else "/calendar.ics")
    server.redirect("/loop", "/loop")

    assert fetch_calendar(server.url("/1"), allow_private=True).body == GOOGLE  # five hops
    assert refused(server.url("/0"), allow_private=True).code == "too_many_redirects"  # six
    assert refused(server.url("/loop"), allow_private=True).code == "too_many_redirects"
    assert len(server.seen("/loop")) == 6


@pytest.mark.parametrize("location", ["ftp://files.example.com/calendar.ics", "file:///etc/passwd"])
def test_a_redirect_to_another_kind_of_address_is_refused(server, location):
    server.redirect("/moved", location)

    assert refused(server.url("/moved"), allow_private=True).code == "bad_redirect"


@pytest.mark.parametrize(("status", "words"), [(404, "404"), (410, "410"), (500, "500"), (403, "403")])
def test_an_error_status_is_refused_naming_it(server, status, words):
    server.answer("/gone.ics", status)

    failure = refused(server.url("/gone.ics"), allow_private=True)

    assert (failure.code, failure.detail) == ("http_status", words)


def test_a_redirect_without_a_location_is_a_bad_answer(server):
    server.answer("/odd", 302)

    assert refused(server.url("/odd"), allow_private=True).code == "bad_response"


def test_a_body_over_the_limit_is_abandoned_as_it_streams(server):
    server.routes["/huge.ics"] = server.serve("/huge.ics", b"", stream=6 * 1024 * 1024)

    failure = refused(server.url("/huge.ics"), allow_private=True)

    assert (failure.code, failure.detail) == ("too_large", "5")


def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(server):
    server.serve("/huge.ics", b"BEGIN:VCALENDAR\r\n", declared_length=50 * 1024 * 1024)

    assert refused(server.url("/huge.ics"), allow_private=True).code == "too_large"


def test_a_body_at_the_limit_is_read(server):
    server.serve("/full.ics", b"", stream=130_000)

    fetched = fetch_calendar(server.url("/full.ics"), allow_private=True, limits=Limits(max_bytes=130_032))

    assert len(fetched.body or b"") == 130_032  # two pieces of 65,016 bytes


def test_a_server_that_never_answers_is_given_up_after_the_read_timeout():
    with hung_server() as hung:
        failure = refused(f"http://127.0.0.1:{hung.port}/basic.ics", allow_private=True, limits=QUICK)

    assert failure.code == "timeout"
    assert hung.accepted == 1


def test_a_body_that_trickles_is_given_up_at_the_deadline(server):
    server.serve("/slow.ics", b"", trickle=0.1)

    failure = refused(
        server.url("/slow.ics"), allow_private=True, limits=Limits(read_timeout=1, deadline=1.5)
    )

    assert failure.code == "timeout"


def test_a_closed_port_is_unreachable():
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    # Nothing listens there now.
    assert refused(f"http://127.0.0.1:{port}/basic.ics", allow_private=True).code == "unreachable"


def test_a_host_nobody_knows_is_named_so():
    assert refused("https://calendar.invalid/basic.ics").code == "unknown_host"


# --- TLS ---


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


def test_an_https_address_is_read_with_its_certificate_checked_against_its_name(certificates):
    trusted = ssl.create_default_context(cafile=str(certificates.ca))
    with calendar_server(tls=certificates.server) as server:
        server.serve("/basic.ics", GOOGLE)

        https = fetch_calendar(server.url("/basic.ics"), allow_private=True, tls=trusted)
        webcal = fetch_calendar(server.url("/basic.ics", scheme="webcal"), allow_private=True, tls=trusted)

    assert https.body == webcal.body == GOOGLE
    assert [request.headers["host"] for request in server.requests] == [f"localhost:{server.port}"] * 2


def test_a_certificate_nobody_vouches_for_is_refused(certificates):
    with calendar_server(tls=certificates.server) as server:
        server.serve("/basic.ics", GOOGLE)

        failure = refused(server.url("/basic.ics"), allow_private=True)

    assert failure.code == "tls"
    assert server.requests == []


def test_a_certificate_for_another_name_is_refused(certificates):
    trusted = ssl.create_default_context(cafile=str(certificates.ca))
    with calendar_server(tls=certificates.server) as server:
        server.serve("/basic.ics", GOOGLE)

        failure = refused(server.url("/basic.ics", host="127.0.0.1"), allow_private=True, tls=trusted)

    assert failure.code == "tls"


# --- The SSRF guard (CALENDAR_FETCH_ALLOW_PRIVATE off) ---


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.20",
        "169.254.169.254",  # the cloud's metadata service
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "[::1]",
        "[::]",
        "[fe80::1]",
        "[fc00::1]",
        "[::ffff:127.0.0.1]",  # IPv4-mapped
        "[::ffff:169.254.169.254]",
        "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
        "[64:ff9b::a01:203]",  # NAT64 of 10.1.2.3
        "[ff02::1]",
    ],
)
def test_a_private_address_is_refused_before_anything_is_sent(server, host):
    assert refused(f"https://{host}:{server.port}/basic.ics").code == "private_address"
    assert server.requests == []


def test_the_local_server_itself_is_refused_without_the_setting(server):
    server.serve("/basic.ics", GOOGLE)

    assert refused(server.url("/basic.ics", scheme="https")).code == "private_address"
    assert refused(server.url("/basic.ics", scheme="webcal")).code == "private_address"
    assert server.requests == []


def test_plain_http_is_refused_without_the_setting(server):
    assert refused(server.url("/basic.ics")).code == "bad_scheme"


def test_a_name_that_resolves_to_loopback_is_refused():
    assert refused("https://localhost/basic.ics").code == "private_address"


def test_a_name_with_one_private_address_among_public_ones_is_refused(internet):
    internet.name("calendar.example.com", ["93.184.216.34", "10.0.0.7"])

    assert refused("https://calendar.example.com/basic.ics").code == "private_address"
    assert internet.connected == []


@pytest.fixture(scope="module")
def public_certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("public-tls"), name="calendar.example.com")


@pytest.fixture
def public_server(public_certificates, internet):
    """https://calendar.example.com on "the internet" (93.184.216.34), served by a local TLS server."""
    with calendar_server(tls=public_certificates.server) as running:
        internet.name("calendar.example.com", "93.184.216.34")
        internet.route("93.184.216.34", running.port)
        running.trusted = ssl.create_default_context(cafile=str(public_certificates.ca))
        running.public = f"https://calendar.example.com:{running.port}"
        yield running


def test_a_public_address_is_read_without_the_setting(public_server):
    public_server.serve("/basic.ics", GOOGLE)

    fetched = fetch_calendar(public_server.public + "/basic.ics", tls=public_server.trusted)

    assert fetched.body == GOOGLE


@pytest.mark.parametrize(
    ("location", "code"),
    [
        ("https://127.0.0.1/basic.ics", "private_address"),
        ("https://[::1]/basic.ics", "private_address"),
        ("https://169.254.169.254/latest/meta-data/", "private_address"),
        ("https://intranet.example.com/basic.ics", "private_address"),
        ("http://169.254.169.254/latest/meta-data/", "bad_redirect"),  # and plain http in any case
    ],
)
def test_a_redirect_from_the_internet_to_a_private_address_is_refused(
    public_server, internet, location, code
):
    internet.name("intranet.example.com", "10.20.30.40")
    public_server.redirect("/moved", location)

    assert refused(public_server.public + "/moved", tls=public_server.trusted).code == code
    assert internet.connected == ["93.184.216.34"]  # the first hop only


def test_the_connection_goes_to_the_address_checked_whatever_dns_answers_next(public_server, internet):
    # DNS rebinding: the name answers a public address, then loopback. The check and the connection use the
    # one answer; a redirect to the same name is looked up (and checked) again, and refused.
    internet.name("calendar.example.com", "93.184.216.34", "127.0.0.1")
    public_server.serve("/basic.ics", GOOGLE)
    public_server.redirect("/again", "/basic.ics")

    fetched = fetch_calendar(public_server.public + "/basic.ics", tls=public_server.trusted)

    assert fetched.body == GOOGLE
    assert internet.lookups["calendar.example.com"] == 1
    assert internet.connected == ["93.184.216.34"]
    assert refused(public_server.public + "/again", tls=public_server.trusted).code == "private_address"


def test_the_public_addresses_are_told_from_the_others():
    import ipaddress

    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))
    assert not is_public(ipaddress.ip_address("::ffff:10.0.0.1"))
    assert not is_public(ipaddress.ip_address("198.51.100.7"))  # documentation range: reserved


def test_an_address_with_a_user_name_or_another_scheme_is_never_fetched():
    for url in (
        "https://me:secret@calendar.example.com/x.ics",
        "ftp://calendar.example.com/x.ics",
        "https:///x",
    ):
        with pytest.raises(SyncFailed):
            target(url, allow_private=False)
