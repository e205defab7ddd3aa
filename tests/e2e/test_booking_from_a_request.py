"""One click from a request's shortlist: the booking step already has the request's topic, and the mentor's
invite (the e-mail and its ICS, as ical.js reads it) carries the topic and the request's context."""

import re
from datetime import time

import pytest
from django.core import mail

from marketplace.models import AvailabilityBlock, UserSkill
from matching.models import MentorRequest
from sessions_app import tasks
from sessions_app.models import Booking
from tests.calendar_clients import read_with_ical_js, utc
from tests.factories import PASSWORD, MentorFactory, SkillFactory, UserFactory

TOPIC = "I present our Q3 plan to the board"
CONTEXT = "The board meets on Thursday; I have ten minutes and they like numbers."


@pytest.fixture
def sao_paulo_mentor(transactional_db):
    """An employee in London and a mentor in São Paulo who knows Public speaking, free around the clock."""
    UserFactory(email="e@example.com", display_name="Erin Employee", timezone="Europe/London")
    speaking = SkillFactory(name="Public speaking", slug="public-speaking")
    mentor = MentorFactory(
        email="sofia@example.com", display_name="Sofia Speaker", timezone="America/Sao_Paulo"
    )
    UserSkill.objects.create(user=mentor, skill=speaking, level=3)
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(0), end=time(23, 50))
        for weekday in range(7)
    )
    return mentor


@pytest.mark.parametrize("width", [1280, 390])
def test_booking_from_the_shortlist_keeps_the_topic_and_the_mentor_gets_the_need(
    page, sao_paulo_mentor, log_in, screenshot, axe_violations, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in("e@example.com", PASSWORD)
    page.goto("/requests/new/")
    page.get_by_label("What do you need help with?").fill(TOPIC)
    page.get_by_label("A little context (optional)").fill(CONTEXT)
    page.get_by_label("Public speaking").check()
    page.get_by_role("button", name="Find mentors").click()
    page.get_by_role("heading", name="Who can help before your deadline").wait_for()

    page.get_by_role("button", name=re.compile(r"^Book .+ with Sofia Speaker$")).first.click()

    page.get_by_role("heading", name="Book a session with Sofia Speaker").wait_for()
    assert page.get_by_label("What would you like help with?").input_value() == TOPIC
    aside = page.get_by_role("article").filter(has=page.get_by_role("heading", name="For your request"))
    assert aside.get_by_text(CONTEXT).is_visible()
    assert aside.get_by_text("Sofia Speaker gets the topic and this context with the invite.").is_visible()
    screenshot(page, f"booking-from-request-{width}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm booking").click()

    page.get_by_role("heading", name="Session with Sofia Speaker").wait_for()
    booking = Booking.objects.get()
    need = MentorRequest.objects.get()
    assert (booking.topic, booking.request) == (TOPIC, need)
    assert need.status == MentorRequest.Status.BOOKED
    assert page.get_by_text(CONTEXT).is_visible()

    tasks.send_due_messages()  # what the booking queued (sent already if the live server's commit ran it)
    [invite] = [message for message in mail.outbox if message.to == ["sofia@example.com"]]
    assert TOPIC in invite.body
    assert CONTEXT in invite.body
    [ics] = [part for part in invite.attachments if part.get_content_type() == "text/calendar"]
    [event] = read_with_ical_js(ics.get_payload(decode=True))["events"]
    assert f"Topic: {TOPIC}" in event["description"]
    assert f"Context: {CONTEXT}" in event["description"]
    assert (utc(event["start"]["utc"]), event["start"]["tzid"]) == (booking.start, "America/Sao_Paulo")

    page.context.clear_cookies()
    log_in("sofia@example.com", PASSWORD)
    page.goto(f"/sessions/{booking.pk}/")
    assert page.get_by_text(TOPIC).is_visible()
    assert page.get_by_text(CONTEXT).is_visible()
    screenshot(page, f"session-from-request-mentor-{width}")
