"""GET/POST /api/v1/me/busy-calendars/, DELETE /api/v1/me/busy-calendars/{id}/, POST …/{id}/sync/."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendars.models import BusyCalendar, BusyInterval
from tests.calendars.ics_files import ics

LIST = "/api/v1/me/busy-calendars/"
SECRET = "https://calendar.google.com/calendar/ical/marco/private-4f6c1b2a9e8d7c6b/basic.ics"


def detail(calendar_id: int) -> str:
    return f"{LIST}{calendar_id}/"


def test_connecting_answers_201_with_the_calendar_waiting_for_its_first_sync(api_as, mentor):
    response = api_as(mentor).post(LIST, {"url": SECRET}, format="json")

    assert response.status_code == 201, response.json()
    calendar = BusyCalendar.objects.get()
    assert response.json() == {
        "id": calendar.pk,
        "url": SECRET,  # the owner's own secret, to the owner
        "status": "pending",
        "error": None,
        "last_synced_at": None,
        "busy_events": 0,
    }
    assert (calendar.owner, calendar.url) == (mentor, SECRET)


def test_the_list_shows_only_my_calendars_in_the_order_connected(api_as, mentor, mentee):
    api_as(mentee).post(LIST, {"url": "https://calendar.example.com/mentee.ics"}, format="json")
    client = api_as(mentor)
    client.post(LIST, {"url": "webcal://p42-caldav.icloud.com/published/2/abc"}, format="json")
    client.post(LIST, {"url": SECRET}, format="json")

    response = client.get(LIST)

    assert response.status_code == 200
    assert [item["url"] for item in response.json()] == [
        "webcal://p42-caldav.icloud.com/published/2/abc",
        SECRET,
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "This field is required."),
        ({"url": ""}, "This field may not be blank."),
        ({"url": 12}, "Expected a string, got an integer."),
        (
            {"url": "http://calendar.example.com/x.ics"},
            "Give an https:// or webcal:// address, as your calendar shows it.",
        ),
        ({"url": "https://10.0.0.8/x.ics"}, "Refused: a private network address."),
        (
            {"url": "https://calendar.example.com/" + "x" * 2001},
            "Ensure this field has no more than 2000 characters.",
        ),
    ],
)
def test_a_bad_address_is_a_400_naming_url_and_nothing_is_stored(api_as, mentor, body, message):
    response = api_as(mentor).post(LIST, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"url": [message]}
    assert not BusyCalendar.objects.exists()


def test_removing_answers_204_and_forgets_the_busy_times(api_as, mentor, server, allow_private):
    server.serve("/basic.ics", ics("google"))
    client = api_as(mentor)
    created = client.post(LIST, {"url": server.url("/basic.ics")}, format="json").json()
    client.post(f"{detail(created['id'])}sync/")

    response = client.delete(detail(created["id"]))

    assert response.status_code == 204
    assert not BusyCalendar.objects.exists()
    assert not BusyInterval.objects.exists()


def test_someone_elses_calendar_is_404_to_remove_and_to_sync(api_as, mentor, mentee):
    created = api_as(mentor).post(LIST, {"url": SECRET}, format="json").json()
    client = api_as(mentee)

    assert client.delete(detail(created["id"])).status_code == 404
    assert client.post(f"{detail(created['id'])}sync/").status_code == 404
    assert client.post(f"{detail(10**9)}sync/").status_code == 404
    assert BusyCalendar.objects.filter(pk=created["id"], status="pending").exists()


def test_sync_now_fetches_and_answers_the_calendar_as_it_is_now(api_as, mentor, server, allow_private, march):
    server.serve("/basic.ics", ics("google"))
    client = api_as(mentor)
    created = client.post(LIST, {"url": server.url("/basic.ics")}, format="json").json()

    response = client.post(f"{detail(created['id'])}sync/")

    assert response.status_code == 200
    assert response.json() == {
        "id": created["id"],
        "url": server.url("/basic.ics"),
        "status": "ok",
        "error": None,
        "last_synced_at": "2026-03-02T00:00:00Z",
        "busy_events": 19,  # the owner here is mentor@example.com: the event marco declined is busy
    }
    assert len(server.seen("/basic.ics")) == 1


def test_a_calendar_that_cannot_be_read_says_why_in_words(api_as, mentor, server, allow_private):
    server.answer("/basic.ics", 404)
    client = api_as(mentor)
    created = client.post(LIST, {"url": server.url("/basic.ics")}, format="json").json()

    body = client.post(f"{detail(created['id'])}sync/").json()

    assert (body["status"], body["error"], body["last_synced_at"]) == (
        "error",
        "The calendar address answered 404.",
        None,
    )
    assert client.get(LIST).json()[0]["error"] == "The calendar address answered 404."


def test_the_list_costs_the_same_queries_for_one_calendar_or_five(api_as, mentor, django_assert_num_queries):
    client = api_as(mentor)
    client.post(LIST, {"url": "https://calendar.example.com/0.ics"}, format="json")
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(LIST).json()) == 1
    queries = len(few)  # now: the next request empties the log it reads
    for n in range(1, 5):
        client.post(LIST, {"url": f"https://calendar.example.com/{n}.ics"}, format="json")

    with django_assert_num_queries(queries):
        assert len(client.get(LIST).json()) == 5


def test_signed_out_callers_get_401(api):
    assert api.get(LIST).status_code == 401
    assert api.post(LIST, {"url": SECRET}, format="json").status_code == 401


def test_sync_now_runs_once_a_minute_per_calendar_and_says_when_to_try_again(
    api_as, mentor, server, allow_private, march
):
    server.serve("/basic.ics", ics("google"))
    client = api_as(mentor)
    created = client.post(LIST, {"url": server.url("/basic.ics")}, format="json").json()
    fetched_on_connect = len(server.seen("/basic.ics"))
    assert client.post(f"{detail(created['id'])}sync/").status_code == 200

    with time_machine.travel(march + timedelta(seconds=20), tick=False):
        again = client.post(f"{detail(created['id'])}sync/")
    with time_machine.travel(march + timedelta(seconds=60), tick=False):
        later = client.post(f"{detail(created['id'])}sync/")

    assert again.status_code == 429
    assert again["Retry-After"] == "40"
    assert again.json() == {
        "detail": "You asked for this calendar to be read moments ago. Try again in 40 seconds.",
        "code": "too_soon",
    }
    assert later.status_code == 200
    assert len(server.seen("/basic.ics")) == fetched_on_connect + 2  # the refused one fetched nothing


def test_someone_elses_calendar_is_404_even_while_its_owner_may_not_sync(api_as, mentor, mentee, march):
    created = api_as(mentor).post(LIST, {"url": SECRET}, format="json").json()
    BusyCalendar.objects.filter(pk=created["id"]).update(last_sync_now_at=march)

    assert api_as(mentee).post(f"{detail(created['id'])}sync/").status_code == 404
