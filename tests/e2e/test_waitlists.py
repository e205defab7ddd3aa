"""Waiting for a full mentor in a real browser, at 1280 and 390 px: an employee finds no time before their
deadline, asks to be told, sees the wait; a cancelled session is held for them, with until when and a Book
button; they book it; nobody else sees the held time meanwhile. Works without JavaScript (plain forms)."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from marketplace.models import AvailabilityBlock
from sessions_app.models import Booking
from sessions_app.services.bookings import cancel_booking
from tests.e2e.conftest import log_in_on
from tests.factories import PASSWORD, BookingFactory, MentorFactory, UserFactory
from waitlists.models import WaitlistEntry


def next_weekday_at_ten() -> datetime:
    day = timezone.now().astimezone(UTC).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=UTC)


@pytest.fixture
def full(transactional_db):
    mentor = MentorFactory(display_name="Fiona Full", timezone="UTC")
    start = next_weekday_at_ten()
    AvailabilityBlock.objects.create(mentor=mentor, weekday=start.weekday(), start=time(10), end=time(11))
    bookings = [
        BookingFactory(mentor=mentor, start=start + timedelta(minutes=minutes), duration=30)
        for minutes in (0, 30)
    ]
    employee = UserFactory(email="wanda@example.com", display_name="Wanda Waiting", timezone="UTC")
    return mentor, bookings, employee


def test_waiting_for_a_full_mentor_then_booking_the_time_held_for_me(
    sized_page, width, full, screenshot, axe_violations, browser, live_server
):
    page = sized_page
    mentor, bookings, employee = full
    log_in_on(page, employee.email, PASSWORD)

    page.goto(f"/mentors/{mentor.pk}/")
    page.get_by_role("heading", name="Tell me when they have time", level=2).wait_for()
    assert page.get_by_label("Before when do you need it?").input_value()  # the default deadline is filled in
    page.get_by_label("30 minutes").check()
    screenshot(page, f"waitlist-mentor-page-{width}")
    assert axe_violations(page) == []
    page.evaluate("() => window.scrollTo(0, 0)")
    page.get_by_role("button", name="Tell me when they have time").click()

    page.get_by_role("heading", name="My waiting lists", level=1).wait_for()
    assert page.get_by_text("You are on Fiona Full's waiting list").is_visible()
    assert page.get_by_text("Waiting", exact=True).is_visible()
    entry = WaitlistEntry.objects.get(person=employee)
    assert (entry.mentor_id, entry.duration, entry.status) == (mentor.pk, 30, "waiting")

    cancel_booking(booking=bookings[1], by=bookings[1].mentee, reason="Something came up")

    page.reload()
    held = page.get_by_text("Held for you:")
    held.wait_for()
    assert "10:30–11:00" in held.inner_text()
    assert page.get_by_text("or it passes to the next person waiting").is_visible()
    screenshot(page, f"waitlist-offered-{width}")
    assert axe_violations(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # Someone else does not see the held time on the mentor's page (next week's they do); the holder does.
    held_button = f'button.slot[value="{bookings[1].start:%Y-%m-%dT%H:%M:%SZ}"]'
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    other_page = other.new_page()
    colleague = UserFactory(email="cole@example.com", timezone="UTC")
    log_in_on(other_page, colleague.email, PASSWORD)
    other_page.goto(f"/mentors/{mentor.pk}/?all_times=1")
    assert other_page.locator("button.slot").count() > 0
    assert other_page.locator(held_button).count() == 0
    other.close()
    page.goto(f"/mentors/{mentor.pk}/?all_times=1")
    assert page.locator(held_button).count() == 1
    assert page.get_by_text("A time is held for you:").is_visible()
    page.goto("/me/waitlist/")

    page.evaluate("() => window.scrollTo(0, 0)")
    page.get_by_role("button", name="Book it").click()
    page.get_by_role("heading", name="Book a session with Fiona Full").wait_for()
    page.get_by_label("What would you like help with?").fill("Prepare my review")
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="Session with Fiona Full").wait_for()

    booking = Booking.objects.get(mentee=employee)
    assert booking.start == bookings[1].start
    page.goto("/me/waitlist/")
    assert page.get_by_text("Booked", exact=True).is_visible()
    assert page.get_by_role("link", name="Open the session").is_visible()
