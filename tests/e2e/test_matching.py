import re
from datetime import time

import pytest

from marketplace.models import AvailabilityBlock, UserSkill
from matching.models import MentorRequest
from tests.factories import PASSWORD, MentorFactory, SkillFactory, UserFactory


@pytest.fixture
def organisation(transactional_db):
    """An employee in London and two mentors who know Public speaking, free around the clock."""
    UserFactory(email="e@example.com", display_name="Erin Employee", timezone="Europe/London")
    speaking = SkillFactory(name="Public speaking", slug="public-speaking")
    SkillFactory(name="SQL", slug="sql", category="data")
    expert = MentorFactory(display_name="Ada Expert", timezone="Europe/Berlin", headline="Talks and pitches")
    novice = MentorFactory(display_name="Nils Novice", timezone="Europe/London")
    for mentor, level in ((expert, 3), (novice, 1)):
        UserSkill.objects.create(user=mentor, skill=speaking, level=level)
        AvailabilityBlock.objects.bulk_create(
            AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(0), end=time(23, 50))
            for weekday in range(7)
        )
    return expert


def describe_a_need(page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Ask for help").click()
    page.get_by_label("What do you need help with?").fill("I present our Q3 plan to the board")
    page.get_by_label("Filter skills").fill("speak")
    assert not page.get_by_label("SQL").is_visible()
    page.get_by_label("Public speaking").check()
    assert page.get_by_text("Chosen: Public speaking").is_visible()
    page.get_by_role("button", name="Find mentors").click()
    page.get_by_role("heading", name="Who can help before your deadline").wait_for()


def test_an_employee_describes_a_need_and_sees_the_explained_shortlist(
    page, organisation, log_in, screenshot, axe_violations
):
    log_in("e@example.com", PASSWORD)
    page.goto("/requests/new/")
    screenshot(page, "request-form")
    assert axe_violations(page) == []

    describe_a_need(page)

    cards = page.locator(".match-card")
    assert cards.count() == 2
    first = cards.first
    assert first.get_by_role("heading", name="Ada Expert").is_visible()
    assert first.get_by_text("Knows Public speaking (expert)").is_visible()
    assert first.get_by_text(re.compile(r"^Free .+ before your deadline$")).is_visible()
    assert first.get_by_role("button", name=re.compile(r"^Book .+ with Ada Expert$")).is_visible()
    assert first.get_by_role("link", name="Show other times with Ada Expert").is_visible()
    screenshot(page, "request-shortlist")
    assert axe_violations(page) == []

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My requests").click()
    row = page.get_by_role("row", name=re.compile("I present our Q3 plan to the board"))
    assert "Open" in row.inner_text()


def test_an_employee_books_the_first_match_and_the_request_is_booked(page, organisation, log_in, screenshot):
    log_in("e@example.com", PASSWORD)
    describe_a_need(page)

    page.locator(".match-card").first.get_by_role("button", name=re.compile("^Book ")).click()
    page.get_by_role("heading", name="Book a session with Ada Expert").wait_for()
    page.get_by_label("What would you like help with?").fill("Q3 plan for the board")
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))

    page.goto("/sessions/")
    assert page.get_by_text("Q3 plan for the board").first.is_visible()
    request = MentorRequest.objects.get()
    page.goto(f"/requests/{request.pk}/")
    assert page.get_by_text("Booked: your session with Ada Expert starts").is_visible()
    screenshot(page, "request-booked")
    assert MentorRequest.objects.get().status == MentorRequest.Status.BOOKED
