"""The session pages and the API accept and refuse exactly the same values at every input bound.

The numbers are the public contract, written out here; the code reads them from sessions_app/models.py.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sessions_app.models import Booking, Feedback, FollowUp, Moment
from tests.factories import BookingFactory


def held(mentee, mentor) -> Booking:
    return BookingFactory(
        mentor=mentor,
        mentee=mentee,
        start=timezone.now() - timedelta(days=8),
        status=Booking.Status.COMPLETED,
    )


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("rating", 0, False),
        ("rating", 1, True),
        ("rating", 5, True),
        ("rating", 6, False),
        ("comment", "x" * 2000, True),
        ("comment", "x" * 2001, False),
        ("next_step", "x" * 500, True),
        ("next_step", "x" * 501, False),
    ],
)
def test_feedback_on_the_page_and_through_the_api_draws_the_same_line(
    client, api_as, mentee, mentor, field, value, accepted
):
    booking = held(mentee, mentor)
    answer = {"rating": 4, "helpful": True, "comment": "", "next_step": "", field: value}
    client.force_login(mentee)

    page = client.post(f"/sessions/{booking.pk}/feedback/", {**answer, "helpful": "yes"})

    assert page.status_code == (302 if accepted else 400)
    assert Feedback.objects.filter(booking=booking, author=mentee).exists() is accepted
    if not accepted:
        assert field in page.context["form"].errors

    api = api_as(mentor).post(f"/api/v1/bookings/{booking.pk}/feedback/", answer, format="json")

    assert api.status_code == (201 if accepted else 400), api.json()
    assert Feedback.objects.filter(booking=booking, author=mentor).exists() is accepted
    if not accepted:
        assert field in api.json()


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [("note", "x" * 500, True), ("note", "x" * 501, False)],
)
def test_a_follow_up_on_the_page_and_through_the_api_draws_the_same_line(
    client, api_as, mentee, mentor, field, value, accepted
):
    on_page, through_api = held(mentee, mentor), held(mentee, mentor)
    client.force_login(mentee)

    page = client.post(f"/sessions/{on_page.pk}/follow-up/", {"outcome": "yes", field: value})

    assert page.status_code == (200 if accepted else 400)
    assert FollowUp.objects.filter(booking=on_page).exists() is accepted
    if not accepted:
        assert field in page.context["form"].errors

    api = api_as(mentee).post(
        f"/api/v1/bookings/{through_api.pk}/follow-up/", {"outcome": "yes", field: value}, format="json"
    )

    assert api.status_code == (201 if accepted else 400), api.json()
    assert FollowUp.objects.filter(booking=through_api).exists() is accepted
    if not accepted:
        assert field in api.json()


@pytest.mark.parametrize(("value", "accepted"), [("x" * 500, True), ("x" * 501, False)])
def test_a_cancel_reason_on_the_page_and_through_the_api_draws_the_same_line(
    client, api_as, mentee, mentor, value, accepted
):
    on_page = BookingFactory(mentor=mentor, mentee=mentee)
    through_api = BookingFactory(mentor=mentor, mentee=mentee, start=on_page.start + timedelta(hours=1))
    expected = Booking.Status.CANCELLED if accepted else Booking.Status.CONFIRMED
    client.force_login(mentee)

    page = client.post(f"/sessions/{on_page.pk}/cancel/", {"reason": value})

    assert page.status_code == (302 if accepted else 400)
    assert Booking.objects.get(pk=on_page.pk).status == expected
    if not accepted:
        assert "reason" in page.context["cancel_form"].errors

    api = api_as(mentee).post(f"/api/v1/bookings/{through_api.pk}/cancel/", {"reason": value}, format="json")

    assert api.status_code == (200 if accepted else 400), api.json()
    assert Booking.objects.get(pk=through_api.pk).status == expected
    if not accepted:
        assert "reason" in api.json()


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("note", "x" * 200, True),
        ("note", "x" * 201, False),
        ("with_name", "x" * 120, True),
        ("with_name", "x" * 121, False),
    ],
)
def test_a_moment_on_the_page_and_through_the_api_draws_the_same_line(
    client, api_as, mentee, field, value, accepted
):
    moment = {"kind": "tip", "note": "A tip", "with_name": "", field: value}
    page_field = "with_whom" if field == "with_name" else field
    client.force_login(mentee)

    page = client.post(
        "/moments/",
        {
            "kind": "tip",
            "note": moment["note"],
            "with_whom": moment["with_name"],
            "happened_on": timezone.localdate(timezone=ZoneInfo(mentee.timezone)).isoformat(),
        },
    )

    assert page.status_code == (302 if accepted else 400)
    assert Moment.objects.filter(author=mentee).count() == (1 if accepted else 0)
    if not accepted:
        assert page_field in page.context["form"].errors

    api = api_as(mentee).post("/api/v1/moments/", moment, format="json")

    assert api.status_code == (201 if accepted else 400), api.json()
    assert Moment.objects.filter(author=mentee).count() == (2 if accepted else 0)
    if not accepted:
        assert field in api.json()
