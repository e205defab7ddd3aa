from datetime import time

from marketplace.models import AvailabilityBlock
from tests.factories import PASSWORD, AvailabilityBlockFactory, MentorFactory


def test_mentor_edits_a_block_and_sees_the_preview_change(
    page, transactional_db, log_in, screenshot, axe_violations
):
    mentor = MentorFactory(email="m@example.com", timezone="Europe/Berlin")
    for weekday in range(7):
        AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=time(9), end=time(10))
    log_in("m@example.com", PASSWORD)
    page.goto("/me/availability/")
    preview = page.locator(".preview-days")
    assert "09:00–09:40" in preview.inner_text()

    monday = page.get_by_role("group", name="Monday")
    monday.get_by_label("Monday block 1 to").fill("11:00")
    for day in ("Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        page.get_by_role("group", name=day).get_by_label(f"{day} block 1 to").fill("11:00")
    page.get_by_role("button", name="Save availability").click()

    page.get_by_text("Saved. The preview below is up to date.").wait_for()
    assert "09:00–10:40" in page.locator(".preview-days").inner_text()
    assert "09:00–09:40" not in page.locator(".preview-days").inner_text()
    assert set(AvailabilityBlock.objects.filter(mentor=mentor).values_list("end", flat=True)) == {time(11)}
    screenshot(page, "availability-editor")
    assert axe_violations(page) == []


def test_mentor_adds_a_block_then_sees_an_overlap_named_without_a_reload(page, transactional_db, log_in):
    mentor = MentorFactory(email="m@example.com", timezone="Europe/Berlin")
    AvailabilityBlockFactory(mentor=mentor, weekday=2, start=time(9), end=time(12))
    log_in("m@example.com", PASSWORD)
    page.goto("/me/availability/")
    page.evaluate("window.notReloaded = true")

    page.get_by_role("button", name="Add block on Wednesday").click()
    page.get_by_label("Wednesday block 2 from").wait_for()
    page.get_by_label("Wednesday block 2 from").fill("11:00")
    page.get_by_label("Wednesday block 2 to").fill("13:00")
    page.get_by_role("button", name="Save availability").click()

    page.get_by_text("On Wednesday, 09:00–12:00 and 11:00–13:00 overlap.").wait_for()
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the editor in place
    assert AvailabilityBlock.objects.filter(mentor=mentor).count() == 1
