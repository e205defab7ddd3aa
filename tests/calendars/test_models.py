"""A calendar's address is a secret: pages show it masked, and the model never prints it whole."""

import pytest

from calendars.models import BusyCalendar, masked_url

GOOGLE = (
    "https://calendar.google.com/calendar/ical/marco.mentor%40example.com/"
    "private-4f6c1b2a9e8d7c6b5a4f3e2d1c0b9a8f/basic.ics"
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (GOOGLE, "https://calendar.google.com/…9a8f"),
        (
            "https://outlook.office365.com/owa/calendar/0f1e2d3c@example.com/a1b2c3d4e5f6a7b8c9d0e1f2/calendar.ics",
            "https://outlook.office365.com/…e1f2",
        ),
        (
            "webcal://p42-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NQ",
            "webcal://p42-caldav.icloud.com/…M0NQ",
        ),
        ("https://calendar.example.com", "https://calendar.example.com/…"),
    ],
)
def test_an_address_is_shown_with_its_host_and_four_characters_of_its_secret(url, shown):
    assert masked_url(url) == shown


def test_a_calendar_prints_its_masked_address_only():
    calendar = BusyCalendar(url=GOOGLE, owner_id=7)

    assert "4f6c1b2a" not in str(calendar)
    assert "4f6c1b2a" not in repr(calendar)
    assert str(calendar) == "https://calendar.google.com/…9a8f of 7"
