"""A mentor marks a no-show through its confirm step (an untouched box records nothing), sees until when it
can be undone, and undoes it; the mentee sees it on their session page and in their list. Desktop and phone
width, axe-core on each page."""

from datetime import timedelta

from django.utils import timezone

from sessions_app.models import Booking
from tests.factories import PASSWORD, BookingFactory, MentorFactory, UserFactory


def log_in(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def fits_the_width(page, selector: str) -> bool:
    """The element's right edge is inside the viewport (nothing to scroll sideways for)."""
    return page.evaluate(
        "(s) => document.querySelector(s).getBoundingClientRect().right <= window.innerWidth", selector
    )


def test_a_no_show_is_confirmed_undone_and_shown_to_the_mentee(
    sized_page, transactional_db, screenshot, axe_violations, width
):
    page = sized_page
    mentee = UserFactory(email="maya@example.com", display_name="Maya Mentee", timezone="Europe/London")
    mentor = MentorFactory(email="marco@example.com", display_name="Marco Mentor", timezone="Europe/Berlin")
    booking = BookingFactory(
        mentor=mentor,
        mentee=mentee,
        start=timezone.now() - timedelta(hours=2),
        status=Booking.Status.COMPLETED,
        topic="Board deck",
    )

    log_in(page, "marco@example.com")
    page.goto("/sessions/")
    page.get_by_role("link", name="Mark no-show… (Maya Mentee").click()
    page.get_by_role("heading", name="Did Maya Mentee not come?").wait_for()
    assert page.get_by_text("You can undo it for 24 hours.").is_visible()
    screenshot(page, f"no-show-confirm-{width}")
    assert axe_violations(page) == []
    assert fits_the_width(page, "main form")

    page.get_by_role("button", name="Mark as no-show").click()  # the box is not ticked: the browser stops it
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    page.get_by_label("Yes: they did not come to this session").check()
    page.get_by_role("button", name="Mark as no-show").click()

    page.get_by_text("Marked as a no-show. You can undo it until").wait_for()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    assert page.get_by_role("button", name="Undo the no-show").is_visible()
    screenshot(page, f"no-show-marked-{width}")
    assert axe_violations(page) == []

    log_in(page, "maya@example.com")
    page.goto(f"/sessions/{booking.pk}/")
    notice = page.locator("#no-show-notice")
    assert "Marco Mentor marked this session as a no-show" in notice.inner_text()
    assert "they can undo it until" in notice.inner_text()
    assert fits_the_width(page, "#no-show-notice")
    screenshot(page, f"no-show-mentee-{width}")
    assert axe_violations(page) == []
    page.goto("/sessions/")
    assert "marked by Marco Mentor" in page.locator("table").inner_text()

    log_in(page, "marco@example.com")
    page.goto(f"/sessions/{booking.pk}/")
    page.get_by_role("button", name="Undo the no-show").click()
    page.get_by_text("The no-show is undone: the session counts as held.").wait_for()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
