"""Every page, for the employee, the mentor, HR and someone signed out, on a 390 px phone and at 1280 px, in
English and in French (longer words): nothing scrolls sideways, axe-core finds nothing serious, and on the
phone the navigation folds into a Menu button that works from the keyboard and tells screen readers whether
it is open (without JavaScript, the links wrap instead).

The organisation is the demo's (seed_demo, small): real names, topics and tables of the length people see.
The pages a person must meet are listed per role and checked, so that a page missing from the data fails the
test instead of being skipped.
"""

from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.people import DEMO_PASSWORD
from marketplace.models import User, UserSkill
from matching.models import MentorRequest
from matching.services import create_request
from sessions_app.models import Booking
from tests.e2e.conftest import DESKTOP, PHONE, PHONE_WIDTH, browser_page_on, log_in_on
from tests.factories import PASSWORD
from waitlists.services.entries import join_waitlist

pytestmark = pytest.mark.urls("tests.failing_urls")  # adds /broken/, a page that fails: the 500 page

PAGE_WIDTH = "document.documentElement.scrollWidth"
# For the failure message: the outermost elements that reach past the window's right edge.
TOO_WIDE = """(width) => {
  const right = (element) => Math.round(element.getBoundingClientRect().right);
  return [...document.querySelectorAll("body *")]
    .filter((element) => right(element) > width && right(element.parentElement) <= width)
    .map((element) => `${element.outerHTML.slice(0, 120)}: ${right(element)}`);
}"""
# Time and date fields narrower than their own value ("12:00 PM" shown as "12:00 P"): each is measured against
# a copy of itself at its natural width, next to it.
FIELDS_TOO_NARROW = """() => [...document.querySelectorAll("input[type=time], input[type=date]")].flatMap(
(field) => {
  const probe = field.cloneNode();
  probe.removeAttribute("id");
  for (const [name, value] of [["position", "absolute"], ["width", "auto"], ["min-width", "0"]]) {
    probe.style.setProperty(name, value);
  }
  field.after(probe);
  const needed = probe.getBoundingClientRect().width;
  const has = field.getBoundingClientRect().width;
  probe.remove();
  const name = `${field.name} "${field.value}"`;
  return needed > has + 0.5 ? [`${name}: ${Math.round(has)} of ${Math.round(needed)} px`] : [];
})"""
# Buttons that touch or overlap (two stacked with no space between read as one): pairs less than 4 px apart.
TOUCHING_BUTTONS = """() => {
  const boxes = [...document.querySelectorAll("main :is(button, [role=button], input[type=submit])")]
    .map((element) => [element, element.getBoundingClientRect()])
    .filter(([element, box]) => element.checkVisibility() && box.width > 0);
  const touching = [];
  boxes.forEach(([first, one], index) => boxes.slice(index + 1).forEach(([second, other]) => {
    if (first.contains(second) || second.contains(first)) return;
    const apart = Math.max(
      other.left - one.right, one.left - other.right, other.top - one.bottom, one.top - other.bottom);
    const names = `${first.textContent.trim()} / ${second.textContent.trim()}`;
    if (apart < 4) touching.push(`${names}: ${apart.toFixed(1)} px`);
  }));
  return touching;
}"""
DEVICES: dict[str, dict[str, Any]] = {"phone": PHONE, "desktop": DESKTOP}
ROLES = {
    "mentee@example.com": "employee",
    "mentor@example.com": "mentor",
    "hr@example.com": "hr",
    None: "visitor",
}
# The pages each kind of person must have met (beyond those everyone opens), whatever the seed dealt.
MUST_MEET = {
    "employee": {
        "session-upcoming",
        "session-past",
        "feedback",
        "follow-up",
        "request-detail",
        "shortlist",
        "book",
    },
    "mentor": {"session-upcoming", "session-past", "feedback", "follow-up", "availability", "impact", "book"},
    "hr": {"book"},
    "visitor": set(),
}
EVERYONE_SIGNED_IN = {
    "home",
    "mentors",
    "mentor",
    "requests",
    "request-new",
    "sessions",
    "moments",
    "introduce",
    "profile",
    "waitlists",
    "insights",
    "403-or-insights",
    "404",
    "500",
}


@dataclass(frozen=True)
class Visit:
    name: str
    url: str
    status: int = 200


@pytest.fixture(params=["en", "fr"])
def language(request) -> str:
    return request.param


@pytest.fixture(params=list(DEVICES))
def device(request) -> str:
    return request.param


@pytest.fixture
def sized_page(browser, live_server, csp_violations, device, language, who):
    """A signed-out visitor's French comes from the browser (Accept-Language); a signed-in person's from the
    profile, with the browser left in English."""
    locale = "fr-FR" if language == "fr" and who is None else "en-GB"
    yield from browser_page_on(browser, live_server, csp_violations, {**DEVICES[device], "locale": locale})


