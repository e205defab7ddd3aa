from datetime import time

from marketplace.models import WorkingHours
from tests.factories import (
    PASSWORD,
    AvailabilityBlockFactory,
    MentorFactory,
    SkillFactory,
    UserFactory,
    UserSkillFactory,
)


def test_employee_filters_mentors_by_skill_and_opens_one(
    page, transactional_db, log_in, screenshot, axe_violations
):
    employee = UserFactory(email="e@example.com", timezone="America/New_York")
    speaking = SkillFactory(name="Public speaking", slug="public-speaking")
    sql = SkillFactory(name="SQL", slug="sql", category="data")
    speaker = MentorFactory(
        display_name="Sid Speaker", timezone="Australia/Sydney", headline="Talks and pitches"
    )
    UserSkillFactory(user=speaker, skill=speaking, level=3)
    analyst = MentorFactory(display_name="Ana Analyst", timezone="Europe/Berlin")
    UserSkillFactory(user=analyst, skill=sql)
    for mentor in (speaker, analyst):
        for weekday in range(7):
            AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=time(9), end=time(11))
    # Sydney's mornings are New York's evenings: both work hours that meet there (in every season).
    for weekday in range(7):
        WorkingHours.objects.create(person=speaker, weekday=weekday, start=time(7), end=time(13))
        WorkingHours.objects.create(person=employee, weekday=weekday, start=time(12), end=time(23))

    log_in("e@example.com", PASSWORD)
    page.goto("/mentors/")
    assert page.get_by_role("heading", name="Ana Analyst").is_visible()
    page.get_by_label("Skill", exact=True).select_option(label="Public speaking")
    page.get_by_role("button", name="Show mentors").click()

    assert "skill=public-speaking" in page.url
    assert page.get_by_text("1 mentor found").is_visible()
    assert page.get_by_role("heading", name="Ana Analyst").count() == 0
    screenshot(page, "mentors-filtered")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Sid Speaker").click()
    page.get_by_role("heading", name="Sid Speaker", level=1).wait_for()
    first_slot = page.locator("button.slot").first
    assert first_slot.get_attribute("aria-label").startswith("Book ")
    assert first_slot.inner_text() in first_slot.get_attribute("aria-label")
    screenshot(page, "mentor-detail")
    assert axe_violations(page) == []
