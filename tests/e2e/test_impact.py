"""A mentor opens My impact from the account menu: their record, one-week outcomes and what changed."""

from datetime import timedelta

from django.utils import timezone

from sessions_app.models import Booking
from tests.factories import (
    PASSWORD,
    BookingFactory,
    FeedbackFactory,
    FollowUpFactory,
    MentorFactory,
    UserFactory,
)


def test_a_mentor_sees_what_their_sessions_changed_a_week_later(
    page, transactional_db, log_in, screenshot, axe_violations
):
    mentor = MentorFactory(email="mo@example.com", display_name="Mo Mentor")
    outcomes = ["yes", "yes", "partly", "no"]
    for days_ago, outcome in enumerate(outcomes, start=8):
        mentee = UserFactory()
        booking = BookingFactory(
            mentor=mentor,
            mentee=mentee,
            start=timezone.now() - timedelta(days=days_ago),
            status=Booking.Status.COMPLETED,
            topic=f"Session {days_ago}",
        )
        FeedbackFactory(booking=booking, author=mentee, rating=5, helpful=True, comment=f"Thanks {days_ago}")
        FollowUpFactory(
            booking=booking,
            outcome=outcome,
            note="Shipped the migration plan" if outcome == "yes" and days_ago == 8 else "",
        )

    log_in(mentor.email, PASSWORD)
    page.goto("/")
    page.locator("summary", has_text="Mo Mentor").click()  # the account menu
    page.get_by_role("link", name="My impact").click()

    page.get_by_role("heading", name="My impact", level=1).wait_for()
    figure = page.locator("article.figure", has=page.get_by_role("heading", name="Unblocked a week later"))
    assert figure.locator(".figure-value").inner_text() == "50%"  # 2 of 4 said yes
    outcomes_table = page.get_by_role("table").filter(has_text="Partly unblocked")
    assert outcomes_table.locator("tbody tr").all_inner_texts() == [
        "Unblocked\t2\t50%",
        "Partly unblocked\t1\t25%",
        "Not unblocked\t1\t25%",
    ]
    assert page.get_by_text("Shipped the migration plan").is_visible()
    screenshot(page, "my-impact")
    assert axe_violations(page) == []
