"""The profile page's "Your own calendars" section and the pages behind its forms, without JavaScript: connect
an address, see each calendar's state (last read, events found, the error in words), sync now, remove."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendars.models import BusyCalendar
from tests.calendars.ics_files import ics
from tests.factories import PASSWORD

PROFILE = "/me/profile/"
CALENDARS = "/me/busy-calendars/"
SECRET = "https://calendar.google.com/calendar/ical/marco/private-4f6c1b2a9e8d7c6b5a4f/basic.ics"


@pytest.fixture
def signed_in(client, mentor):
    assert client.login(email=mentor.email, password=PASSWORD)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_profile_offers_to_connect_a_calendar(signed_in):
    page = signed_in.get(PROFILE)

    assert page.status_code == 200
    assert "Your own calendars" in text(page)
    assert "No calendar connected yet." in text(page)
    assert f'action="{CALENDARS}"' in page.content.decode()
    assert 'name="url"' in page.content.decode()


def test_connecting_goes_back_to_the_profile_which_shows_the_address_masked(signed_in, mentor):
    response = signed_in.post(CALENDARS, {"url": SECRET})

    assert response.status_code == 302
    assert response["Location"] == f"{PROFILE}#busy-calendars"
    assert BusyCalendar.objects.get().owner == mentor
    page = signed_in.get(PROFILE)
    assert "https://calendar.google.com/…5a4f" in text(page)
    assert "Calendar connected: https://calendar.google.com/…5a4f." in text(page)
    assert "Not read yet: it is read within a few minutes, or now with “Sync now”." in text(page)
    assert "private-4f6c1b2a" not in page.content.decode()  # the secret never on a page


def test_a_refused_address_is_shown_on_its_field_and_nothing_is_stored(signed_in):
    response = signed_in.post(CALENDARS, {"url": "https://192.168.0.10/calendar.ics"})

    assert response.status_code == 400
    assert "Refused: a private network address." in text(response)
    assert 'aria-invalid="true"' in response.content.decode()
    assert not BusyCalendar.objects.exists()


def test_an_empty_address_is_refused_on_its_field(signed_in):
    response = signed_in.post(CALENDARS, {"url": ""})

    assert response.status_code == 400
    assert "This field is required." in text(response)


def test_sync_now_reads_the_calendar_and_says_what_it_found(signed_in, mentor, server, allow_private, march):
    server.serve("/basic.ics", ics("google"))
    signed_in.post(CALENDARS, {"url": server.url("/basic.ics")})
    calendar = BusyCalendar.objects.get()

    response = signed_in.post(f"{CALENDARS}{calendar.pk}/sync/", follow=True)

    assert response.redirect_chain == [(f"{PROFILE}#busy-calendars", 302)]
    page = text(response)
    assert "Calendar read: 19 busy events found." in page
    # In the mentor's zone (Berlin): 2 March 2026, 01:00.
    assert "Last read Mon 2 Mar 2026 01:00: 19 busy events found." in page


def test_a_calendar_that_cannot_be_read_shows_why_in_words(signed_in, server, allow_private, march):
    server.answer("/basic.ics", 404)
    signed_in.post(CALENDARS, {"url": server.url("/basic.ics")})
    calendar = BusyCalendar.objects.get()

    response = signed_in.post(f"{CALENDARS}{calendar.pk}/sync/", follow=True)

    page = text(response)
    assert "Your calendar could not be read: The calendar address answered 404." in page
    assert "Could not be read Mon 2 Mar 2026 01:00: The calendar address answered 404." in page


def test_remove_disconnects_the_calendar(signed_in):
    signed_in.post(CALENDARS, {"url": SECRET})
    calendar = BusyCalendar.objects.get()

    response = signed_in.post(f"{CALENDARS}{calendar.pk}/remove/", follow=True)

    assert response.redirect_chain == [(f"{PROFILE}#busy-calendars", 302)]
    assert "Calendar removed" in text(response)
    assert not BusyCalendar.objects.exists()


def test_someone_elses_calendar_is_404_to_sync_and_remove(client, mentee, mentor):
    calendar = BusyCalendar.objects.create(owner=mentor, url=SECRET)
    assert client.login(email=mentee.email, password=PASSWORD)

    assert client.post(f"{CALENDARS}{calendar.pk}/sync/").status_code == 404
    assert client.post(f"{CALENDARS}{calendar.pk}/remove/").status_code == 404
    assert client.get(f"{CALENDARS}{calendar.pk}/remove/").status_code == 405
    assert BusyCalendar.objects.filter(pk=calendar.pk).exists()


def test_the_calendars_have_a_page_of_their_own(signed_in):
    signed_in.post(CALENDARS, {"url": SECRET})

    page = signed_in.get(CALENDARS)

    assert page.status_code == 200
    assert "https://calendar.google.com/…5a4f" in text(page)


def test_signed_out_visitors_are_sent_to_log_in(client, db):
    response = client.post(CALENDARS, {"url": SECRET})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not BusyCalendar.objects.exists()


def test_the_profile_costs_the_same_queries_for_one_calendar_or_five(
    signed_in, mentor, django_assert_num_queries
):
    BusyCalendar.objects.create(owner=mentor, url="https://calendar.example.com/0.ics")
    signed_in.get(PROFILE)
    with CaptureQueriesContext(connection) as few:
        signed_in.get(PROFILE)
    queries = len(few)
    for n in range(1, 5):
        BusyCalendar.objects.create(owner=mentor, url=f"https://calendar.example.com/{n}.ics")

    with django_assert_num_queries(queries):
        assert signed_in.get(PROFILE).content.decode().count('/sync/"') == 5


def test_sync_now_pressed_again_at_once_says_when_it_can_run_again(signed_in, server, allow_private, march):
    server.serve("/basic.ics", ics("google"))
    signed_in.post(CALENDARS, {"url": server.url("/basic.ics")})
    calendar = BusyCalendar.objects.get()
    signed_in.post(f"{CALENDARS}{calendar.pk}/sync/")
    fetched = len(server.seen("/basic.ics"))

    response = signed_in.post(f"{CALENDARS}{calendar.pk}/sync/", follow=True)

    assert response.redirect_chain == [(f"{PROFILE}#busy-calendars", 302)]
    assert "You asked for this calendar to be read moments ago. Try again in 60 seconds." in text(response)
    assert len(server.seen("/basic.ics")) == fetched
