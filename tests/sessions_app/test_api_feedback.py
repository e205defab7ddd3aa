"""Feedback and the one-week follow-up through the bookings API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions_app.models import Booking, Feedback, FollowUp
from tests.factories import BookingFactory
from tests.sessions_app.helpers import BOOKINGS, slot

# --- Feedback (both participants) -------------------------------------------------------------------


def test_feedback_after_the_session_is_201_and_only_once(api_as, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(hours=2))
    url = f"{BOOKINGS}{booking.pk}/feedback/"
    body = {"rating": 5, "helpful": True, "comment": "Clear", "next_step": "Rehearse twice"}

    first = api_as(mentee).post(url, body, format="json")
    again = api_as(mentee).post(url, body, format="json")

    assert first.status_code == 201
    assert (first.json()["rating"], first.json()["next_step"]) == (5, "Rehearse twice")
    assert (again.status_code, again.json()["code"]) == (409, "already_given")
    [stored] = Feedback.objects.filter(booking=booking)
    assert (stored.author, stored.role, stored.rating, stored.helpful) == (mentee, "mentee", 5, True)
    assert (stored.comment, stored.next_step) == ("Clear", "Rehearse twice")


def test_feedback_before_the_end_is_409_too_early(api_as, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot())
    response = api_as(mentee).post(
        f"{BOOKINGS}{booking.pk}/feedback/", {"rating": 4, "helpful": True}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "too_early")
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"), [({"rating": 6, "helpful": True}, "rating"), ({"rating": 3}, "helpful")]
)
def test_bad_feedback_is_400_naming_the_field(api_as, mentee, open_mentor, body, field):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(hours=2))
    response = api_as(mentee).post(f"{BOOKINGS}{booking.pk}/feedback/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Feedback.objects.exists()


# --- The one-week follow-up (mentee only) ---------------------------------------------------------------


def test_the_mentee_answers_the_follow_up_once(api_as, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(days=8))
    url = f"{BOOKINGS}{booking.pk}/follow-up/"

    first = api_as(mentee).post(
        url, {"outcome": "partly", "note": "Got the budget, not the hire"}, format="json"
    )
    again = api_as(mentee).post(url, {"outcome": "yes"}, format="json")

    assert first.status_code == 201, first.json()
    assert (first.json()["outcome"], first.json()["note"]) == ("partly", "Got the budget, not the hire")
    assert (again.status_code, again.json()["code"]) == (409, "already_given")
    booking.refresh_from_db()
    assert booking.follow_up.outcome == "partly"


def test_the_follow_up_is_the_mentees_alone(api_as, mentee, open_mentor, outsider, someone_elses_booking):
    url = f"{BOOKINGS}{someone_elses_booking.pk}/follow-up/"

    assert api_as(open_mentor).post(url, {"outcome": "yes"}, format="json").status_code == 403
    assert api_as(outsider).post(url, {"outcome": "yes"}, format="json").status_code == 404
    assert not hasattr(Booking.objects.get(pk=someone_elses_booking.pk), "follow_up")


def test_a_follow_up_before_the_end_is_409_too_early(api_as, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot())
    response = api_as(mentee).post(f"{BOOKINGS}{booking.pk}/follow-up/", {"outcome": "no"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "too_early")
    assert not FollowUp.objects.exists()


def test_an_unknown_follow_up_outcome_is_400_naming_the_field(api_as, mentee, someone_elses_booking):
    response = api_as(mentee).post(
        f"{BOOKINGS}{someone_elses_booking.pk}/follow-up/", {"outcome": "maybe"}, format="json"
    )
    assert response.status_code == 400
    assert "outcome" in response.json()
    assert not FollowUp.objects.exists()


def test_a_mentor_cannot_give_feedback_twice_but_the_mentee_still_can(api_as, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(hours=2))
    url = f"{BOOKINGS}{booking.pk}/feedback/"
    body = {"rating": 4, "helpful": True}

    assert api_as(open_mentor).post(url, body, format="json").status_code == 201
    assert api_as(open_mentor).post(url, body, format="json").json()["code"] == "already_given"
    assert api_as(mentee).post(url, body, format="json").status_code == 201
    assert sorted(Feedback.objects.filter(booking=booking).values_list("role", flat=True)) == [
        "mentee",
        "mentor",
    ]
