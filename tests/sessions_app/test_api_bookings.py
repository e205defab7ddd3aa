"""The bookings API: book, list, cancel, reschedule, ICS, no-show, the calendar feed, booking for requests."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.models import MentorProfile
from sessions_app.models import Booking, OutboundMessage
from sessions_app.services.bookings import book_session
from tests.factories import BookingFactory, MentorFactory, UserFactory
from tests.sessions_app.helpers import BOOKINGS, payload, slot, z


def test_booking_answers_201_with_the_booking_object_in_utc(api_as, mentee, open_mentor):
    response = api_as(mentee).post(BOOKINGS, payload(open_mentor, start=slot().isoformat()), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= {
        "id",
        "mentor",
        "mentee",
        "start",
        "end",
        "duration",
        "topic",
        "status",
        "meeting_url",
        "ics_url",
    }
    assert body["mentor"] == {"id": open_mentor.pk, "display_name": "Marco Mentor"}
    assert body["mentee"] == {"id": mentee.pk, "display_name": "Maya Mentee"}
    assert (body["start"], body["end"]) == (z(slot()), z(slot() + timedelta(minutes=30)))
    assert (body["duration"], body["status"], body["topic"]) == (30, "confirmed", "Board presentation")
    assert body["ics_url"].endswith(f"/api/v1/bookings/{body['id']}/ics/")
    stored = Booking.objects.get(pk=body["id"])
    assert (stored.mentor, stored.mentee, stored.start, stored.end) == (
        open_mentor,
        mentee,
        slot(),
        slot() + timedelta(minutes=30),
    )
    assert (stored.duration, stored.status, stored.topic) == (30, "confirmed", "Board presentation")


def test_a_start_with_any_offset_means_the_same_instant(api_as, mentee, open_mentor):
    berlin = slot().astimezone(timezone.get_fixed_timezone(60)).isoformat()

    response = api_as(mentee).post(BOOKINGS, payload(open_mentor, start=berlin), format="json")

    assert response.status_code == 201
    assert response.json()["start"] == z(slot())
    assert Booking.objects.get().start == slot()


def test_times_come_back_in_utc_even_when_the_browser_session_is_in_another_zone(client, mentee, open_mentor):
    client.force_login(mentee)  # the middleware activates Europe/London for session-authenticated requests
    mentee.timezone = "Asia/Tokyo"
    mentee.save()

    response = client.post(BOOKINGS, payload(open_mentor), content_type="application/json")

    assert response.status_code == 201
    assert response.json()["start"] == z(slot())
    assert Booking.objects.get().start == slot()


def test_a_slot_that_is_not_bookable_is_409_slot_unavailable(api_as, mentee, outsider, open_mentor):
    book_session(mentee=outsider, mentor=open_mentor, start=slot(), minutes=30, topic="First")

    response = api_as(mentee).post(BOOKINGS, payload(open_mentor), format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": response.json()["detail"], "code": "slot_unavailable"}
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "next tuesday"}, "start"),
        ({"start": "2026-02-30T10:00:00Z"}, "start"),
        ({"start": "2026-03-10T10:00:00"}, "start"),
        ({"start": "9999-12-31T23:59:59-12:00"}, "start"),
        ({"start": 12345}, "start"),
        ({"duration": 25}, "duration"),
        ({"duration": "long"}, "duration"),
        ({"topic": ""}, "topic"),
        ({"topic": "x" * 201}, "topic"),
        ({"mentor": 987654321}, "mentor"),
        ({"mentor": "marco"}, "mentor"),
        ({"mentor": 10**30}, "mentor"),
        ({"mentor": None}, "mentor"),
        ({"request": "abc"}, "request"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_as, mentee, open_mentor, change, field):
    response = api_as(mentee).post(BOOKINGS, payload(open_mentor, **change), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Booking.objects.exists()


def test_a_past_start_is_400_on_start(api_as, mentee, open_mentor):
    past = z(timezone.now() - timedelta(hours=1))
    response = api_as(mentee).post(BOOKINGS, payload(open_mentor, start=past), format="json")
    assert response.status_code == 400
    assert "passed" in response.json()["start"][0]
    assert not Booking.objects.exists()


def test_a_duration_the_mentor_does_not_offer_is_400_on_duration(api_as, mentee, open_mentor):
    MentorProfile.objects.filter(user=open_mentor).update(session_lengths=[20])
    response = api_as(mentee).post(BOOKINGS, payload(open_mentor, duration=30), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["duration"]
    assert not Booking.objects.exists()


def test_booking_yourself_is_400_on_mentor(api_as, open_mentor):
    response = api_as(open_mentor).post(BOOKINGS, payload(open_mentor), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["mentor"]
    assert not Booking.objects.exists()


def test_a_body_that_is_not_an_object_is_400(api_as, mentee):
    response = api_as(mentee).post(BOOKINGS, [1, 2], format="json")
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_booking_needs_a_login(api, open_mentor):
    response = api.post(BOOKINGS, payload(open_mentor), format="json")
    assert response.status_code in (401, 403)
    assert not Booking.objects.exists()


def test_the_list_shows_only_the_callers_own_bookings_with_filters(api_as, mentee, outsider, open_mentor):
    now = timezone.now()
    upcoming = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot())
    past = BookingFactory(
        mentor=open_mentor, mentee=mentee, start=now - timedelta(days=3), status="completed"
    )
    given = BookingFactory(mentor=mentee, mentee=outsider, start=slot(days=3))
    BookingFactory(mentor=open_mentor, mentee=outsider, start=slot(days=4))  # not the caller's
    client = api_as(mentee)

    def ids(query: str = "") -> list[int]:
        response = client.get(BOOKINGS + query)
        assert response.status_code == 200
        return [item["id"] for item in response.json()["results"]]

    assert set(ids()) == {upcoming.pk, past.pk, given.pk}
    assert set(ids("?role=mentee")) == {upcoming.pk, past.pk}
    assert ids("?role=mentor") == [given.pk]
    assert ids("?status=completed") == [past.pk]
    assert ids("?upcoming=true") == [upcoming.pk, given.pk]
    assert ids("?upcoming=false") == [past.pk]


@pytest.mark.parametrize("query", ["?role=boss", "?status=done", "?upcoming=maybe"])
def test_bad_list_filters_are_400_naming_the_filter(api_as, mentee, query):
    response = api_as(mentee).get(BOOKINGS + query)
    assert response.status_code == 400
    assert query[1:].split("=")[0] in response.json()


def test_the_list_is_paginated_and_needs_a_fixed_number_of_queries(
    api_as, mentee, open_mentor, django_assert_max_num_queries
):
    client = api_as(mentee)

    def queries_of_the_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(BOOKINGS).status_code == 200
        return len(queries)

    for day in range(2):
        BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(days=day + 1))
    with_two = queries_of_the_list()
    for day in range(2, 25):
        BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(days=day + 1))

    with django_assert_max_num_queries(2):
        response = client.get(BOOKINGS)

    assert queries_of_the_list() == with_two
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (25, 20, None)
    assert body["next"].endswith("page=2")
    assert len(client.get(BOOKINGS + "?page=2").json()["results"]) == 5


def test_a_participant_sees_the_booking(api_as, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee)
    for person in (mentee, open_mentor):
        response = api_as(person).get(f"{BOOKINGS}{booking.pk}/")
        assert response.status_code == 200
        assert response.json()["id"] == booking.pk


def test_cancel_answers_the_cancelled_booking_and_the_slot_is_offered_again(
    api_as, mentee, outsider, open_mentor
):
    booking = book_session(mentee=mentee, mentor=open_mentor, start=slot(), minutes=30, topic="Help")

    response = api_as(mentee).post(f"{BOOKINGS}{booking.pk}/cancel/", {"reason": "Solved it"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "Solved it")
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason, booking.cancelled_by) == ("cancelled", "Solved it", mentee)
    again = api_as(outsider).post(BOOKINGS, payload(open_mentor), format="json")
    assert again.status_code == 201
    assert Booking.objects.get(pk=again.json()["id"]).mentee == outsider


def test_cancelling_twice_is_a_409(api_as, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, status="cancelled")
    response = api_as(mentee).post(f"{BOOKINGS}{booking.pk}/cancel/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_confirmed"
    booking.refresh_from_db()
    assert (booking.status, booking.sequence, booking.cancelled_by) == ("cancelled", 0, None)
    assert not OutboundMessage.objects.exists()


def test_reschedule_answers_the_new_times(api_as, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot())

    response = api_as(mentee).post(
        f"{BOOKINGS}{booking.pk}/reschedule/", {"start": z(slot(days=3, hour=15))}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["start"], response.json()["end"]) == (
        z(slot(days=3, hour=15)),
        z(slot(days=3, hour=15, minute=30)),
    )
    booking.refresh_from_db()
    assert (booking.start, booking.end, booking.sequence) == (
        slot(days=3, hour=15),
        slot(days=3, hour=15, minute=30),
        1,
    )


def test_a_reschedule_conflict_is_409_and_leaves_the_booking_as_it_was(api_as, mentee, outsider, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot(hour=10))
    BookingFactory(mentor=open_mentor, mentee=outsider, start=slot(hour=15))
    client = api_as(mentee)

    response = client.post(f"{BOOKINGS}{booking.pk}/reschedule/", {"start": z(slot(hour=15))}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"
    assert client.get(f"{BOOKINGS}{booking.pk}/").json()["start"] == z(slot(hour=10))


@pytest.mark.parametrize("start", ["soon", "", None])
def test_a_reschedule_without_a_usable_start_is_400(api_as, mentee, open_mentor, start):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee)
    response = api_as(mentee).post(f"{BOOKINGS}{booking.pk}/reschedule/", {"start": start}, format="json")
    assert response.status_code == 400
    assert "start" in response.json()
    unchanged = Booking.objects.get(pk=booking.pk)
    assert (unchanged.start, unchanged.end, unchanged.sequence) == (booking.start, booking.end, 0)


def test_the_ics_endpoint_serves_one_event_as_text_calendar(api_as, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee)

    response = api_as(mentee).get(f"{BOOKINGS}{booking.pk}/ics/", HTTP_ACCEPT="text/calendar")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response.content.count(b"BEGIN:VEVENT") == 1
    assert f"UID:{booking.uid}@sidebar".encode() in response.content


@pytest.mark.parametrize("format_", ["", "xml"])
def test_the_ics_endpoint_answers_404_for_a_format_it_does_not_offer(api_as, mentee, open_mentor, format_):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee)

    response = api_as(mentee).get(f"{BOOKINGS}{booking.pk}/ics/?format={format_}")

    assert response.status_code == 404
    assert api_as(mentee).get(f"{BOOKINGS}{booking.pk}/ics/?format=ics").status_code == 200


def test_the_mentor_marks_a_no_show_but_the_mentee_may_not(api_as, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(minutes=15))

    assert api_as(mentee).post(f"{BOOKINGS}{booking.pk}/no-show/").status_code == 403
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    response = api_as(open_mentor).post(f"{BOOKINGS}{booking.pk}/no-show/")
    assert response.status_code == 200
    assert response.json()["status"] == "no_show"
    booking.refresh_from_db()
    assert booking.status == "no_show"


# --- The personal calendar feed ----------------------------------------------------------------------------


def test_the_calendar_feed_url_is_secret_and_rotation_replaces_it(api_as, mentee):
    client = api_as(mentee)
    url = client.get("/api/v1/me/calendar-feed/").json()["url"]
    assert url.endswith(f"/calendar/{mentee.calendar_token}.ics")

    old_token = mentee.calendar_token

    rotated = client.post("/api/v1/me/calendar-feed/rotate/")

    assert rotated.status_code == 200
    assert rotated.json()["url"] != url
    assert client.get("/api/v1/me/calendar-feed/").json() == rotated.json()
    mentee.refresh_from_db()
    assert mentee.calendar_token != old_token
    assert rotated.json()["url"].endswith(f"/calendar/{mentee.calendar_token}.ics")


def test_the_booking_flow_sends_both_people_an_email_once_committed(
    api_as, mentee, open_mentor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(mentee).post(BOOKINGS, payload(open_mentor), format="json")

    assert response.status_code == 201
    assert Booking.objects.filter(pk=response.json()["id"], mentee=mentee, mentor=open_mentor).exists()
    assert sorted(message.to[0] for message in mail.outbox) == ["mentee@example.com", "mentor@example.com"]


def test_an_unknown_person_as_mentor_is_400_even_if_they_exist(api_as, mentee):
    someone = UserFactory()
    response = api_as(mentee).post(BOOKINGS, payload(someone), format="json")
    assert response.status_code == 400
    assert "mentor" in response.json()
    assert not Booking.objects.exists()


def test_a_paused_mentor_is_409(api_as, mentee):
    paused = MentorFactory()
    MentorProfile.objects.filter(user=paused).update(accepting=False)
    response = api_as(mentee).post(BOOKINGS, payload(paused), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"
    assert not Booking.objects.exists()


def _mentor_request(asker):
    from matching.models import MentorRequest

    return MentorRequest.objects.create(asker=asker, topic="Board deck", needed_by=slot(days=5), duration=30)


def test_booking_for_my_request_marks_it_booked(api_as, mentee, open_mentor):
    request = _mentor_request(mentee)

    response = api_as(mentee).post(BOOKINGS, payload(open_mentor, request=request.pk), format="json")

    assert response.status_code == 201
    assert Booking.objects.get(pk=response.json()["id"]).request == request
    request.refresh_from_db()
    assert (request.status, request.booked_session_start, request.booked_mentor) == (
        "booked",
        slot(),
        open_mentor,
    )


def test_booking_for_someone_elses_request_is_400_on_request_and_books_nothing(
    api_as, mentee, outsider, open_mentor
):
    request = _mentor_request(outsider)

    response = api_as(mentee).post(BOOKINGS, payload(open_mentor, request=request.pk), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["request"]
    assert not Booking.objects.exists()
    request.refresh_from_db()
    assert request.status == "open"
