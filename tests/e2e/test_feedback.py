"""A mentee opens the feedback link from the prompt email, finds their rating chosen, adds a line and
confirms with the one button (opening the link alone stores nothing)."""

import re
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.utils import timezone

from sessions_app import tasks
from sessions_app.models import Booking, Feedback
from tests.factories import BookingFactory, MentorFactory, OutboundMessageFactory, UserFactory


def test_a_mentee_rates_a_session_from_the_email_link_without_logging_in(
    page, live_server, transactional_db, screenshot, axe_violations
):
    mentee = UserFactory(email="nia@example.com", display_name="Nia New York", timezone="America/New_York")
    mentor = MentorFactory(display_name="Sid Speaker", timezone="Australia/Sydney")
    booking = BookingFactory(
        mentor=mentor,
        mentee=mentee,
        start=timezone.now() - timedelta(hours=1),
        status=Booking.Status.COMPLETED,
    )
    OutboundMessageFactory(booking=booking, recipient=mentee, kind="feedback_prompt", lead_minutes=0)
    tasks.send_due_messages()
    [email] = mail.outbox
    link = re.search(r"4/5: (\S+)", str(email.body))
    assert link is not None, "the prompt has a link per rating"
    four = link.group(1).replace(settings.SITE_URL, live_server.url)

    page.goto(four)

    page.get_by_role("heading", name="How was your session with Sid Speaker?").wait_for()
    assert page.get_by_text("Confirm your rating (4/5)").is_visible()
    assert page.get_by_role("radio", name="4").is_checked()
    assert not Feedback.objects.exists()
    page.get_by_label("What is your next step?").fill("Send the deck to my manager")
    screenshot(page, "feedback-from-email")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send feedback").click()

    page.get_by_text("your feedback is saved").wait_for()
    feedback = Feedback.objects.get(booking=booking)
    assert (feedback.author, feedback.rating, feedback.helpful) == (mentee, 4, True)
    assert feedback.next_step == "Send the deck to my manager"
