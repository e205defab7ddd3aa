"""Working hours in a real browser, at desktop and phone width: a London employee's shortlist, a mentor's page
and browse offer times inside both people's working hours first, "Show all times" (a plain link, working
without JavaScript) shows the rest; the mentor's page tells the time on the mentor's own clock; the profile
edits the working hours. axe-core on each page; screenshots in test-artifacts/."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from marketplace.models import WorkingHours
from tests.e2e.conftest import REPORT_CSP_VIOLATIONS, WIDTHS, is_csp_violation
from tests.factories import (
    PASSWORD,
    AvailabilityBlockFactory,
    MentorFactory,
    SkillFactory,
    UserFactory,
    UserSkillFactory,
)


def new_page(browser, live_server, csp_violations, *, width: int, javascript: bool = True):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda message: is_csp_violation(message.text) and csp_violations.append(message.text))
    return context, page


@pytest.fixture
def sized_page(browser, live_server, csp_violations, width):
    context, page = new_page(browser, live_server, csp_violations, width=WIDTHS[width])
    yield page
    context.close()
    assert csp_violations == [], "the Content-Security-Policy refused:\n" + "\n".join(csp_violations)


@pytest.fixture
def organisation(transactional_db):
    """A London employee; three mentors of public speaking. In London's wall-clock time, in every season:
    Nora (Kolkata) is free only at 00:30 or 01:30, Lee (São Paulo) only at 22:50 or 23:50, both outside
    everybody's working hours; Dana (Berlin) on weekdays at 10:00, inside both."""
    UserFactory(email="e@example.com", display_name="Erin Employee", timezone="Europe/London")
    speaking = SkillFactory(name="Public speaking", slug="public-speaking")
    night = MentorFactory(display_name="Nora Night", timezone="Asia/Kolkata")
    late = MentorFactory(display_name="Lee Late", timezone="America/Sao_Paulo")
    day = MentorFactory(display_name="Dana Day", timezone="Europe/Berlin")
    for mentor, level, days, hours in (
        (night, 3, range(7), (time(6), time(7))),  # 00:30–01:30 UTC
        (late, 3, range(7), (time(19, 50), time(20, 50))),  # 22:50–23:50 UTC
        (day, 1, range(5), (time(11), time(12))),  # 10:00–11:00 London
    ):
        UserSkillFactory(user=mentor, skill=speaking, level=level)
        for weekday in days:
            AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=hours[0], end=hours[1])
    return {"night": night, "late": late, "day": day}


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def assert_fits(page, selector: str, width: int) -> None:
    """The element lies within the viewport's width (nothing of it needs a sideways scroll)."""
    for box in page.locator(selector).evaluate_all(
        "nodes => nodes.map(node => node.getBoundingClientRect().right)"
    ):
        assert box <= width + 0.5, (selector, box, width)


def test_a_london_employee_gets_times_inside_working_hours_first_and_can_see_all(
    sized_page, organisation, screenshot, axe_violations, width
):
    page = sized_page
    log_in(page, "e@example.com")
    page.goto("/requests/new/")
    page.get_by_label("What do you need help with?").fill("I present our Q3 plan to the board")
    page.get_by_label("Public speaking").check()
    page.get_by_role("button", name="Find mentors").click()
    page.get_by_role("heading", name="Who can help before your deadline").wait_for()

    cards = page.locator(".match-card")
    assert cards.count() == 3
    first = cards.first
    # Dana knows the least and is the latest free, but she is the one inside both working days.
    assert first.get_by_role("heading", name="Dana Day").is_visible()
    assert first.get_by_text(re.compile(r"^Free .+ 10:00 in both your working hours, .+ before")).is_visible()
    assert first.get_by_role("button", name=re.compile(r"^Book .+, 10:00 with Dana Day$")).is_visible()
    for name in ("Nora Night", "Lee Late"):
        card = cards.filter(has=page.get_by_role("heading", name=name))
        assert card.get_by_text(re.compile(r"outside your working hours and theirs")).is_visible()
        assert card.get_by_role("button", name=re.compile("^Book ")).count() == 0
        assert card.get_by_text(
            "Free before your deadline only outside your working hours or theirs."
        ).is_visible()
    assert page.locator("#times-shown").get_by_role("link", name="Show all times").is_visible()
    assert_fits(page, ".match-card, #times-shown", WIDTHS[width])
    screenshot(page, f"working-hours-shortlist-{width}")
    assert axe_violations(page) == []

    page.locator("#times-shown").get_by_role("link", name="Show all times").click()
    page.wait_for_url(re.compile(r"all_times=1"))
    night_card = cards.filter(has=page.get_by_role("heading", name="Nora Night"))
    late_card = cards.filter(has=page.get_by_role("heading", name="Lee Late"))
    assert night_card.get_by_role(
        "button", name=re.compile(r"^Book .+, 0[01]:30 with Nora Night$")
    ).is_visible()
    assert late_card.get_by_role("button", name=re.compile(r"^Book .+, 2[23]:50 with Lee Late$")).is_visible()
    assert page.get_by_role("link", name="Only times inside both working hours").is_visible()
    screenshot(page, f"working-hours-shortlist-all-{width}")
    assert axe_violations(page) == []


