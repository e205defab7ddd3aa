import re
from datetime import time

from marketplace.models import WorkingHours
from sessions_app.models import Booking
from tests.factories import PASSWORD, AvailabilityBlockFactory, MentorFactory, UserFactory


def test_employee_books_from_a_mentor_page_sees_it_cancels_it_and_the_slot_is_offered_again(
    page, transactional_db, log_in, screenshot, axe_violations
):
    employee = UserFactory(email="e@example.com", display_name="Eve Employee", timezone="America/New_York")
    mentor = MentorFactory(display_name="Sid Speaker", timezone="Australia/Sydney")
    for weekday in range(7):
        AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=time(9), end=time(11))
        # Sydney's mornings are New York's evenings: both work hours that meet there (in every season).
        WorkingHours.objects.create(person=mentor, weekday=weekday, start=time(7), end=time(13))
        WorkingHours.objects.create(person=employee, weekday=weekday, start=time(12), end=time(23))

    log_in("e@example.com", PASSWORD)
    page.goto(f"/mentors/{mentor.pk}/")
    first_slot = page.locator("button.slot").first
    label = first_slot.get_attribute("aria-label")
    first_slot.click()

    page.get_by_role("heading", name="Book a session with Sid Speaker").wait_for()
    assert page.get_by_text("America/New_York").first.is_visible()
    assert page.get_by_text("(Australia/Sydney)").is_visible()
    page.get_by_label("What would you like help with?").fill("Rehearse my conference talk")
    screenshot(page, "booking-confirm")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm booking").click()

    page.get_by_role("heading", name="Session with Sid Speaker").wait_for()
    assert page.get_by_text(re.compile(r"Booked: \d\d minutes with Sid Speaker\.")).is_visible()
    booking = Booking.objects.get()
    assert page.get_by_role("link", name=booking.meeting_url).is_visible()
    assert page.get_by_role("link", name="Add to calendar (.ics)").is_visible()

    page.goto("/sessions/")
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    assert upcoming.get_by_text("Rehearse my conference talk").is_visible()
    assert upcoming.get_by_text("Confirmed", exact=True).is_visible()
    screenshot(page, "my-sessions")
    assert axe_violations(page) == []

    page.goto(f"/mentors/{mentor.pk}/")
    assert page.locator(f'button.slot[aria-label="{label}"]').count() == 0, "the booked slot is gone"

    page.goto("/sessions/")
    upcoming.get_by_text("Cancel…").click()
    page.get_by_label("Reason for cancelling").fill("Talk moved to next month")
    page.get_by_role("button", name="Cancel this session").click()
    page.get_by_text("Session cancelled").wait_for()
    past = page.locator("section", has=page.get_by_role("heading", name="Past and cancelled"))
    assert past.get_by_text("Cancelled", exact=True).is_visible()
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == ("cancelled", "Talk moved to next month")

    page.goto(f"/mentors/{mentor.pk}/")
    assert page.locator(f'button.slot[aria-label="{label}"]').count() == 1, "the slot is offered again"
