"""Participants only: every booking endpoint answers 404 to anyone else, and nothing changes."""

from tests.factories import BookingFactory
from tests.sessions_app.helpers import BOOKINGS, slot, z

# --- Participants only: every booking endpoint answers 404 to anyone else -------------------------------


def test_an_outsider_gets_404_for_the_detail(api_as, outsider, someone_elses_booking):
    assert api_as(outsider).get(f"{BOOKINGS}{someone_elses_booking.pk}/").status_code == 404


def test_an_outsider_gets_404_for_cancel_and_nothing_changes(api_as, outsider, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot())
    response = api_as(outsider).post(f"{BOOKINGS}{booking.pk}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_an_outsider_gets_404_for_reschedule_and_nothing_changes(api_as, outsider, mentee, open_mentor):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=slot())
    response = api_as(outsider).post(
        f"{BOOKINGS}{booking.pk}/reschedule/", {"start": z(slot(days=3))}, format="json"
    )
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.start == slot()


def test_an_outsider_gets_404_for_the_ics(api_as, outsider, someone_elses_booking):
    assert api_as(outsider).get(f"{BOOKINGS}{someone_elses_booking.pk}/ics/").status_code == 404


def test_an_outsider_gets_404_for_feedback(api_as, outsider, someone_elses_booking):
    response = api_as(outsider).post(
        f"{BOOKINGS}{someone_elses_booking.pk}/feedback/", {"rating": 1, "helpful": False}, format="json"
    )
    assert response.status_code == 404
    assert not someone_elses_booking.feedback.exists()


def test_an_outsider_gets_404_for_no_show(api_as, outsider, someone_elses_booking):
    assert api_as(outsider).post(f"{BOOKINGS}{someone_elses_booking.pk}/no-show/").status_code == 404
    someone_elses_booking.refresh_from_db()
    assert someone_elses_booking.status == "confirmed"


def test_an_outsider_does_not_see_it_in_their_list(api_as, outsider, someone_elses_booking):
    assert api_as(outsider).get(BOOKINGS).json()["count"] == 0


def test_hr_admins_get_404_for_other_peoples_bookings_too(api_as, hr, someone_elses_booking):
    assert api_as(hr).get(f"{BOOKINGS}{someone_elses_booking.pk}/").status_code == 404


def test_an_id_that_does_not_fit_a_database_integer_is_404(api_as, mentee):
    assert api_as(mentee).get(f"{BOOKINGS}{10**25}/").status_code == 404
