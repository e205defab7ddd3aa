"""The one-week follow-up opens when a week has passed since the session ended, not before: the page, the
email's link, the session page and the API all draw the line at the same instant."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sessions_app import links
from sessions_app.models import FOLLOW_UP_AFTER, Booking, FollowUp
from tests.factories import BookingFactory

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 10:00 UTC; 10:00 in London
END = START + timedelta(minutes=30)
OPENS = END + timedelta(days=7)  # Monday 30 November, 10:30 UTC
JUST_BEFORE = OPENS - timedelta(seconds=1)


@pytest.fixture
def held(mentee, mentor):
    return BookingFactory(mentor=mentor, mentee=mentee, start=START, status=Booking.Status.COMPLETED)


def follow_up_path(booking: Booking) -> str:
    return f"/sessions/{booking.pk}/follow-up/"


def test_the_follow_up_opens_a_week_after_the_end():
    assert timedelta(days=7) == FOLLOW_UP_AFTER


def test_the_day_after_the_session_the_page_says_when_it_opens_and_offers_no_form(client, held, mentee):
    with time_machine.travel(END + timedelta(days=1), tick=False):
        client.force_login(mentee)
        response = client.get(follow_up_path(held))

    page = response.content.decode()
    assert response.status_code == 200
    assert "The one-week follow-up opens a week after the session, on Monday 30 November 2026, 10:30." in page
    assert 'name="outcome"' not in page


def test_a_second_before_the_week_is_up_the_page_and_the_api_refuse_the_answer(client, api_as, held, mentee):
    with time_machine.travel(JUST_BEFORE, tick=False):
        client.force_login(mentee)
        page = client.post(follow_up_path(held), {"outcome": "yes", "note": ""})
        api = api_as(mentee).post(f"/api/v1/bookings/{held.pk}/follow-up/", {"outcome": "yes"}, format="json")

    assert page.status_code == 409
    assert "opens a week after the session" in page.content.decode()
    assert api.status_code == 409
    assert api.json()["code"] == "too_early"
    assert "opens a week after the session" in api.json()["detail"]
    assert not FollowUp.objects.exists()


def test_the_email_link_a_second_early_records_nothing(client, held, mentee):
    url = links.follow_up_url(booking_id=held.pk, user_id=mentee.pk)
    path, token = "/" + url.split("://", 1)[1].split("/", 1)[1].split("?")[0], url.split("t=", 1)[1]

    with time_machine.travel(JUST_BEFORE, tick=False):
        opened = client.get(f"{path}?t={token}&outcome=yes")
        posted = client.post(path, {"t": token, "outcome": "yes", "note": ""})

    assert 'name="outcome"' not in opened.content.decode()
    assert "opens a week after the session" in opened.content.decode()
    assert posted.status_code == 409
    assert not FollowUp.objects.exists()


def test_once_the_week_is_up_the_page_records_the_answer(client, held, mentee):
    with time_machine.travel(OPENS, tick=False):
        client.force_login(mentee)
        form = client.get(follow_up_path(held)).content.decode()
        response = client.post(follow_up_path(held), {"outcome": "partly", "note": "Half of it"})

    assert 'name="outcome"' in form
    assert response.status_code == 200
    assert FollowUp.objects.get(booking=held).outcome == "partly"


def test_once_the_week_is_up_the_api_records_the_answer(api_as, held, mentee):
    with time_machine.travel(OPENS, tick=False):
        response = api_as(mentee).post(
            f"/api/v1/bookings/{held.pk}/follow-up/", {"outcome": "yes"}, format="json"
        )

    assert response.status_code == 201, response.json()


def test_the_session_page_links_to_the_follow_up_only_once_it_is_open(client, held, mentee):
    with time_machine.travel(JUST_BEFORE, tick=False):
        client.force_login(mentee)
        before = client.get(f"/sessions/{held.pk}/").content.decode()
    with time_machine.travel(OPENS, tick=False):
        client.force_login(mentee)
        after = client.get(f"/sessions/{held.pk}/").content.decode()

    assert follow_up_path(held) not in before
    assert (
        "The one-week follow-up opens a week after the session, on Monday 30 November 2026, 10:30." in before
    )
    assert follow_up_path(held) in after
