"""Time off on the availability page: listed by its first and last day (both included), and the preview of
bookable times follows every change at once, with htmx and without JavaScript."""

import re
from datetime import UTC, datetime, time

import pytest
import time_machine

from marketplace.models import MentorProfile, TimeOff
from tests.factories import PASSWORD, AvailabilityBlockFactory, MentorFactory

MONDAY = datetime(2026, 11, 23, 6, tzinfo=UTC)


@pytest.fixture
def frozen_monday():
    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY


@pytest.fixture
def berlin_mentor(db):
    """Free 09:00–10:00 every day, Berlin time."""
    mentor = MentorFactory(email="berlin@example.com", display_name="Bea Berlin", timezone="Europe/Berlin")
    for weekday in range(7):
        AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=time(9), end=time(10))
    return mentor


@pytest.fixture
def signed_in(client, berlin_mentor):
    assert client.login(email=berlin_mentor.email, password=PASSWORD)
    return client


def time_off_items(page: str) -> list[str]:
    section = page.split('id="time-off"', 1)[1].split("</ul>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in section.split("<li>")[1:]]


def preview_of(page: str) -> str:
    """The preview section's text (the first one on the page)."""
    section = page.split('id="availability-preview"', 1)[1].split("</section>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def add_time_off(client, first: str, last: str, **headers):
    return client.post(
        "/me/availability/time-off/", {"start_date": first, "end_date": last, "note": ""}, **headers
    )


# --- End dates, inclusive ------------------------------------------------------------------------------


def test_time_off_of_9_to_10_december_is_listed_as_9_dec_to_10_dec(signed_in, frozen_monday):
    add_time_off(signed_in, "2026-12-09", "2026-12-10")
    add_time_off(signed_in, "2026-12-24", "2026-12-24")

    items = time_off_items(signed_in.get("/me/availability/").content.decode())

    assert items[0].startswith("Wed 9 Dec – Thu 10 Dec 2026")
    assert items[1].startswith("Thu 24 Dec 2026 ")
    assert not any("11 Dec" in item or "25 Dec" in item or "00:00" in item for item in items)


def test_the_days_are_those_of_the_blocks_zone_whatever_the_profile_zone(
    signed_in, berlin_mentor, frozen_monday
):
    add_time_off(signed_in, "2026-12-09", "2026-12-10")
    berlin_mentor.timezone = "America/Los_Angeles"  # the blocks (and the days off) stay in Berlin time
    berlin_mentor.save()
    assert MentorProfile.objects.get(user=berlin_mentor).availability_timezone == "Europe/Berlin"

    items = time_off_items(signed_in.get("/me/availability/").content.decode())

    assert items[0].startswith("Wed 9 Dec – Thu 10 Dec 2026")


def test_time_off_that_is_not_whole_days_is_listed_with_its_times(signed_in, berlin_mentor, frozen_monday):
    TimeOff.objects.create(
        mentor=berlin_mentor,
        start=datetime(2026, 12, 1, 13, tzinfo=UTC),
        end=datetime(2026, 12, 1, 15, 30, tzinfo=UTC),
    )

    items = time_off_items(signed_in.get("/me/availability/").content.decode())

    assert items[0].startswith("Tue 1 Dec 2026 14:00 – Tue 1 Dec 2026 16:30")


# --- The preview follows time off ----------------------------------------------------------------------


def test_with_htmx_adding_time_off_sends_the_preview_along_without_the_days_off(signed_in, frozen_monday):
    before = preview_of(signed_in.get("/me/availability/").content.decode())

    response = add_time_off(signed_in, "2026-11-25", "2026-11-26", HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert "Wed 25 Nov" in before
    assert "Thu 26 Nov" in before
    assert re.search(r'<section id="availability-preview"[^>]* hx-swap-oob="true">', page)
    after = preview_of(page)
    assert "Wed 25 Nov" not in after
    assert "Thu 26 Nov" not in after
    assert "Tue 24 Nov" in after
    assert "Fri 27 Nov" in after
    assert "Time off added. The preview is up to date." in page


def test_with_htmx_removing_time_off_brings_the_days_back_into_the_preview(
    signed_in, berlin_mentor, frozen_monday
):
    add_time_off(signed_in, "2026-11-25", "2026-11-25")
    period = TimeOff.objects.get(mentor=berlin_mentor)

    response = signed_in.post(f"/me/availability/time-off/{period.pk}/delete/", HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert 'hx-swap-oob="true"' in page
    assert "Wed 25 Nov" in preview_of(page)
    assert "Time off removed. The preview is up to date." in page


def test_a_refused_time_off_with_htmx_leaves_the_preview_alone(signed_in, frozen_monday):
    response = add_time_off(signed_in, "2026-11-26", "2026-11-25", HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert "The last day off cannot be before the first." in page
    assert "availability-preview" not in page


def test_without_javascript_adding_time_off_returns_to_the_page_with_the_preview_updated(
    signed_in, frozen_monday
):
    response = add_time_off(signed_in, "2026-11-25", "2026-11-25")

    assert response.status_code == 302
    assert response["Location"] == "/me/availability/"
    page = signed_in.get(response["Location"]).content.decode()
    assert "Time off added. The preview is up to date." in page
    assert "Wed 25 Nov" not in preview_of(page)
    assert "Thu 26 Nov" in preview_of(page)
    assert "hx-swap-oob" not in page


def test_without_javascript_removing_time_off_returns_to_the_page_with_the_day_back(
    signed_in, berlin_mentor, frozen_monday
):
    add_time_off(signed_in, "2026-11-25", "2026-11-25")
    period = TimeOff.objects.get(mentor=berlin_mentor)

    response = signed_in.post(f"/me/availability/time-off/{period.pk}/delete/", follow=True)

    page = response.content.decode()
    assert "Time off removed. The preview is up to date." in page
    assert "Wed 25 Nov" in preview_of(page)


def test_without_javascript_a_refused_time_off_is_400_on_the_page(signed_in, frozen_monday):
    response = add_time_off(signed_in, "2026-11-26", "2026-11-25")

    assert response.status_code == 400
    assert "The last day off cannot be before the first." in response.content.decode()
    assert not TimeOff.objects.exists()
