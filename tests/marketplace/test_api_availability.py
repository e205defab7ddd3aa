from datetime import UTC, datetime, time

import pytest

from marketplace.models import AvailabilityBlock, MentorProfile, TimeOff
from tests.factories import AvailabilityBlockFactory

URL = "/api/v1/me/availability/"
TIME_OFF_URL = "/api/v1/me/time-off/"


def test_put_replaces_all_blocks_and_get_returns_them_monday_first(api_as, mentor):
    AvailabilityBlockFactory(mentor=mentor, weekday=4, start=time(8), end=time(9))
    client = api_as(mentor)

    response = client.put(
        URL,
        {
            "timezone": "America/New_York",
            "blocks": [
                {"weekday": 2, "start": "14:00", "end": "15:30"},
                {"weekday": 0, "start": "09:00", "end": "10:30"},
                {"weekday": 0, "start": "11:00", "end": "12:00"},
            ],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "timezone": "America/New_York",
        "blocks": [
            {"weekday": 0, "start": "09:00", "end": "10:30"},
            {"weekday": 0, "start": "11:00", "end": "12:00"},
            {"weekday": 2, "start": "14:00", "end": "15:30"},
        ],
    }
    assert client.get(URL).json() == response.json()
    assert MentorProfile.objects.get(user=mentor).availability_timezone == "America/New_York"


def test_blocks_touching_end_to_start_are_not_an_overlap(api_as, mentor):
    response = api_as(mentor).put(
        URL,
        {
            "timezone": "UTC",
            "blocks": [
                {"weekday": 1, "start": "09:00", "end": "10:00"},
                {"weekday": 1, "start": "10:00", "end": "11:00"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200
    assert list(AvailabilityBlock.objects.filter(mentor=mentor).values_list("weekday", "start", "end")) == [
        (1, time(9), time(10)),
        (1, time(10), time(11)),
    ]


def test_an_empty_list_removes_every_block(api_as, mentor):
    AvailabilityBlockFactory(mentor=mentor)
    assert api_as(mentor).put(URL, {"timezone": "UTC", "blocks": []}, format="json").status_code == 200
    assert not AvailabilityBlock.objects.filter(mentor=mentor).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Base", "blocks": []}, "timezone"),
        ({"blocks": []}, "timezone"),
        ({"timezone": "UTC"}, "blocks"),
        ({"timezone": "UTC", "blocks": "all week"}, "blocks"),
        ({"timezone": "UTC", "blocks": [{"weekday": 7, "start": "09:00", "end": "10:00"}]}, "blocks"),
        ({"timezone": "UTC", "blocks": [{"weekday": -1, "start": "09:00", "end": "10:00"}]}, "blocks"),
        ({"timezone": "UTC", "blocks": [{"weekday": "Monday", "start": "09:00", "end": "10:00"}]}, "blocks"),
        ({"timezone": "UTC", "blocks": [{"weekday": 0, "start": "10:00", "end": "09:00"}]}, "blocks"),
        ({"timezone": "UTC", "blocks": [{"weekday": 0, "start": "10:00", "end": "10:00"}]}, "blocks"),
        ({"timezone": "UTC", "blocks": [{"weekday": 0, "start": "9am", "end": "10:00"}]}, "blocks"),
        ({"timezone": "UTC", "blocks": [{"weekday": 0, "start": "25:00", "end": "26:00"}]}, "blocks"),
        ({"timezone": "UTC", "blocks": [{"weekday": 0, "start": 900, "end": "10:00"}]}, "blocks"),
        ({"timezone": "UTC", "blocks": [{"weekday": 0, "start": "09:00"}]}, "blocks"),
        (
            {
                "timezone": "UTC",
                "blocks": [
                    {"weekday": 0, "start": "09:00", "end": "11:00"},
                    {"weekday": 0, "start": "10:30", "end": "12:00"},
                ],
            },
            "blocks",
        ),
    ],
)
def test_bad_availability_is_a_400_naming_the_field_and_keeps_the_stored_blocks(api_as, mentor, body, field):
    client = api_as(mentor)
    client.put(
        URL,
        {"timezone": "Europe/Berlin", "blocks": [{"weekday": 3, "start": "09:00", "end": "10:00"}]},
        format="json",
    )
    before = client.get(URL).json()

    response = client.put(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert client.get(URL).json() == before


def test_overlap_message_names_the_day_and_both_blocks(api_as, mentor):
    response = api_as(mentor).put(
        URL,
        {
            "timezone": "UTC",
            "blocks": [
                {"weekday": 0, "start": "09:00", "end": "11:00"},
                {"weekday": 0, "start": "10:30", "end": "12:00"},
            ],
        },
        format="json",
    )
    assert response.json() == {"blocks": ["On Monday, 09:00–11:00 and 10:30–12:00 overlap."]}


def test_time_off_is_added_listed_and_removed(api_as, mentor):
    client = api_as(mentor)
    created = client.post(
        TIME_OFF_URL,
        {"start": "2030-07-01T00:00:00+02:00", "end": "2030-07-15T00:00:00+02:00", "note": "Summer"},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["start"] == "2030-06-30T22:00:00Z"
    stored = TimeOff.objects.get(pk=created.json()["id"])
    assert (stored.mentor_id, stored.start, stored.end, stored.note) == (
        mentor.pk,
        datetime(2030, 6, 30, 22, tzinfo=UTC),
        datetime(2030, 7, 14, 22, tzinfo=UTC),
        "Summer",
    )
    listed = client.get(TIME_OFF_URL).json()
    assert [item["id"] for item in listed] == [created.json()["id"]]
    assert client.delete(f"{TIME_OFF_URL}{created.json()['id']}/").status_code == 204
    assert client.get(TIME_OFF_URL).json() == []
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2030-07-10T00:00:00Z", "end": "2030-07-01T00:00:00Z"}, "end"),
        ({"start": "2030-07-10T00:00:00Z", "end": "2030-07-10T00:00:00Z"}, "end"),
        ({"start": "2001-07-01T00:00:00Z", "end": "2001-07-10T00:00:00Z"}, "end"),
        ({"start": "next week", "end": "2030-07-10T00:00:00Z"}, "start"),
        ({"start": "2030-07-01T00:00:00Z"}, "end"),
        ({"start": "2030-01-01T00:00:00Z", "end": "2032-01-01T00:00:00Z"}, "end"),
    ],
)
def test_bad_time_off_is_a_400_naming_the_field(api_as, mentor, body, field):
    response = api_as(mentor).post(TIME_OFF_URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not TimeOff.objects.exists()


def test_someone_elses_time_off_cannot_be_removed(api_as, mentor, outsider):
    period = TimeOff.objects.create(mentor=mentor, start="2030-07-01T00:00Z", end="2030-07-02T00:00Z")

    assert api_as(outsider).delete(f"{TIME_OFF_URL}{period.pk}/").status_code == 404
    assert TimeOff.objects.filter(pk=period.pk).exists()


def test_availability_needs_a_login(api, mentor):
    AvailabilityBlockFactory(mentor=mentor)
    assert api.get(URL).status_code == 401
    assert api.put(URL, {"timezone": "UTC", "blocks": []}, format="json").status_code == 401
    assert AvailabilityBlock.objects.filter(mentor=mentor).count() == 1
