"""The mentor page's "it is HH:MM there": the mentor's wall clock, whatever zone the viewer's page is in."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.factories import PASSWORD, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("instant", "viewer_zone", "mentor_zone", "there", "here"),
    [
        # London on GMT (UTC+0), São Paulo on UTC-3 all year: the report's 15:44 there, 18:44 here.
        (datetime(2026, 1, 15, 18, 44, tzinfo=UTC), "Europe/London", "America/Sao_Paulo", "15:44", "18:44"),
        # London on BST (UTC+1) in July: four hours apart.
        (datetime(2026, 7, 15, 17, 44, tzinfo=UTC), "Europe/London", "America/Sao_Paulo", "14:44", "18:44"),
        # New York moved to EDT on 8 March 2026, London only on 29 March: four hours apart for three weeks...
        (datetime(2026, 3, 10, 16, 0, tzinfo=UTC), "Europe/London", "America/New_York", "12:00", "16:00"),
        # ... five the week before.
        (datetime(2026, 3, 6, 16, 0, tzinfo=UTC), "Europe/London", "America/New_York", "11:00", "16:00"),
        # Half-hour zone seen from a DST zone.
        (datetime(2026, 10, 26, 9, 15, tzinfo=UTC), "Europe/London", "Asia/Kolkata", "14:45", "09:15"),
    ],
)
def test_mentor_page_tells_the_time_on_the_mentors_clock(
    client, instant, viewer_zone, mentor_zone, there, here
):
    mentor = MentorFactory(display_name="Sofia Santos", timezone=mentor_zone)
    viewer = UserFactory(timezone=viewer_zone)
    assert client.login(email=viewer.email, password=PASSWORD)
    with time_machine.travel(instant, tick=False):
        html = client.get(f"/mentors/{mentor.pk}/").content.decode()

    assert f"lives in {mentor_zone} (it is {there} there)" in " ".join(html.split())
    assert f"it is {here} there" not in html
