"""The home page in a real browser at desktop and phone width: a mentee follows its links to the next
session, the feedback waiting and an open request's shortlist; a mentor reads this week's budget; a newcomer
is shown where to start; and once in French. axe-core on each."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from marketplace.home import mentor_week
from marketplace.models import MentorProfile
from marketplace.services import make_hr_admin
from sessions_app.models import Booking
from tests.e2e.conftest import WIDTHS
from tests.e2e.test_languages import browser_page, log_in_in_french
from tests.factories import (
    PASSWORD,
    AvailabilityBlockFactory,
    BookingFactory,
    MentorFactory,
    MentorRequestFactory,
    UserFactory,
)


@pytest.fixture
def sized_page(page, width):
    """The `page` that the `log_in` fixture signs in on, at `width`'s size."""
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    return page


def on_the_grid(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC).replace(second=0, microsecond=0)
    return moment - timedelta(minutes=moment.minute % 10)


def cards_fit_the_screen(page) -> None:
    """No home card reaches past the right edge of the window (nothing to scroll sideways for)."""
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.home-cards, .home-cards *')]
              .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
              .map((element) => element.outerHTML.slice(0, 80))"""
    )
    assert overflowing == []


def a_week_of_mentoring():
    """Maya (London) has a session with Marco (Berlin) tomorrow, one yesterday to give feedback on, and a
    request with three mentors shortlisted."""
    mentee = UserFactory(email="maya@example.com", display_name="Maya Mentee", timezone="Europe/London")
    mentor = MentorFactory(email="marco@example.com", display_name="Marco Mentor", timezone="Europe/Berlin")
    MentorProfile.objects.filter(user=mentor).update(weekly_minutes_cap=120)
    AvailabilityBlockFactory(mentor=mentor, weekday=0, start=time(9), end=time(12))
    now = timezone.now()
    upcoming = BookingFactory(
        mentor=mentor, mentee=mentee, start=on_the_grid(now + timedelta(days=1)), topic="Board deck"
    )
    yesterday = BookingFactory(
        mentor=mentor,
        mentee=mentee,
        start=on_the_grid(now - timedelta(days=1)),
        status=Booking.Status.COMPLETED,
        topic="Budget talk",
    )
    request = MentorRequestFactory(asker=mentee, topic="Negotiating a raise", match_count=3)
    return mentee, mentor, upcoming, yesterday, request


def test_a_mentee_follows_the_home_page_to_the_session_the_feedback_and_the_shortlist(
    sized_page, transactional_db, log_in, screenshot, axe_violations, width
):
    page = sized_page
    mentee, _, upcoming, yesterday, request = a_week_of_mentoring()

    log_in(mentee.email, PASSWORD)
    page.get_by_role("heading", name="Hello, Maya Mentee").wait_for()
    next_card = page.locator("article", has=page.get_by_role("heading", name="Your next session"))
    local_start = upcoming.start.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M")
    assert local_start in next_card.locator("time").first.inner_text()  # Maya's zone, not the server's
    assert next_card.get_by_text("Marco Mentor is your mentor.").is_visible()
    assert (
        next_card.get_by_role("button", name="Join the meeting").get_attribute("href") == upcoming.meeting_url
    )
    assert page.get_by_text("3 mentors shortlisted, none booked.").is_visible()
    cards_fit_the_screen(page)
    screenshot(page, f"home-mentee-{width}")
    assert axe_violations(page) == []

    next_card.get_by_role("button", name="Session page").click()
    page.get_by_role("heading", name="Session with Marco Mentor", level=1).wait_for()
    assert page.url.endswith(f"/sessions/{upcoming.pk}/")

    page.go_back()
    page.get_by_role("link", name=re.compile(r"^How was your session with Marco Mentor on ")).click()
    page.get_by_role("heading", name="How was your session with Marco Mentor?", level=1).wait_for()
    assert page.url.endswith(f"/sessions/{yesterday.pk}/feedback/")

    page.go_back()
    page.get_by_role("link", name="Negotiating a raise").click()
    page.get_by_role("heading", name="Negotiating a raise", level=1).wait_for()
    assert page.url.endswith(f"/requests/{request.pk}/")


def test_a_mentor_reads_this_weeks_minutes_against_the_budget(
    sized_page, transactional_db, log_in, screenshot, axe_violations, width
):
    page = sized_page
    _, mentor, *_ = a_week_of_mentoring()
    make_hr_admin(user=mentor)
    used = mentor_week(mentor, now=timezone.now()).used_minutes  # 0, 30 or 60: which sessions fall this week

    log_in(mentor.email, PASSWORD)
    week = page.locator("article", has=page.get_by_role("heading", name="Your week as a mentor"))
    assert week.get_by_text(f"{used} of 120 minutes this week").is_visible()
    assert week.get_by_role("progressbar", name=f"{used} of 120 minutes this week").is_visible()
    assert week.get_by_text(
        re.compile(r"^Week of Mon \d+ \w+ to Sun \d+ \w+, Europe/Berlin time\.$")
    ).is_visible()
    assert page.get_by_role("button", name="Open the HR dashboard").get_attribute("href") == "/insights/"
    cards_fit_the_screen(page)
    screenshot(page, f"home-mentor-{width}")
    assert axe_violations(page) == []

    week.get_by_role("button", name="Edit availability").click()
    page.wait_for_url(re.compile(r"/me/availability/$"))


def test_a_newcomer_is_shown_where_to_start(
    sized_page, transactional_db, log_in, screenshot, axe_violations, width
):
    page = sized_page
    UserFactory(email="nina@example.com", display_name="Nina New")
    MentorFactory(email="nora@example.com", display_name="Nora New")

    log_in("nina@example.com", PASSWORD)
    assert page.get_by_text(
        re.compile(r"^Nothing is booked yet\. Describe what you are stuck on")
    ).is_visible()
    cards_fit_the_screen(page)
    screenshot(page, f"home-newcomer-{width}")
    assert axe_violations(page) == []
    page.locator(".home-cards").get_by_role("button", name="Ask for help").click()
    page.get_by_role("heading", name="Ask for help", level=1).wait_for()

    page.context.clear_cookies()
    log_in("nora@example.com", PASSWORD)
    page.get_by_text(
        "Colleagues cannot book you until you publish the times you are free each week."
    ).wait_for()
    screenshot(page, f"home-new-mentor-{width}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish your availability").click()
    page.wait_for_url(re.compile(r"/me/availability/$"))


def test_the_home_page_in_french(
    browser, live_server, csp_violations, transactional_db, screenshot, axe_violations, width
):
    _, mentor, *_ = a_week_of_mentoring()
    make_hr_admin(user=mentor)
    context, page = browser_page(browser, live_server, csp_violations, locale="fr-FR", width=WIDTHS[width])
    try:
        log_in_in_french(page, mentor.email)
        page.get_by_role("heading", name="Bonjour, Marco Mentor").wait_for()
        assert page.locator("html").get_attribute("lang") == "fr"
        when = page.locator(".home-next time").first.inner_text()
        assert re.fullmatch(
            r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d+ \w+, \d\d:\d\d", when
        ), when
        used = mentor_week(mentor, now=timezone.now()).used_minutes
        with translation.override("fr"):
            # The catalogs' French (English until a string is translated: check_translations keeps them full).
            expected = [
                gettext("Your next session"),
                gettext("You are mentoring %(name)s.") % {"name": "Maya Mentee"},
                ngettext(
                    "%(used)s of %(counter)s minute this week",
                    "%(used)s of %(counter)s minutes this week",
                    120,
                )
                % {"used": used, "counter": 120},
                gettext("Open the HR dashboard"),
            ]
        for text in expected:
            assert page.get_by_text(text, exact=True).first.is_visible(), text
        cards_fit_the_screen(page)
        screenshot(page, f"fr-home-mentor-{width}")
        assert axe_violations(page) == []
    finally:
        context.close()
    assert csp_violations == []