def test_the_mentor_page_and_browse_default_to_both_working_days_and_tell_the_mentors_clock(
    sized_page, organisation, screenshot, axe_violations, width
):
    page = sized_page
    late = organisation["late"]
    log_in(page, "e@example.com")

    page.goto(f"/mentors/{late.pk}/")
    page.get_by_role("heading", name="Lee Late", level=1).wait_for()
    # The mentor's own clock (São Paulo), not the London viewer's; read around the minute it was rendered.
    told = re.search(r"it is (\d\d:\d\d) there", page.locator(".mentor-profile header").inner_text())
    assert told is not None
    sao_paulo = datetime.now(ZoneInfo("America/Sao_Paulo"))
    assert told.group(1) in {f"{sao_paulo - timedelta(minutes=m):%H:%M}" for m in (0, 1)}
    assert page.locator("button.slot").count() == 0
    assert page.get_by_text("No free time inside both your working hours and Lee Late's").is_visible()
    screenshot(page, f"working-hours-mentor-{width}")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Show times outside working hours").click()
    page.wait_for_url(re.compile(r"all_times=1"))
    slot = page.locator("button.slot").first
    assert re.fullmatch(r"2[23]:50", slot.inner_text()), slot.inner_text()
    assert_fits(page, ".slot-picker", WIDTHS[width])
    screenshot(page, f"working-hours-mentor-all-{width}")
    assert axe_violations(page) == []

    page.goto("/mentors/")
    day_card = page.locator("article", has=page.get_by_role("heading", name="Dana Day"))
    night_card = page.locator("article", has=page.get_by_role("heading", name="Nora Night"))
    assert re.search(r", 10:00$", day_card.locator("button.slot").first.inner_text())
    assert night_card.locator("button.slot").count() == 0
    assert night_card.get_by_text(
        "No free time inside both working hours in the next two weeks."
    ).is_visible()
    assert_fits(page, "#times-shown", WIDTHS[width])
    screenshot(page, f"working-hours-browse-{width}")
    assert axe_violations(page) == []
    page.locator("#times-shown").get_by_role("link", name="Show all times").click()
    page.wait_for_url(re.compile(r"all_times=1"))
    assert re.search(r", 0[01]:30$", night_card.locator("button.slot").first.inner_text())


def test_show_all_times_is_a_plain_link_that_works_without_javascript(
    browser, live_server, csp_violations, organisation
):
    context, page = new_page(browser, live_server, csp_violations, width=390, javascript=False)
    try:
        log_in(page, "e@example.com")
        page.goto(f"/mentors/{organisation['night'].pk}/")
        assert page.locator("button.slot").count() == 0
        page.get_by_role("link", name="Show times outside working hours").click()
        page.wait_for_url(re.compile(r"all_times=1"))
        assert re.fullmatch(r"0[01]:30", page.locator("button.slot").first.inner_text())
        page.get_by_role("link", name="Only times inside both working hours").click()
        page.wait_for_url(lambda url: "all_times" not in url)
        assert page.locator("button.slot").count() == 0
    finally:
        context.close()


def test_the_employee_edits_working_hours_on_the_profile_with_errors_on_the_day(
    sized_page, organisation, screenshot, axe_violations, width
):
    page = sized_page
    log_in(page, "e@example.com")
    page.goto("/me/profile/")
    monday, saturday = page.get_by_label("Monday", exact=True), page.get_by_label("Saturday", exact=True)
    assert monday.input_value() == "09:00–17:00"
    assert saturday.input_value() == ""
    assert_fits(page, "#working-hours", WIDTHS[width])
    screenshot(page, f"working-hours-profile-{width}")
    assert axe_violations(page) == []

    monday.fill("08:00-12:00, 13:00-16:00")
    saturday.fill("nine to noon")
    with page.expect_navigation():
        page.get_by_role("button", name="Save profile").click()
    error = page.locator("#id_hours_5_error")
    error.wait_for()
    assert "Write each interval as" in error.inner_text()
    # The error joins the field's label (house style), so the field is found by its name from here on.
    assert page.locator('input[name="hours_5"]').get_attribute("aria-invalid") == "true"
    assert not WorkingHours.objects.exists()
    screenshot(page, f"working-hours-profile-error-{width}")
    assert axe_violations(page) == []

    page.locator('input[name="hours_5"]').fill("10:00–12:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Save profile").click()
    page.goto("/me/profile/")
    assert page.get_by_label("Monday", exact=True).input_value() == "08:00–12:00, 13:00–16:00"
    assert page.get_by_label("Saturday", exact=True).input_value() == "10:00–12:00"
    stored = sorted(WorkingHours.objects.values_list("weekday", "start", "end"))
    assert stored[:2] == [(0, time(8), time(12)), (0, time(13), time(16))]
    assert stored[-1] == (5, time(10), time(12))
