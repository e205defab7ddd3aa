"""After a group session, an attendee opens the prompt's rating link, finds the rating chosen, adds a next
step and sends it with the one button (opening the link stores nothing); the host reads the summary. At 1280
and 390 px."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from groups.models import GroupFeedback
from groups.services.seats import join_session
from groups.services.sessions import create_group_session
from sessions_app import tasks
from tests.factories import PASSWORD, MentorFactory, UserFactory

WIDTHS = {"desktop": 1280, "phone": 390}


def nothing_scrolls_sideways(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_an_attendee_rates_a_group_session_from_the_prompt_and_the_host_reads_the_summary(
    page, transactional_db, live_server, log_in, screenshot, axe_violations, width
):
    page.set_viewport_size({"width": width, "height": 900})
    host = MentorFactory(email="hedda@example.com", display_name="Hedda Host", timezone="Europe/Berlin")
    person = UserFactory(email="sam@example.com", display_name="Sam Seated", timezone="America/New_York")
    now = timezone.now()
    # Published and joined earlier; it ended an hour ago, so its prompt is due.
    session = create_group_session(
        host=host,
        title="Board decks AMA",
        start=now - timedelta(minutes=90),
        duration=30,
        capacity=5,
        now=now - timedelta(days=2),
    )
    join_session(session=session, person=person, now=now - timedelta(days=1))
    tasks.send_due_messages()
    [prompt] = [email for email in mail.outbox if email.subject == "How was Board decks AMA?"]
    link = re.search(r"4/5: (\S+)", str(prompt.body))
    assert link is not None, "the prompt has a link per rating"

    log_in(person.email, PASSWORD)
    page.goto(link.group(1).replace(settings.SITE_URL, live_server.url))

    page.get_by_role("heading", name="How was “Board decks AMA”?").wait_for()
    assert page.get_by_text("Confirm your rating (4/5)").is_visible()
    assert page.get_by_role("radio", name="4").is_checked()
    assert page.get_by_role("radio", name="Yes").is_checked()
    assert not GroupFeedback.objects.exists()
    page.get_by_label("What is your next step?").fill("Rework the first slide")
    page.get_by_label("Anything else?").fill("The examples were the best part")
    nothing_scrolls_sideways(page)
    assert axe_violations(page) == []
    screenshot(page, f"group-feedback-form-{width}")
    page.evaluate("() => window.scrollTo(0, 0)")  # the full-page screenshot resized the window a moment
    page.get_by_role("button", name="Send feedback").click()

    page.get_by_text("Thank you: your feedback is saved.").wait_for()
    assert page.get_by_text("Rework the first slide").is_visible()
    feedback = GroupFeedback.objects.get()
    assert (feedback.author, feedback.rating, feedback.helpful) == (person, 4, True)
    screenshot(page, f"group-feedback-saved-{width}")

    page.context.clear_cookies()
    log_in(host.email, PASSWORD)
    page.goto(f"/group-sessions/{session.pk}/attendees/")
    page.get_by_role("heading", name="What attendees said").wait_for()
    assert page.get_by_text("1 answer: average rating 4.0 out of 5").is_visible()
    assert page.get_by_text("The examples were the best part").is_visible()
    nothing_scrolls_sideways(page)
    assert axe_violations(page) == []
    screenshot(page, f"group-feedback-summary-{width}")
