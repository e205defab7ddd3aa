"""403, 404 and 500 are pages in the site layout (the API keeps its JSON `{"detail"}`), and an expected
refusal is one WARNING line in the log, never an ERROR with a traceback (config/errors.py, LOGGING)."""

import logging
import re
import urllib.error
import urllib.request

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from config import errors
from marketplace import middleware
from tests.factories import PASSWORD

SITE_HEADER = 'class="site-header"'


@pytest.fixture
def client_seeing_errors() -> Client:
    return Client(raise_request_exception=False)


def test_a_page_refused_to_a_non_hr_person_is_a_styled_403_with_their_navigation(client, mentee):
    client.login(email=mentee.email, password=PASSWORD)

    response = client.get("/insights/")

    assert response.status_code == 403
    html = response.content.decode()
    assert SITE_HEADER in html
    assert "This page is not open to you" in html
    assert 'href="/sessions/"' in html, "the header's links are the signed-in person's"
    assert "Maya Mentee" in html


def test_the_mentor_opening_the_follow_up_meets_the_same_403_page(client, mentor, mentee):
    from sessions_app.models import Booking
    from tests.factories import BookingFactory

    booking = BookingFactory(mentor=mentor, mentee=mentee, status=Booking.Status.COMPLETED)
    client.login(email=mentor.email, password=PASSWORD)

    response = client.get(f"/sessions/{booking.pk}/follow-up/")

    assert response.status_code == 403
    assert "This page is not open to you" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/no-such-page/", "/sessions/999999/", "/mentors/abc/"])
def test_a_missing_page_is_a_styled_404(client, mentee, url):
    client.login(email=mentee.email, password=PASSWORD)

    response = client.get(url)

    assert response.status_code == 404
    html = response.content.decode()
    assert SITE_HEADER in html
    assert "We cannot find this page" in html


