"""The pages work under their Content-Security-Policy (no inline script or style): nothing is refused.

Every e2e test fails on a violation (the `page` fixture); these visit the pages that once needed inline code
or load third-party scripts: the request form's skill picker, Swagger UI, htmx and Chart.js pages.
"""

from datetime import UTC, datetime, time

from tests.e2e.test_insights import seed_organisation
from tests.factories import PASSWORD, AvailabilityBlockFactory, MentorFactory, SkillFactory, UserFactory


def test_the_request_form_filters_skills_with_its_script_from_a_file(
    page, transactional_db, log_in, csp_violations
):
    UserFactory(email="e@example.com")
    SkillFactory(name="Public speaking", slug="public-speaking")
    SkillFactory(name="SQL", slug="sql", category="data")
    log_in("e@example.com", PASSWORD)

    response = page.goto("/requests/new/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_label("Filter skills").fill("speak")
    assert not page.get_by_label("SQL").is_visible()
    page.get_by_label("Filter skills").press("Enter")  # picks the first skill shown
    assert page.get_by_label("Public speaking").is_checked()
    assert page.get_by_text("Chosen: Public speaking").is_visible()
    assert csp_violations == []


def test_swagger_ui_shows_the_api_under_the_policy(page, transactional_db, csp_violations):
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    page.get_by_text("/api/v1/me/", exact=True).first.wait_for()
    page.locator(".opblock-summary").first.click()  # expands an operation: React renders more of the UI
    page.locator(".opblock-body").first.wait_for()
    assert csp_violations == []


def test_the_availability_editor_saves_with_htmx_under_the_policy(
    page, transactional_db, log_in, csp_violations
):
    mentor = MentorFactory(email="m@example.com", timezone="Europe/Berlin")
    AvailabilityBlockFactory(mentor=mentor, weekday=0, start=time(9), end=time(10))
    log_in("m@example.com", PASSWORD)

    page.goto("/me/availability/")
    page.get_by_role("group", name="Monday").get_by_label("Monday block 1 to").fill("11:00")
    page.get_by_role("button", name="Save availability").click()
    page.get_by_text("Saved. The preview below is up to date.").wait_for()
    assert csp_violations == []


def test_the_insights_charts_draw_under_the_policy(page, transactional_db, hr, log_in, csp_violations):
    seed_organisation(datetime.now(UTC), hr)
    log_in(hr.email, PASSWORD)

    page.goto("/insights/")
    page.wait_for_function("() => Chart.getChart(document.getElementById('chart-weekly')) !== undefined")
    page.get_by_text("Data table").first.click()
    assert csp_violations == []
