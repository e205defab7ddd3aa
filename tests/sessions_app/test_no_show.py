"""A no-show: confirmed on its own page, refused once the mentee has rated, undone within
NO_SHOW_UNDO_WINDOW, and shown to the mentee (service, pages and API)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from marketplace.errors import Conflict
from sessions_app.models import NO_SHOW_UNDO_WINDOW, Booking, OutboundMessage
from sessions_app.services.bookings import book_session, mark_no_show, undo_no_show
from sessions_app.services.feedback import give_feedback
from tests.factories import BookingFactory, FeedbackFactory
from tests.sessions_app.helpers import BOOKINGS, slot, z


@pytest.fixture
def ended(mentee, open_mentor):
    """A session held with the mentee that ended an hour ago."""
    return BookingFactory(
        mentor=open_mentor,
        mentee=mentee,
        start=timezone.now() - timedelta(hours=1, minutes=30),
        status=Booking.Status.COMPLETED,
    )


def rated_by_mentee(booking: Booking) -> Booking:
    FeedbackFactory(booking=booking, author=booking.mentee, role="mentee", rating=4)
    return booking


def marked(booking: Booking, *, hours_ago: float = 0) -> Booking:
    """The booking marked a no-show now, then dated back `hours_ago` hours."""
    now = timezone.now()
    booking = mark_no_show(booking=booking, by=booking.mentor, now=now)
    if hours_ago:
        booking.no_show_marked_at = now - timedelta(hours=hours_ago)
        Booking.objects.filter(pk=booking.pk).update(no_show_marked_at=booking.no_show_marked_at)
    return booking


# --- The service -------------------------------------------------------------------------------------


def test_marking_a_no_show_records_when_and_until_when_it_can_be_undone(ended, open_mentor):
    now = timezone.now()

    booking = mark_no_show(booking=ended, by=open_mentor, now=now)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    assert booking.no_show_marked_at == now
    assert booking.no_show_undo_until == now + timedelta(hours=24)
    assert timedelta(hours=24) == NO_SHOW_UNDO_WINDOW


def test_a_session_the_mentee_rated_cannot_be_marked_a_no_show(ended, open_mentor):
    rated_by_mentee(ended)

    with pytest.raises(Conflict) as error:
        mark_no_show(booking=ended, by=open_mentor)

    assert error.value.code == "already_rated"
    assert "Maya Mentee has rated this session" in error.value.message
    ended.refresh_from_db()
    assert ended.status == Booking.Status.COMPLETED


def test_the_mentors_own_feedback_does_not_stop_a_no_show(ended, open_mentor):
    FeedbackFactory(booking=ended, author=open_mentor, role="mentor", rating=2)

    assert mark_no_show(booking=ended, by=open_mentor).status == Booking.Status.NO_SHOW


def test_undoing_brings_the_session_and_its_after_session_messages_back(mentee, open_mentor):
    booking = book_session(mentee=mentee, mentor=open_mentor, start=slot(), minutes=30, topic="Board deck")
    during = booking.start + timedelta(minutes=10)
    reminders_before = set(
        OutboundMessage.objects.filter(booking=booking, kind="reminder").values_list("pk", "status")
    )

    mark_no_show(booking=booking, by=open_mentor, now=during)
    assert not OutboundMessage.objects.filter(booking=booking, status="pending").exists()
    undone = undo_no_show(booking=booking, by=open_mentor, now=during + timedelta(minutes=5))

    undone.refresh_from_db()
    assert (undone.status, undone.no_show_marked_at, undone.no_show_undo_until) == ("confirmed", None, None)
    pending = OutboundMessage.objects.filter(booking=booking, status="pending")
    assert sorted(pending.values_list("kind", flat=True)) == [
        "feedback_prompt",
        "feedback_prompt",
        "follow_up",
    ]
    assert reminders_before
    assert all(status == "pending" for _, status in reminders_before)
    assert not OutboundMessage.objects.filter(booking=booking, kind="reminder", status="pending").exists()


def test_an_ended_session_undone_is_completed_and_the_mentee_can_rate_it(ended, open_mentor, mentee):
    marked(ended)

    assert undo_no_show(booking=ended, by=open_mentor).status == Booking.Status.COMPLETED
    assert give_feedback(booking=ended, by=mentee, rating=5, helpful=True).rating == 5


def test_the_undo_window_closes_after_24_hours(ended, open_mentor):
    booking = marked(ended)
    marked_at = booking.no_show_marked_at
    assert marked_at is not None

    with pytest.raises(Conflict) as error:
        undo_no_show(booking=booking, by=open_mentor, now=marked_at + timedelta(hours=24, seconds=1))
    assert error.value.code == "undo_expired"
    assert "24 hours" in error.value.message
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW

    last_moment = undo_no_show(booking=booking, by=open_mentor, now=marked_at + timedelta(hours=24))
    assert last_moment.status == Booking.Status.COMPLETED


def test_only_the_mentor_undoes_and_only_a_no_show(ended, open_mentor, mentee):
    with pytest.raises(Conflict) as error:
        undo_no_show(booking=ended, by=open_mentor)
    assert error.value.code == "not_no_show"

    marked(ended)
    with pytest.raises(PermissionDenied):
        undo_no_show(booking=ended, by=mentee)
    ended.refresh_from_db()
    assert ended.status == Booking.Status.NO_SHOW


def test_a_no_show_marked_before_its_time_was_recorded_cannot_be_undone(ended, open_mentor):
    Booking.objects.filter(pk=ended.pk).update(status=Booking.Status.NO_SHOW, no_show_marked_at=None)

    with pytest.raises(Conflict) as error:
        undo_no_show(booking=ended, by=open_mentor)

    assert error.value.code == "undo_expired"


def test_the_mentee_cannot_rate_a_no_show(ended, mentee):
    marked(ended)

    with pytest.raises(Conflict) as error:
        give_feedback(booking=ended, by=mentee, rating=4, helpful=True)

    assert error.value.code == "not_held"
    assert "Marco Mentor marked this session a no-show" in error.value.message


# --- The pages ---------------------------------------------------------------------------------------


def test_the_session_page_links_to_a_confirm_step_and_viewing_it_records_nothing(client, ended, open_mentor):
    client.force_login(open_mentor)

    detail = client.get(f"/sessions/{ended.pk}/").content.decode()
    confirm = client.get(f"/sessions/{ended.pk}/no-show/")

    assert f'href="/sessions/{ended.pk}/no-show/" role="button"' in detail
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Did Maya Mentee not come?" in page
    assert 'type="checkbox" name="confirm"' in page
    assert "You can undo it for 24 hours." in page
    ended.refresh_from_db()
    assert ended.status == Booking.Status.COMPLETED


def test_posting_without_ticking_the_box_is_400_and_records_nothing(client, ended, open_mentor):
    client.force_login(open_mentor)

    response = client.post(f"/sessions/{ended.pk}/no-show/", {})

    assert response.status_code == 400
    assert "Tick the box to confirm that they did not come." in response.content.decode()
    ended.refresh_from_db()
    assert ended.status == Booking.Status.COMPLETED


def test_a_confirmed_no_show_says_until_when_it_can_be_undone_and_the_mentee_sees_it(
    client, ended, open_mentor, mentee
):
    client.force_login(open_mentor)

    response = client.post(f"/sessions/{ended.pk}/no-show/", {"confirm": "on"}, follow=True)

    ended.refresh_from_db()
    assert ended.status == Booking.Status.NO_SHOW
    mentor_page = response.content.decode()
    assert "Marked as a no-show. You can undo it until" in mentor_page
    assert f'action="/sessions/{ended.pk}/no-show/undo/"' in mentor_page
    assert "Undo the no-show" in mentor_page

    client.force_login(mentee)
    detail = client.get(f"/sessions/{ended.pk}/").content.decode()
    listing = client.get("/sessions/").content.decode()
    assert "Marco Mentor marked this session as a no-show" in detail
    assert "If you were there, tell Marco Mentor: they can undo it until" in detail
    assert "Undo the no-show" not in detail
    assert "Give feedback" not in detail
    assert "badge-no_show" in listing
    assert "marked by Marco Mentor" in listing


def test_a_rated_session_offers_no_no_show_and_the_confirm_step_says_why(client, ended, open_mentor):
    rated_by_mentee(ended)
    client.force_login(open_mentor)

    detail = client.get(f"/sessions/{ended.pk}/").content.decode()
    listing = client.get("/sessions/").content.decode()
    confirm = client.get(f"/sessions/{ended.pk}/no-show/")
    posted = client.post(f"/sessions/{ended.pk}/no-show/", {"confirm": "on"})

    assert "Mark as no-show" not in detail
    assert f"/sessions/{ended.pk}/no-show/" not in listing
    assert confirm.status_code == posted.status_code == 409
    assert "Maya Mentee has rated this session, so it cannot be marked a no-show." in posted.content.decode()
    assert 'name="confirm"' not in posted.content.decode()
    ended.refresh_from_db()
    assert ended.status == Booking.Status.COMPLETED


def test_the_past_sessions_list_offers_the_confirm_step_only_for_unrated_sessions(
    client, ended, open_mentor, mentee
):
    rated = rated_by_mentee(
        BookingFactory(
            mentor=open_mentor,
            mentee=mentee,
            start=timezone.now() - timedelta(days=2),
            status=Booking.Status.COMPLETED,
        )
    )
    client.force_login(open_mentor)

    listing = client.get("/sessions/").content.decode()

    assert f'href="/sessions/{ended.pk}/no-show/"' in listing
    assert f"/sessions/{rated.pk}/no-show/" not in listing


def test_the_mentor_undoes_a_no_show_from_the_session_page(client, ended, open_mentor):
    marked(ended)
    client.force_login(open_mentor)

    response = client.post(f"/sessions/{ended.pk}/no-show/undo/", follow=True)

    ended.refresh_from_db()
    assert ended.status == Booking.Status.COMPLETED
    assert "The no-show is undone: the session counts as held." in response.content.decode()


def test_an_undo_after_the_window_is_409_with_the_reason_and_no_undo_button(client, ended, open_mentor):
    marked(ended, hours_ago=25)
    client.force_login(open_mentor)

    detail = client.get(f"/sessions/{ended.pk}/").content.decode()
    response = client.post(f"/sessions/{ended.pk}/no-show/undo/")

    assert "You marked this session as a no-show" in detail
    assert "Undo the no-show" not in detail
    assert response.status_code == 409
    assert "that time has passed" in response.content.decode()
    ended.refresh_from_db()
    assert ended.status == Booking.Status.NO_SHOW


def test_the_mentee_cannot_open_the_confirm_step_nor_undo(client, ended, mentee):
    client.force_login(mentee)

    assert client.get(f"/sessions/{ended.pk}/no-show/").status_code == 403
    marked(ended)
    assert client.post(f"/sessions/{ended.pk}/no-show/undo/").status_code == 403
    ended.refresh_from_db()
    assert ended.status == Booking.Status.NO_SHOW


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_no_show_pages_are_404_for_anyone_else(client, ended, outsider, method):
    client.force_login(outsider)

    assert getattr(client, method)(f"/sessions/{ended.pk}/no-show/").status_code == 404
    assert client.post(f"/sessions/{ended.pk}/no-show/undo/").status_code == 404


# --- The API -----------------------------------------------------------------------------------------


def test_the_api_refuses_a_no_show_once_the_mentee_rated_with_409_already_rated(api_as, ended, open_mentor):
    rated_by_mentee(ended)

    response = api_as(open_mentor).post(f"{BOOKINGS}{ended.pk}/no-show/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Maya Mentee has rated this session, so it cannot be marked a no-show.",
        "code": "already_rated",
    }


def test_the_api_no_show_answers_when_it_was_marked_and_until_when_it_can_be_undone(
    api_as, ended, open_mentor, mentee
):
    body = api_as(open_mentor).post(f"{BOOKINGS}{ended.pk}/no-show/").json()

    assert body["status"] == "no_show"
    assert body["no_show_marked_at"].endswith("Z")
    ended.refresh_from_db()
    assert body["no_show_undo_until"] == z(ended.no_show_marked_at + timedelta(hours=24))
    as_mentee = api_as(mentee).get(f"{BOOKINGS}{ended.pk}/").json()
    assert (as_mentee["status"], as_mentee["no_show_marked_at"]) == ("no_show", body["no_show_marked_at"])


def test_the_api_undo_answers_200_with_the_session_held_again(api_as, ended, open_mentor):
    marked(ended)

    response = api_as(open_mentor).post(f"{BOOKINGS}{ended.pk}/no-show/undo/")

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["no_show_undo_until"]) == ("completed", None)


def test_the_api_undo_refusals(api_as, ended, open_mentor, mentee, outsider):
    not_yet = api_as(open_mentor).post(f"{BOOKINGS}{ended.pk}/no-show/undo/")
    marked(ended, hours_ago=25)
    too_late = api_as(open_mentor).post(f"{BOOKINGS}{ended.pk}/no-show/undo/")
    by_mentee = api_as(mentee).post(f"{BOOKINGS}{ended.pk}/no-show/undo/")
    by_outsider = api_as(outsider).post(f"{BOOKINGS}{ended.pk}/no-show/undo/")

    assert (not_yet.status_code, not_yet.json()["code"]) == (409, "not_no_show")
    assert (too_late.status_code, too_late.json()["code"]) == (409, "undo_expired")
    assert by_mentee.status_code == 403
    assert by_outsider.status_code == 404
    ended.refresh_from_db()
    assert ended.status == Booking.Status.NO_SHOW