def test_a_failure_is_a_styled_500_page(client_seeing_errors, monkeypatch, db):
    def broken(self, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(middleware.UserTimezoneMiddleware, "__call__", broken)

    response = client_seeing_errors.get("/mentors/")

    assert response.status_code == 500
    html = response.content.decode()
    assert SITE_HEADER in html
    assert "Something went wrong on our side" in html


def test_the_500_page_renders_without_a_database_or_a_request_context():
    """No database fixture: any query here raises. And handler500 renders with no context processors."""
    request = RequestFactory().get("/mentors/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = errors.server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert SITE_HEADER in html
    assert "Something went wrong on our side" in html
    assert "Something went wrong on our side" in html
    # Nobody is known without the request: no header links, not even "Log in" to someone signed in.
    assert 'href="/accounts/login/"' not in html
    assert 'class="site-menu"' not in html


def test_the_briefly_unavailable_page_is_in_the_layout_without_header_links():
    request = RequestFactory().get("/mentors/")
    try:
        raise OperationalError("the database is restarting")
    except OperationalError:
        response = errors.server_error(request)

    assert response.status_code == 503
    html = response.content.decode()
    assert SITE_HEADER in html
    assert "<h1>Sidebar is briefly unavailable</h1>" in html
    assert 'class="site-menu"' not in html


def test_the_api_keeps_answering_json_errors(api_as, api, mentee, client_seeing_errors, monkeypatch):
    api_as(mentee)
    refused = api.get("/api/v1/insights/summary/")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only HR admins can see insights."}

    unknown_booking = api.get("/api/v1/bookings/999999/")
    assert unknown_booking.status_code == 404
    assert set(unknown_booking.json()) == {"detail"}

    no_such_url = api.get("/api/v1/no-such-endpoint/")
    assert no_such_url.status_code == 404
    assert no_such_url.json() == {"detail": "Not found."}

    def broken(self, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(middleware.UserTimezoneMiddleware, "__call__", broken)
    failed = client_seeing_errors.get("/api/v1/me/")
    assert failed.status_code == 500
    assert failed.json() == {"detail": "Something went wrong on our side."}


REFUSALS = [
    ("/insights/", 403, "Forbidden (Permission denied): /insights/"),
    ("/sessions/999999/", 404, "Not Found: /sessions/999999/"),
]


@pytest.mark.parametrize(("url", "status", "line"), REFUSALS)
def test_an_expected_refusal_is_one_warning_line_without_a_traceback(
    client, mentee, caplog, url, status, line
):
    client.login(email=mentee.email, password=PASSWORD)

    with caplog.at_level(logging.INFO):
        assert client.get(url).status_code == status

    records = [record for record in caplog.records if record.name.startswith("django")]
    assert [(record.levelname, record.getMessage()) for record in records] == [("WARNING", line)]
    assert records[0].exc_info is None
    assert "Traceback" not in caplog.text


def test_a_failure_is_still_logged_as_an_error_with_its_traceback(
    client_seeing_errors, monkeypatch, caplog, db
):
    def broken(self, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(middleware.UserTimezoneMiddleware, "__call__", broken)

    with caplog.at_level(logging.INFO):
        client_seeing_errors.get("/mentors/")

    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.levelname == "ERROR"
    assert record.exc_info is not None
    assert record.exc_info[0] is RuntimeError


def test_a_record_of_django_reaches_one_console_handler_not_two():
    """Django's own console handler (DEBUG on) and the root's both printed each record: two tracebacks."""
    logger: logging.Logger | None = logging.getLogger("django.request")
    handlers = []
    while logger is not None:
        handlers += [handler for handler in logger.handlers if type(handler) is logging.StreamHandler]
        logger = logger.parent if logger.propagate else None

    assert len(handlers) == 1


@pytest.mark.urls("tests.failing_urls")  # adds /broken/, which raises
class TestOverHttp:
    """The same through a real HTTP server (pytest-django's live server) with DEBUG off, as in production:
    each error page is the site's own, styled by its stylesheet; only the fault is logged as an ERROR."""

    @pytest.fixture
    def fetch(self, live_server, client, mentee):
        client.login(email=mentee.email, password=PASSWORD)
        cookie = f"sessionid={client.cookies['sessionid'].value}"

        def get(path: str) -> tuple[int, str]:
            request = urllib.request.Request(live_server.url + path, headers={"Cookie": cookie})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()

        return get

    @pytest.mark.parametrize(
        ("path", "status", "heading"),
        [
            ("/insights/", 403, "This page is not open to you"),
            ("/no-such-page/", 404, "We cannot find this page"),
            ("/broken/", 500, "Something went wrong on our side"),
        ],
    )
    def test_each_error_is_a_styled_page_in_the_site_layout(
        self, settings, fetch, transactional_db, path, status, heading
    ):
        assert settings.DEBUG is False

        code, html = fetch(path)

        assert code == status
        assert SITE_HEADER in html
        assert f'<h1 id="error-heading">{heading}</h1>' in html
        assert f'<p class="error-code">{status}</p>' in html
        stylesheet = re.search(r'<link rel="stylesheet" href="(/static/css/app\.css)">', html)
        assert stylesheet is not None
        assert fetch(stylesheet.group(1))[0] == 200
        assert "Traceback" not in html, "DEBUG's technical page never reaches the reader"

    @pytest.mark.parametrize("path", ["/insights/", "/no-such-page/", "/sessions/999999/"])
    def test_a_refusal_logs_no_error_and_no_traceback(self, fetch, transactional_db, caplog, path):
        with caplog.at_level(logging.INFO):
            fetch(path)

        assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []
        assert [record for record in caplog.records if record.exc_info] == []
        assert any(record.levelname == "WARNING" and path in record.getMessage() for record in caplog.records)

    def test_a_fault_logs_an_error_with_its_traceback(self, fetch, transactional_db, caplog):
        with caplog.at_level(logging.INFO):
            fetch("/broken/")

        [error] = [record for record in caplog.records if record.levelno >= logging.ERROR]
        assert error.name == "django.request"
        assert error.exc_info is not None
        assert error.exc_info[0] is RuntimeError
