"""A person's own calendars on the profile page in a real browser, at desktop and phone width: connect a
served calendar (a refused address first, its error on the field), read what was found, sync now, see a
failure in words, remove it; and the same with JavaScript off. axe-core on each state; screenshots in
test-artifacts/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendars.models import BusyCalendar
from tests.calendar_server import calendar_server
from tests.calendars.ics_files import weekly_from_tomorrow
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_working_hours import WIDTHS, assert_fits, log_in, new_page
from tests.factories import MentorFactory


@pytest.fixture(params=list(WIDTHS))
def width(request) -> str:
    return request.param


@pytest.fixture
def served(settings):
    """A calendar server on this machine, which CALENDAR_FETCH_ALLOW_PRIVATE lets Sidebar read."""
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True
    with calendar_server() as server:
        server.serve("/basic.ics", weekly_from_tomorrow(timezone.now())[0])
        yield server


@pytest.fixture
def marco(transactional_db):
    return MentorFactory(email="marco@example.com", display_name="Marco Mentor", timezone="Europe/Berlin")


def section(page):
    return page.locator("#busy-calendars")


def keep(page, screenshot, name: str) -> None:
    """The whole page, and the section alone (easier to look at on a long profile)."""
    screenshot(page, name)
    section(page).screenshot(path=str(ARTIFACTS / f"{name}-section.png"))


def test_a_mentor_connects_reads_syncs_and_removes_a_calendar(
    browser, live_server, csp_violations, marco, served, screenshot, axe_violations, width
):
    context, page = new_page(browser, live_server, csp_violations, width=WIDTHS[width])
    try:
        log_in(page, marco.email)
        page.goto("/me/profile/#busy-calendars")
        assert "No calendar connected yet." in section(page).inner_text()
        assert_fits(page, "#busy-calendars", WIDTHS[width])
        keep(page, screenshot, f"busy-calendars-empty-{width}")
        assert axe_violations(page) == []

        page.get_by_label("Calendar address").fill("ftp://calendar.example.com/calendar.ics")
        page.get_by_role("button", name="Connect calendar").click()
        assert "Give an https://, webcal:// or http:// address." in section(page).inner_text()
        assert page.get_by_label("Calendar address").get_attribute("aria-invalid") == "true"
        keep(page, screenshot, f"busy-calendars-refused-{width}")
        assert axe_violations(page) == []

        page.get_by_label("Calendar address").fill(served.url("/basic.ics"))
        page.get_by_role("button", name="Connect calendar").click()
        page.wait_for_url("**/me/profile/#busy-calendars")
        # Tasks run in-process here: the first sync ran as the calendar was connected.
        assert "3 busy events found" in section(page).inner_text()
        assert served.url("/basic.ics") not in page.content()
        page.get_by_role("button", name="Sync now").click()
        assert "Calendar read: 3 busy events found." in page.locator(".messages").inner_text()
        assert_fits(page, "#busy-calendars", WIDTHS[width])
        keep(page, screenshot, f"busy-calendars-read-{width}")
        assert axe_violations(page) == []

        page.get_by_role("button", name="Sync now").click()  # pressed again at once: once a minute
        assert "Try again in" in page.locator(".messages").inner_text()
        BusyCalendar.objects.update(last_sync_now_at=timezone.now() - timedelta(minutes=1))  # a minute on

        served.answer("/basic.ics", 404)
        page.get_by_role("button", name="Sync now").click()
        assert "The calendar address answered 404." in section(page).get_by_role("alert").inner_text()
        assert_fits(page, "#busy-calendars", WIDTHS[width])
        keep(page, screenshot, f"busy-calendars-error-{width}")
        assert axe_violations(page) == []

        page.get_by_role("button", name="Remove").click()
        assert "No calendar connected yet." in section(page).inner_text()
        assert not BusyCalendar.objects.exists()
    finally:
        context.close()


def test_the_calendar_section_works_without_javascript(browser, live_server, csp_violations, marco, served):
    context, page = new_page(browser, live_server, csp_violations, width=390, javascript=False)
    try:
        log_in(page, marco.email)
        page.goto("/me/profile/")
        page.get_by_label("Calendar address").fill(served.url("/basic.ics"))
        page.get_by_role("button", name="Connect calendar").click()
        page.wait_for_url("**/me/profile/#busy-calendars")
        page.get_by_role("button", name="Sync now").click()
        assert "Calendar read: 3 busy events found." in page.locator(".messages").inner_text()
        page.get_by_role("button", name="Remove").click()
        assert "No calendar connected yet." in section(page).inner_text()
    finally:
        context.close()
