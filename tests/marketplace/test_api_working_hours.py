"""docs/api.md "Working hours": `working_hours` on GET/PATCH /api/v1/me/, `within_working_hours` on slots."""

from datetime import UTC, datetime, time

import pytest
import time_machine

from marketplace.models import User, WorkingHours
from tests.factories import AvailabilityBlockFactory, MentorFactory, UserFactory

ME_URL = "/api/v1/me/"
OFFICE_WEEK = [{"weekday": day, "start": "09:00", "end": "17:00"} for day in range(5)]
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


def stored_hours(person: User) -> list[tuple[int, time, time]]:
    return list(WorkingHours.objects.filter(person=person).values_list("weekday", "start", "end"))


def test_me_has_the_default_working_week_when_none_was_set(api_as, mentee):
    body = api_as(mentee).get(ME_URL).json()

    assert body["working_hours"] == OFFICE_WEEK
    assert stored_hours(mentee) == []


def test_patch_replaces_the_working_hours_and_get_returns_them_sorted(api_as, mentee):
    hours = [
        {"weekday": 1, "start": "13:00", "end": "17:30"},
        {"weekday": 1, "start": "08:30", "end": "12:00"},
        {"weekday": 5, "start": "10:00", "end": "12:00"},
    ]
    response = api_as(mentee).patch(ME_URL, {"working_hours": hours}, format="json")

    assert response.status_code == 200, response.json()
    expected = [hours[1], hours[0], hours[2]]
    assert response.json()["working_hours"] == expected
    assert api_as(mentee).get(ME_URL).json()["working_hours"] == expected
    assert sorted(stored_hours(mentee)) == [
        (1, time(8, 30), time(12)),
        (1, time(13), time(17, 30)),
        (5, time(10), time(12)),
    ]


def test_touching_intervals_are_allowed(api_as, mentee):
    hours = [
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 0, "start": "12:00", "end": "17:00"},
    ]
    response = api_as(mentee).patch(ME_URL, {"working_hours": hours}, format="json")
    assert response.status_code == 200
    assert len(stored_hours(mentee)) == 2


def test_a_patch_without_working_hours_leaves_them_alone(api_as, mentee):
    WorkingHours.objects.create(person=mentee, weekday=2, start=time(7), end=time(15))
    response = api_as(mentee).patch(ME_URL, {"headline": "Hi"}, format="json")
    assert response.status_code == 200
    assert response.json()["working_hours"] == [{"weekday": 2, "start": "07:00", "end": "15:00"}]


@pytest.mark.parametrize(
    ("hours", "where"),
    [
        ([{"weekday": 7, "start": "09:00", "end": "17:00"}], "weekday"),
        ([{"weekday": -1, "start": "09:00", "end": "17:00"}], "weekday"),
        ([{"weekday": "1", "start": "09:00", "end": "17:00"}], "weekday"),
        ([{"weekday": 1, "start": "25:00", "end": "17:00"}], "start"),
        ([{"weekday": 1, "start": "9am", "end": "17:00"}], "start"),
        ([{"weekday": 1, "start": 900, "end": "17:00"}], "start"),
        ([{"weekday": 1, "start": "09:00", "end": "17:60"}], "end"),
        ([{"weekday": 1, "start": "17:00", "end": "09:00"}], "end"),  # start after end
        ([{"weekday": 1, "start": "09:00", "end": "09:00"}], "end"),  # start equal to end
        ([{"weekday": 1, "start": "09:00"}], "end"),  # missing, even in a PATCH
        ([{"weekday": 1, "start": "09:00", "end": "17:00", "note": "x"}], "note"),
    ],
)
def test_a_bad_interval_is_a_400_naming_its_field_and_nothing_is_stored(api_as, mentee, hours, where):
    response = api_as(mentee).patch(
        ME_URL, {"display_name": "Changed Name", "working_hours": hours}, format="json"
    )

    assert response.status_code == 400
    # The field, then the interval's place in the list, then the interval's field.
    assert list(response.json()) == ["working_hours"]
    assert where in response.json()["working_hours"]["0"]
    mentee.refresh_from_db()
    assert mentee.display_name == "Maya Mentee"
    assert stored_hours(mentee) == []


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        ([], "at least one day"),
        (
            [
                {"weekday": 0, "start": "09:00", "end": "13:00"},
                {"weekday": 0, "start": "12:00", "end": "17:00"},
            ],
            "overlap",
        ),
        (
            [{"weekday": 3, "start": f"{hour:02d}:00", "end": f"{hour:02d}:30"} for hour in range(8, 13)],
            "at most 4",
        ),
        ("09:00-17:00", "Expected a list"),
        ([None], ""),
    ],
)
def test_working_hours_that_break_a_rule_are_a_400_on_the_field_and_nothing_is_stored(
    api_as, mentee, hours, words
):
    WorkingHours.objects.create(person=mentee, weekday=2, start=time(7), end=time(15))
    response = api_as(mentee).patch(ME_URL, {"headline": "New", "working_hours": hours}, format="json")

    assert response.status_code == 400
    assert words in str(response.json()["working_hours"])
    mentee.refresh_from_db()
    assert mentee.headline == ""
    assert stored_hours(mentee) == [(2, time(7), time(15))]


