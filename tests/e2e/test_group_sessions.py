"""Group sessions in a real browser: a mentor publishes weekly office hours; an employee joins one, is put on
the waiting list of a full one, and gets the seat (and the invite) when someone leaves."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from groups.models import GroupSession, Seat
from groups.services.seats import join_session
from sessions_app import tasks
from tests.factories import PASSWORD, GroupSessionFactory, MentorFactory, SkillFactory, UserFactory

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def people(transactional_db):
    SkillFactory(name="Negotiation", slug="negotiation")
    mentor = MentorFactory(email="nora@example.com", display_name="Nora Negotiator", timezone="Europe/Berlin")
    employee = UserFactory(email="eli@example.com", display_name="Eli Employee", timezone="Europe/London")
    return mentor, employee


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_office_hours_are_published_joined_waited_for_and_a_freed_seat_goes_to_the_waiting(
    page, people, log_in, screenshot, axe_violations, width
):
    mentor, employee = people
    page.set_viewport_size({"width": width, "height": 900})
    berlin_day = (timezone.now() + timedelta(days=3)).astimezone(ZoneInfo("Europe/Berlin")).date()

    # The mentor publishes weekly office hours: four Thursdays (or whichever day) at 16:00 on her clock.
    log_in(mentor.email, PASSWORD)
    page.goto("/group-sessions/")
    page.get_by_role("button", name="Host a group session").click()
    page.get_by_role("heading", name="Host a group session", level=1).wait_for()
    page.get_by_label("Title").fill("Negotiation office hours")
    page.get_by_label("What it is about").fill("Bring a negotiation you are preparing.")
    page.get_by_label("Skills").select_option(["negotiation"])
    page.get_by_label("Starts").fill(f"{berlin_day:%Y-%m-%d}T16:00")
    page.get_by_label("Length").select_option("40")
    page.get_by_label("Seats").fill("5")
    page.get_by_label("Repeat weekly").fill("3")
    screenshot(page, f"group-session-new-{width}")
    assert axe_violations(page) == []
    # A full-page screenshot resizes the window for a moment; Chromium then moves the page on the next press,
    # so that the press and the release of a click land on different elements. Start from the top again.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published: 4 sessions, weekly.").wait_for()
    page.get_by_role("heading", name="Negotiation office hours", level=1).wait_for()
    sessions = list(GroupSession.objects.filter(host=mentor).order_by("start"))
    assert len(sessions) == 4
    assert {s.start.astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %H:%M") for s in sessions} == {
        berlin_day.strftime("%a 16:00")
    }

    # A full AMA of another mentor: two seats, both taken.
    full = GroupSessionFactory(
        title="Pricing AMA",
        host=MentorFactory(display_name="Pia Pricing"),
        capacity=2,
        start=sessions[0].start + timedelta(days=1),
    )
    ada, bo = UserFactory(display_name="Ada Early"), UserFactory(display_name="Bo Early")
    join_session(session=full, person=ada)
    join_session(session=full, person=bo)

    # The employee finds the office hours by skill and joins.
    page.context.clear_cookies()
    log_in(employee.email, PASSWORD)
    if width >= 1000:
        page.get_by_role("link", name="Group sessions").first.click()
    else:
        page.goto("/group-sessions/")
    page.get_by_label("Skill", exact=True).select_option("negotiation")
    page.get_by_role("button", name="Show sessions").click()
    page.get_by_text("4 upcoming group sessions").wait_for()
    assert page.get_by_role("link", name="Pricing AMA").count() == 0
    screenshot(page, f"group-session-list-{width}")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Negotiation office hours").first.click()
    page.get_by_text("5 of 5 seats left").wait_for()
    page.get_by_role("button", name="Join", exact=True).click()
    page.get_by_text("You have a seat. The invite is on its way to your inbox.").wait_for()
    assert page.get_by_text("4 of 5 seats left").is_visible()
    assert page.get_by_role("link", name=sessions[0].meeting_url).is_visible()

    # The full AMA offers the waiting list, with the place it would be.
    page.goto(f"/group-sessions/{full.pk}/")
    assert page.get_by_text("Ada Early").is_visible()
    page.get_by_role("button", name="Join the waiting list (you would be number 1)").click()
    page.get_by_text("The session is full: you are number 1 on the waiting list.").wait_for()
    assert page.get_by_text("Waiting list: number 1").is_visible()
    screenshot(page, f"group-session-waiting-{width}")
    assert axe_violations(page) == []

    # Ada gives up her seat (in her own browser); the employee has it at once and gets the invite.
    page.context.clear_cookies()
    log_in(ada.email, PASSWORD)
    page.goto(f"/group-sessions/{full.pk}/")
    page.get_by_role("button", name="Give up my seat").click()
    page.get_by_text("You left this group session.").wait_for()

    page.context.clear_cookies()
    log_in(employee.email, PASSWORD)
    page.goto(f"/group-sessions/{full.pk}/")
    assert page.get_by_text("You have a seat").first.is_visible()
    assert Seat.objects.get(session=full, person=employee).from_waitlist
    screenshot(page, f"group-session-seated-{width}")
    assert axe_violations(page) == []

    tasks.send_due_messages()  # sent already if the live server's commit ran the sweep
    seated_mails = [m for m in mail.outbox if m.to == [employee.email] and "A seat came free" in m.subject]
    assert len(seated_mails) == 1
    assert any(part.get_content_type() == "text/calendar" for part in seated_mails[0].attachments)

    # The host sees who is coming.
    page.context.clear_cookies()
    log_in(mentor.email, PASSWORD)
    page.goto(f"/group-sessions/{sessions[0].pk}/attendees/")
    assert page.get_by_role("cell", name="Eli Employee").is_visible()
    screenshot(page, f"group-session-attendees-{width}")
    assert axe_violations(page) == []
