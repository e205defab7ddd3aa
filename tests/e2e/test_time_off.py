"""A mentor adds time off and the preview of bookable times drops those days at once, without a reload;
removing it brings them back. Desktop and phone width, axe-core on the page."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from marketplace.models import TimeOff
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, AvailabilityBlockFactory, MentorFactory


def test_time_off_leaves_the_preview_at_once_and_comes_back_when_removed(
    sized_page, transactional_db, axe_violations, width
):
    page = sized_page
    mentor = MentorFactory(email="bea@example.com", display_name="Bea Berlin", timezone="Europe/Berlin")
    for weekday in range(7):
        AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=time(9), end=time(10))
    first = timezone.now().astimezone(ZoneInfo("Europe/Berlin")).date() + timedelta(days=2)
    last = first + timedelta(days=1)
    # As the page writes days: "Wed 9 Dec" (no leading zero).
    first_label, last_label = (f"{day:%a} {day.day} {day:%b}" for day in (first, last))

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("bea@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/me/availability/")
    preview = page.locator("#availability-preview")
    assert first_label in preview.inner_text()
    assert last_label in preview.inner_text()
    page.evaluate("window.notReloaded = true")

    page.get_by_label("First day off").fill(first.isoformat())
    page.get_by_label("Last day off").fill(last.isoformat())
    page.get_by_role("button", name="Add time off").click()

    page.get_by_text("Time off added. The preview is up to date.").wait_for()
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the parts in place
    assert first_label not in preview.inner_text()
    assert last_label not in preview.inner_text()
    listed = page.locator("#time-off li").first.inner_text()
    assert listed.startswith(f"{first_label} – {last_label}")
    # caret="initial": hiding the caret leaves style attributes on the inputs, which htmx's settling of the
    # next swap would copy (and the Content-Security-Policy refuse).
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"time-off-added-{width}.png"), full_page=True, caret="initial")
    assert axe_violations(page) == []

    page.get_by_role("button", name=f"Remove time off from {first.day} {first:%B}").click()
    page.get_by_text("Time off removed. The preview is up to date.").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert first_label in preview.inner_text()
    assert not TimeOff.objects.filter(mentor=mentor).exists()
    assert axe_violations(page) == []
