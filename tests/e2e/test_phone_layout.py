"""Every page on a 390 px phone, for the mentee, the mentor, HR and someone signed out: nothing scrolls
sideways, axe-core finds nothing serious, and the navigation folds into a Menu button that works from the
keyboard (and, without JavaScript, the links wrap instead).

The organisation is the demo's (seed_demo, small): real names, topics and tables of the length people see.
"""

from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.people import DEMO_PASSWORD
from marketplace.models import User
from matching.models import MentorRequest
from sessions_app.models import Booking
from tests.e2e.conftest import PHONE, PHONE_WIDTH, log_in_on
from tests.factories import PASSWORD

HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth"


@dataclass(frozen=True)
class Visit:
    name: str
    url: str
    status: int = 200


@pytest.fixture
def demo(transactional_db):
    # With DEBUG off (pytest-django's default, and the error pages' condition) seed_demo wants --force.
    call_command("seed_demo", mentors=8, employees=20, weeks_of_history=4, force=True, stdout=StringIO())
    return {user.email: user for user in User.objects.filter(email__endswith="@example.com")}


def visits_of(person: User | None) -> list[Visit]:
    """The pages of the issue's list that this person can open, and the refusals they meet."""
    missing = Visit("404", "/no-such-page/", 404)
    if person is None:
        return [
            Visit("login", "/accounts/login/"),
            Visit("signup", "/accounts/signup/"),
            Visit("password-reset", "/accounts/password/reset/"),
            missing,
        ]
    mentor = User.objects.filter(is_mentor=True).exclude(pk=person.pk).order_by("email").first()
    assert mentor is not None
    visits = [
        Visit("home", "/"),
        Visit("mentors", "/mentors/"),
        Visit("mentor", f"/mentors/{mentor.pk}/"),
        Visit("requests", "/requests/"),
        Visit("request-new", "/requests/new/"),
        Visit("sessions", "/sessions/"),
        Visit("moments", "/moments/"),
        Visit("introduce", f"/mentors/{mentor.pk}/introduce/"),
        Visit("profile", "/me/profile/"),
        Visit("password-change", "/accounts/password/change/"),
        Visit("emails", "/accounts/email/"),
        Visit("api-docs", "/api/docs/"),
        missing,
    ]
    now = timezone.now()
    mine = Booking.objects.filter(mentee=person) | Booking.objects.filter(mentor=person)
    if mine.filter(start__lt=now).count() > 20:
        visits.append(Visit("sessions-older", "/sessions/?page=2"))
    upcoming = mine.filter(start__gt=now, status=Booking.Status.CONFIRMED).order_by("start").first()
    past = mine.filter(end__lt=now, status=Booking.Status.COMPLETED).order_by("-start").first()
    if upcoming:
        visits.append(Visit("session-upcoming", f"/sessions/{upcoming.pk}/"))
    if past:
        visits += [
            Visit("session-past", f"/sessions/{past.pk}/"),
            Visit("feedback", f"/sessions/{past.pk}/feedback/"),
            # Only the mentee answers the follow-up: the mentor meets the 403 page here.
            Visit("follow-up", f"/sessions/{past.pk}/follow-up/", 200 if past.mentee == person else 403),
        ]
    request = MentorRequest.objects.filter(asker=person, status=MentorRequest.Status.OPEN).first()
    if request:
        visits.append(Visit("request-shortlist", f"/requests/{request.pk}/"))
    if person.is_mentor:
        visits += [Visit("availability", "/me/availability/"), Visit("impact", "/me/impact/")]
    visits.append(Visit("insights", "/insights/", 200 if person.is_hr else 403))
    return visits


def assert_fits_the_phone(page, axe_violations, where: str) -> None:
    width = page.evaluate(HORIZONTAL_OVERFLOW)
    assert width <= PHONE_WIDTH, f"{where} is {width} px wide on a {PHONE_WIDTH} px phone"
    if "/api/docs/" not in page.url:  # Swagger UI's own markup is not ours to fix
        assert axe_violations(page) == [], where


def open_the_menu_from_the_keyboard(page) -> None:
    """Tab to the Menu button, open it with Enter, reach its links with Tab, close it with Escape."""
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.get_attribute("aria-expanded") == "false"
    menu = page.locator("#" + toggle.get_attribute("aria-controls"))
    assert not menu.is_visible()
    for _ in range(5):
        page.keyboard.press("Tab")
        if toggle.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Menu button")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    links = menu.get_by_role("link")
    assert links.count() >= 1
    assert links.first.is_visible()
    for index in range(links.count()):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        assert focused == links.nth(index).inner_text().strip()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.evaluate("element => element === document.activeElement")
    page.keyboard.press(" ")
    assert toggle.get_attribute("aria-expanded") == "true", "Space opens it too"
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= PHONE_WIDTH, "the open menu fits as well"


@pytest.mark.parametrize("who", ["mentee@example.com", "mentor@example.com", "hr@example.com", None])
def test_every_page_fits_a_phone_and_its_menu_opens_from_the_keyboard(
    phone_page, transactional_db, request, who, axe_violations, screenshot
):
    page = phone_page
    person = request.getfixturevalue("demo")[who] if who else None  # a visitor's pages need no data
    if who:
        log_in_on(page, who, DEMO_PASSWORD)
    role = who.split("@")[0] if who else "visitor"

    for visit in visits_of(person):
        response = page.goto(visit.url)
        assert response is not None
        assert response.status == visit.status, visit
        screenshot(page, f"phone-{role}-{visit.name}")
        assert_fits_the_phone(page, axe_violations, f"{visit.url} as {role}")
        if visit.name == "mentor":
            # The booking step: one tap on a time from the mentor's page.
            page.locator("button.slot").first.click()
            page.wait_for_url("**/sessions/book/**")
            screenshot(page, f"phone-{role}-book")
            assert_fits_the_phone(page, axe_violations, f"the booking step as {role}")

    page.goto("/")
    open_the_menu_from_the_keyboard(page)
    screenshot(page, f"phone-{role}-menu-open")
    assert axe_violations(page) == []


def test_without_javascript_the_links_wrap_under_the_brand(browser, live_server, transactional_db, hr):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    log_in_on(page, hr.email, PASSWORD)
    page.goto("/sessions/")

    assert page.get_by_role("button", name="Menu").count() == 0
    assert page.get_by_role("link", name="My sessions").is_visible()
    assert page.get_by_role("link", name="Insights").is_visible()
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= PHONE_WIDTH
    context.close()
