"""The mentee moves a session to another of the mentor's free times, at desktop and phone width (axe-core, no
sideways scroll: the screenshot fixture checks it)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from sessions_app.models import Booking
from tests.factories import PASSWORD, AvailabilityBlockFactory, BookingFactory, MentorFactory, UserFactory


def test_a_session_is_moved_to_another_free_time(
    sized_page, transactional_db, screenshot, axe_violations, width
):
    page = sized_page
    mentee = UserFactory(email="maya@example.com", display_name="Maya Mentee", timezone="Europe/London")
    mentor = MentorFactory(email="marco@example.com", display_name="Marco Mentor", timezone="Europe/Berlin")
    for weekday in range(7):
        AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=time(10), end=time(12))
    berlin = ZoneInfo("Europe/Berlin")
    day = (timezone.now() + timedelta(days=3)).astimezone(berlin).date()
    start = datetime.combine(day, time(10), tzinfo=berlin)
    booking = BookingFactory(mentor=mentor, mentee=mentee, start=start, duration=30, topic="Board deck")

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(mentee.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/sessions/{booking.pk}/")
    page.get_by_role("button", name="Reschedule").click()
    page.get_by_role("heading", name="Move your session with Marco Mentor").wait_for()
    screenshot(page, f"reschedule-{width}")
    assert axe_violations(page) == []

    # 11:00 in Berlin the same day is 10:00 in London in winter and summer alike.
    new_start = start + timedelta(hours=1)
    london = new_start.astimezone(ZoneInfo("Europe/London"))
    page.get_by_role("button", name=f"Move to {london:%A} {london.day} {london:%B}, {london:%H:%M}").click()
    page.get_by_text("Session moved. You both get an email with the calendar update.").wait_for()
    booking.refresh_from_db()
    assert booking.start == new_start
    assert booking.status == Booking.Status.CONFIRMED
    screenshot(page, f"rescheduled-{width}")
