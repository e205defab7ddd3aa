"""The waiting-list API (docs/api.md "Waiting for a full mentor"): shapes, errors naming the field, 409
codes, 404 for what is not yours, and what was or was not stored."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import MentorProfile
from sessions_app.models import Booking
from tests.factories import MentorFactory, UserFactory
from tests.waitlists.conftest import MONDAY, TUESDAY_10, TUESDAY_1030, WEDNESDAY_EVENING
from waitlists.models import WaitlistEntry, WaitlistOffer
from waitlists.services.entries import join_waitlist

pytestmark = pytest.mark.django_db
MINE = "/api/v1/me/waitlist/"
FIELDS = {"id", "mentor", "before", "duration", "status", "offer", "joined_at", "closed_at", "booking"}


def z(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def join_url(mentor) -> str:
    return f"/api/v1/mentors/{mentor.pk}/waitlist/"


def test_joining_a_full_mentor_answers_201_waiting_without_an_offer(api_as, full_mentor, bookings):
    person = UserFactory()

    response = api_as(person).post(
        join_url(full_mentor), {"before": "2027-03-03T18:00:00+01:00", "duration": 30}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert body["mentor"] == {"id": full_mentor.pk, "display_name": "Fiona Full"}
    assert (body["before"], body["duration"], body["status"], body["offer"]) == (
        z(WEDNESDAY_EVENING),
        30,
        "waiting",
        None,
    )
    assert WaitlistEntry.objects.get(pk=body["id"]).person_id == person.pk


def test_joining_when_a_time_is_free_answers_with_it_held(api_as, full_mentor, bookings):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")

    body = (
        api_as(UserFactory())
        .post(join_url(full_mentor), {"before": z(WEDNESDAY_EVENING), "duration": 30}, format="json")
        .json()
    )

    assert body["status"] == "offered"
    assert body["offer"] == {
        "start": z(TUESDAY_1030),
        "end": z(TUESDAY_1030 + timedelta(minutes=30)),
        "expires_at": z(MONDAY + timedelta(minutes=15)),
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"before": "2027-03-01T07:00:00Z", "duration": 30}, "before"),  # past
        ({"before": "2027-03-03T17:00:00", "duration": 30}, "before"),  # no offset
        ({"before": "2027-09-01T17:00:00Z", "duration": 30}, "before"),  # beyond 60 days
        ({"before": "soon", "duration": 30}, "before"),
        ({"duration": 30}, "before"),
        ({"before": "2027-03-03T17:00:00Z", "duration": 45}, "duration"),
        ({"before": "2027-03-03T17:00:00Z", "duration": "thirty"}, "duration"),
        ({"before": "2027-03-03T17:00:00Z"}, "duration"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(api_as, full_mentor, payload, field):
    response = api_as(UserFactory()).post(join_url(full_mentor), payload, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not WaitlistEntry.objects.exists()


def test_a_length_the_mentor_does_not_offer_is_a_400_on_duration(api_as, full_mentor):
    MentorProfile.objects.filter(user=full_mentor).update(session_lengths=[30])

    response = api_as(UserFactory()).post(
        join_url(full_mentor), {"before": z(WEDNESDAY_EVENING), "duration": 20}, format="json"
    )

    assert response.status_code == 400
    assert "30" in response.json()["duration"][0]
    assert not WaitlistEntry.objects.exists()


def test_waiting_for_yourself_or_for_a_paused_mentor_is_a_400_on_mentor(api_as, full_mentor):
    payload = {"before": z(WEDNESDAY_EVENING), "duration": 30}
    assert list(api_as(full_mentor).post(join_url(full_mentor), payload, format="json").json()) == ["mentor"]

    MentorProfile.objects.filter(user=full_mentor).update(accepting=False)
    response = api_as(UserFactory()).post(join_url(full_mentor), payload, format="json")

    assert response.status_code == 400
    assert "not taking sessions" in response.json()["mentor"][0]
    assert not WaitlistEntry.objects.exists()


def test_someone_who_is_not_a_mentor_is_a_404(api_as, frozen):
    payload = {"before": z(WEDNESDAY_EVENING), "duration": 30}
    nobody = UserFactory()

    assert api_as(UserFactory()).post(join_url(nobody), payload, format="json").status_code == 404
    assert (
        api_as(UserFactory()).post("/api/v1/mentors/999999/waitlist/", payload, format="json").status_code
        == 404
    )


def test_waiting_twice_on_one_mentor_is_a_409_already_waiting(api_as, full_mentor, bookings):
    client = api_as(UserFactory())
    client.post(join_url(full_mentor), {"before": z(WEDNESDAY_EVENING), "duration": 30}, format="json")

    response = client.post(
        join_url(full_mentor), {"before": z(TUESDAY_10 + timedelta(hours=3)), "duration": 20}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_waiting"
    assert WaitlistEntry.objects.count() == 1


def test_my_waiting_lists_are_paginated_mine_only_live_first_in_a_few_queries(api_as, full_mentor, bookings):
    person = UserFactory()
    join_waitlist(person=person, mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    join_waitlist(person=UserFactory(), mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    client = api_as(person)

    with CaptureQueriesContext(connection) as few:
        body = client.get(MINE).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [entry["mentor"]["id"] for entry in body["results"]] == [full_mentor.pk]

    for _ in range(5):
        other = MentorFactory(timezone="UTC")
        join_waitlist(person=person, mentor=other, before=WEDNESDAY_EVENING, duration=30)
    WaitlistEntry.objects.filter(mentor=full_mentor).update(status="withdrawn")
    with CaptureQueriesContext(connection) as many:
        body = client.get(MINE).json()

    assert body["count"] == 6
    assert body["results"][-1]["status"] == "withdrawn"
    assert len(many) == len(few)


def test_someone_elses_entry_is_a_404_and_stays_as_it_was(api_as, full_mentor, bookings):
    entry = join_waitlist(person=UserFactory(), mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    stranger = api_as(UserFactory())

    assert stranger.get(f"{MINE}{entry.pk}/").status_code == 404
    assert stranger.delete(f"{MINE}{entry.pk}/").status_code == 404

    entry.refresh_from_db()
    assert entry.status == "waiting"


def test_withdrawing_answers_the_entry_withdrawn_and_passes_the_held_slot_on(api_as, full_mentor, bookings):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    first = join_waitlist(person=UserFactory(), mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    second = join_waitlist(person=UserFactory(), mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)

    response = api_as(first.person).delete(f"{MINE}{first.pk}/")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["offer"]) == ("withdrawn", None)
    assert WaitlistOffer.objects.get(entry=second, outcome="held").start == TUESDAY_1030
    second_view = api_as(second.person).get(f"{MINE}{second.pk}/").json()
    assert second_view["status"] == "offered"


def test_withdrawing_a_booked_wait_is_a_409_not_waiting(api_as, full_mentor, bookings):
    entry = join_waitlist(person=UserFactory(), mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    WaitlistEntry.objects.filter(pk=entry.pk).update(status="booked")

    response = api_as(entry.person).delete(f"{MINE}{entry.pk}/")

    assert response.status_code == 409
    assert response.json()["code"] == "not_waiting"


def test_the_holder_books_the_held_slot_through_the_api_and_others_get_409(api_as, full_mentor, bookings):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    holder, other = UserFactory(), UserFactory()
    entry = join_waitlist(person=holder, mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    booking = {"mentor": full_mentor.pk, "start": z(TUESDAY_1030), "duration": 30, "topic": "Held for me"}
    slots = (
        f"/api/v1/mentors/{full_mentor.pk}/slots/?start={z(MONDAY)}&end={z(WEDNESDAY_EVENING)}&duration=30"
    )

    assert api_as(other).get(slots).json()["slots"] == []
    refused = api_as(other).post("/api/v1/bookings/", booking, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "slot_unavailable")
    assert [slot["start"] for slot in api_as(holder).get(slots).json()["slots"]] == [z(TUESDAY_1030)]

    assert api_as(holder).post("/api/v1/bookings/", booking, format="json").status_code == 201
    assert api_as(holder).get(f"{MINE}{entry.pk}/").json()["status"] == "booked"


def test_ids_beyond_the_largest_are_404s_like_any_unknown_id(api_as, frozen):
    client = api_as(UserFactory())
    huge = 2**63

    assert client.post(f"/api/v1/mentors/{huge}/waitlist/", {}, format="json").status_code == 404
    assert client.get(f"{MINE}{huge}/").status_code == 404
    assert client.delete(f"{MINE}{huge}/").status_code == 404
