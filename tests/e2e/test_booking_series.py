"""A short series in a real browser, at 1280 and 390 px: book three weekly sessions from a mentor's page (no
script needed for the choice), see every date, then cancel the second and the third together."""

import re
from datetime import time

from marketplace.models import WorkingHours
from sessions_app.models import Booking
from tests.factories import PASSWORD, AvailabilityBlockFactory, MentorFactory, UserFactory


def test_employee_books_a_weekly_series_sees_each_date_and_cancels_the_later_ones(
    sized_page, width, transactional_db, screenshot, axe_violations
):
    from tests.e2e.conftest import log_in_on

    page = sized_page
    employee = UserFactory(email="e@example.com", display_name="Eve Employee", timezone="America/New_York")
    mentor = MentorFactory(display_name="Lou London", timezone="Europe/London")
    for weekday in range(7):
        AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=time(9), end=time(17))
        WorkingHours.objects.create(person=mentor, weekday=weekday, start=time(7), end=time(20))
        WorkingHours.objects.create(person=employee, weekday=weekday, start=time(7), end=time(23))

    log_in_on(page, "e@example.com", PASSWORD)
    page.goto(f"/mentors/{mentor.pk}/")
    page.locator("button.slot").first.click()
    page.get_by_role("heading", name="Book a session with Lou London").wait_for()

    page.get_by_label("What would you like help with?").fill("Weekly practice for my talk")
    repeat = page.get_by_role("group", name="Repeat")
    repeat.get_by_label("Weekly").check()
    page.get_by_label("Sessions in all, when repeated").select_option("3")
    assert page.get_by_text(
        re.compile(r"Each session at the same time for Lou London: .+ on their clock")
    ).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, f"series-confirm-{width}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm booking").click()

    page.get_by_role("heading", name="Session with Lou London").wait_for()
    sessions = list(Booking.objects.order_by("start"))
    assert [session.series_position for session in sessions] == [1, 2, 3]
    message = page.get_by_text(re.compile(r"Booked: 3 sessions of \d\d minutes with Lou London, on "))
    assert message.is_visible()
    series_list = page.locator("ol.series-sessions li")
    assert series_list.count() == 3
    assert page.get_by_text("Session 1 of 3, weekly").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, f"series-booked-{width}")
    assert axe_violations(page) == []

    page.goto("/sessions/")
    second = page.locator(f'li.session-item[data-session="{sessions[1].pk}"]')
    assert second.get_by_text("Session 2 of 3, weekly").is_visible()
    second.get_by_text("Cancel…").click()
    second.get_by_label("Reason for cancelling").fill("The talk was moved")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, f"series-my-sessions-{width}")
    assert axe_violations(page) == []
    second.get_by_role("button", name="Cancel this and the later session").click()

    page.get_by_text("2 sessions cancelled").wait_for()
    assert [Booking.objects.get(pk=s.pk).status for s in sessions] == ["confirmed", "cancelled", "cancelled"]
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    assert upcoming.locator("li.session-item").count() == 1