@pytest.fixture
def demo(transactional_db):
    # With DEBUG off (pytest-django's default, and the error pages' condition) seed_demo wants --force.
    call_command("seed_demo", mentors=8, employees=20, weeks_of_history=4, force=True, stdout=StringIO())
    return {user.email: user for user in User.objects.filter(email__endswith="@example.com")}


def visits_of(person: User | None) -> list[Visit]:
    """The pages of the issue's list that this person can open, and the refusals and faults they meet."""
    errors = [Visit("404", "/no-such-page/", 404), Visit("500", "/broken/", 500)]
    if person is None:
        return [
            Visit("login", "/accounts/login/"),
            Visit("signup", "/accounts/signup/"),
            Visit("password-reset", "/accounts/password/reset/"),
            *errors,
        ]
    mentor = User.objects.filter(is_mentor=True).exclude(pk=person.pk).order_by("email").first()
    assert mentor is not None
    waited_for = (
        User.objects.filter(is_mentor=True, mentor_profile__accepting=True)
        .exclude(pk=person.pk)
        .order_by("email")
    ).first()
    assert waited_for is not None
    # On a waiting list, with a time held (the demo's mentors have free times): "My waiting lists" shows it.
    join_waitlist(
        person=person,
        mentor=waited_for,
        before=timezone.now() + timedelta(days=3),
        duration=min(waited_for.mentor_profile.session_lengths),
    )
    visits = [
        Visit("home", "/"),
        Visit("mentors", "/mentors/"),
        # Every time the mentor offers: the demo mentor may have none inside this person's working hours.
        Visit("mentor", f"/mentors/{mentor.pk}/?all_times=1"),
        Visit("requests", "/requests/"),
        Visit("request-new", "/requests/new/"),
        Visit("sessions", "/sessions/"),
        Visit("moments", "/moments/"),
        Visit("introduce", f"/mentors/{mentor.pk}/introduce/"),
        Visit("profile", "/me/profile/"),
        Visit("waitlists", "/me/waitlist/"),
        Visit("password-change", "/accounts/password/change/"),
        Visit("emails", "/accounts/email/"),
        Visit("api-docs", "/api/docs/"),
        # HR's dashboard; everyone else meets the 403 page there.
        Visit("insights" if person.is_hr else "403-or-insights", "/insights/", 200 if person.is_hr else 403),
        *errors,
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
    asked = MentorRequest.objects.filter(asker=person).order_by("-created_at")
    request = asked.filter(status=MentorRequest.Status.OPEN).first() or asked.first()
    if request:
        visits.append(Visit("request-detail", f"/requests/{request.pk}/"))
    if not person.is_mentor and not person.is_hr:
        visits.append(Visit("shortlist", f"/requests/{request_with_a_shortlist(person).pk}/"))
    if person.is_mentor:
        visits += [Visit("availability", "/me/availability/"), Visit("impact", "/me/impact/")]
    return visits


def request_with_a_shortlist(asker: User) -> MentorRequest:
    """A request that a demo mentor can answer this week: the shortlist page with its cards."""
    offered = UserSkill.objects.filter(user__email="mentor@example.com").select_related("skill").first()
    assert offered is not None
    request = create_request(
        asker=asker,
        topic="Getting ready to present our roadmap to the leadership team",
        skills=[offered.skill],
        needed_by=timezone.now() + timedelta(days=7),
        duration=20,
    )
    assert request.match_count > 0
    return request


def assert_fits(page, axe_violations, width: int, language: str, where: str) -> None:
    wide = page.evaluate(PAGE_WIDTH)
    assert wide <= width, f"{where}: {wide} px wide in a {width} px window: {page.evaluate(TOO_WIDE, width)}"
    assert page.evaluate(FIELDS_TOO_NARROW) == [], f"{where}: fields too narrow for their value"
    lang = page.locator("html").get_attribute("lang")
    # Swagger UI and the schema it shows are in English, whatever the reader's language.
    expected = "en" if "/api/docs/" in page.url else "fr" if language == "fr" else "en-gb"
    assert lang == expected, f"{where} is in {lang}"
    if "/api/docs/" not in page.url:  # Swagger UI's own markup is not ours to fix
        assert page.evaluate(TOUCHING_BUTTONS) == [], f"{where}: buttons touching"
        assert axe_violations(page) == [], where


def assert_a_cells_action_sits_at_its_start(button) -> None:
    """A past session's action ("Mark no-show…", "Details") sits at the start of its cell, not centred."""
    box, cell = button.bounding_box(), button.locator("xpath=ancestor::td[1]").bounding_box()
    assert box is not None
    assert cell is not None
    assert box["width"] < cell["width"] / 2
    assert box["x"] <= cell["x"] + 16


def open_the_menu_from_the_keyboard(page) -> None:
    """Tab to the Menu button, open it with Enter, reach its links with Tab, close it with Escape; what a
    screen reader hears (the button's role, name and expanded state) follows."""
    toggle = page.locator(".menu-toggle")
    assert page.get_by_role("button", name="Menu", expanded=False).count() == 1
    menu = page.locator("#" + toggle.get_attribute("aria-controls"))
    assert not menu.is_visible()
    assert menu.get_by_role("link").count() == 0, "a closed menu's links are hidden from screen readers too"
    for _ in range(5):
        page.keyboard.press("Tab")
        if toggle.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Menu button")
    page.keyboard.press("Enter")
    assert page.get_by_role("button", name="Menu", expanded=True).count() == 1
    links = menu.get_by_role("link")
    assert links.count() >= 1
    assert links.first.is_visible()
    for index in range(links.count()):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        assert focused == links.nth(index).inner_text().strip()
    page.keyboard.press("Escape")
    assert page.get_by_role("button", name="Menu", expanded=False).count() == 1
    assert toggle.evaluate("element => element === document.activeElement"), "Escape gives the focus back"
    assert not menu.is_visible()
    page.keyboard.press(" ")
    assert toggle.get_attribute("aria-expanded") == "true", "Space opens it too"
    assert page.evaluate(PAGE_WIDTH) <= PHONE_WIDTH, "the open menu fits as well"


@pytest.mark.parametrize("who", list(ROLES))
def test_every_page_fits_the_screen_and_the_phone_menu_opens_from_the_keyboard(
    sized_page, transactional_db, request, who, device, language, axe_violations, screenshot
):
    page = sized_page
    width = DEVICES[device]["viewport"]["width"]
    role = ROLES[who]
    person = None
    if who:
        person = request.getfixturevalue("demo")[who]  # a visitor's pages need no data
        if language == "fr":
            person.language = "fr"
            person.save(update_fields=["language"])
        log_in_on(page, who, DEMO_PASSWORD)
    met = set()

    for visit in visits_of(person):
        response = page.goto(visit.url)
        assert response is not None
        assert response.status == visit.status, visit
        # Measured before the screenshot: a full-page one resizes the window for a moment.
        assert_fits(page, axe_violations, width, language, f"{visit.url} as {role}")
        screenshot(page, f"{device}-{language}-{role}-{visit.name}")
        met.add(visit.name)
        if visit.name == "sessions" and role == "mentor" and device == "phone":
            assert_a_cells_action_sits_at_its_start(page.locator("main td:last-child a").first)
        if visit.name == "mentor":
            # The booking step: one tap on a time from the mentor's page.
            page.locator("button.slot").first.click()
            page.wait_for_url("**/sessions/book/**")
            assert_fits(page, axe_violations, width, language, f"the booking step as {role}")
            screenshot(page, f"{device}-{language}-{role}-book")
            met.add("book")

    if who:
        everyone = EVERYONE_SIGNED_IN - {"403-or-insights" if person and person.is_hr else "insights"}
        assert everyone | MUST_MEET[role] <= met, f"{role} never met {(everyone | MUST_MEET[role]) - met}"

    page.goto("/")
    if device == "phone":
        open_the_menu_from_the_keyboard(page)
        screenshot(page, f"{device}-{language}-{role}-menu-open")
        assert axe_violations(page) == []
    else:
        assert not page.locator(".menu-toggle").is_visible(), "at 1280 px the links show, no Menu button"
        assert page.locator(".site-menu").get_by_role("link").first.is_visible()
        if who is None:
            log_in, sign_up = (page.locator(".site-menu a").nth(index).bounding_box() for index in (0, 1))
            assert log_in is not None
            assert sign_up is not None
            middle = abs((log_in["y"] + log_in["height"] / 2) - (sign_up["y"] + sign_up["height"] / 2))
            assert middle <= 2, "Sign up (a button) sits level with Log in"


def test_without_javascript_the_links_wrap_under_the_brand(browser, live_server, transactional_db, hr):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    log_in_on(page, hr.email, PASSWORD)
    page.goto("/sessions/")

    assert page.get_by_role("button", name="Menu").count() == 0
    assert page.get_by_role("link", name="My sessions").is_visible()
    assert page.get_by_role("link", name="Insights").is_visible()
    assert page.evaluate(PAGE_WIDTH) <= PHONE_WIDTH
    context.close()