def test_working_hours_are_read_in_the_persons_zone_changed_in_the_same_patch(api_as, mentee):
    response = api_as(mentee).patch(
        ME_URL, {"timezone": "Asia/Kolkata", "working_hours": OFFICE_WEEK[:1]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["timezone"] == "Asia/Kolkata"
    assert response.json()["working_hours"] == OFFICE_WEEK[:1]


# --- GET /api/v1/mentors/{id}/slots/?within_working_hours=true ---


@pytest.fixture
def sao_paulo_mentor(db):
    """Free every Monday 06:00–20:00 São Paulo (09:00–23:00 UTC); works the default 09:00–17:00 there."""
    mentor = MentorFactory(timezone="America/Sao_Paulo")
    AvailabilityBlockFactory(mentor=mentor, weekday=0, start=time(6), end=time(20))
    return mentor


def slots(api, mentor, **params) -> list[str]:
    query = {"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z", "duration": "30", **params}
    with time_machine.travel(MONDAY, tick=False):
        response = api.get(f"/api/v1/mentors/{mentor.pk}/slots/", query)
    assert response.status_code == 200, response.json()
    return [slot["start"] for slot in response.json()["slots"]]


def test_slots_without_the_parameter_answer_every_bookable_start_as_before(api_as, mentee, sao_paulo_mentor):
    starts = slots(api_as(mentee), sao_paulo_mentor)
    assert starts[0] == "2026-11-23T09:00:00Z"
    assert starts[-1] == "2026-11-23T22:30:00Z"
    assert slots(api_as(mentee), sao_paulo_mentor, within_working_hours="false") == starts


def test_within_working_hours_keeps_the_starts_inside_both_peoples_hours(api_as, mentee, sao_paulo_mentor):
    # São Paulo 09:00–17:00 is 12:00–20:00 UTC; the London asker's 09:00–17:00 GMT ends the overlap at 17:00.
    starts = slots(api_as(mentee), sao_paulo_mentor, within_working_hours="true")
    assert starts[0] == "2026-11-23T12:00:00Z"
    assert starts[-1] == "2026-11-23T16:30:00Z"
    assert len(starts) == 28


def test_within_working_hours_follows_what_each_person_set(api_as, sao_paulo_mentor):
    night_owl = UserFactory(timezone="Asia/Kolkata")  # UTC+05:30
    WorkingHours.objects.create(person=night_owl, weekday=0, start=time(17, 30), end=time(23))
    WorkingHours.objects.create(person=sao_paulo_mentor, weekday=0, start=time(6), end=time(20))

    # Kolkata 17:30–23:00 is 12:00–17:30 UTC; the mentor works 09:00–23:00 UTC.
    starts = slots(api_as(night_owl), sao_paulo_mentor, within_working_hours="true")
    assert (starts[0], starts[-1]) == ("2026-11-23T12:00:00Z", "2026-11-23T17:00:00Z")


def test_a_bad_within_working_hours_is_a_400_naming_it(api_as, mentee, sao_paulo_mentor):
    response = api_as(mentee).get(
        f"/api/v1/mentors/{sao_paulo_mentor.pk}/slots/", {"within_working_hours": "sometimes"}
    )
    assert response.status_code == 400
    assert "within_working_hours" in response.json()
