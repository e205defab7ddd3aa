"""Booking services (sessions_app.services.bookings) and feedback, called directly."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from marketplace.errors import Conflict, InvalidInput
from marketplace.models import AvailabilityBlock, MentorProfile
from marketplace.schedules import slots_for_mentor
from sessions_app.models import Booking, OutboundMessage
from sessions_app.services.bookings import (
    book_session,
    cancel_booking,
    complete_finished_sessions,
    mark_no_show,
    reschedule_booking,
    rotate_calendar_token,
)
from sessions_app.services.feedback import give_feedback
from tests.factories import BookingFactory, MentorFactory
from tests.sessions_app.helpers import slot


def book(mentee, mentor, start, minutes=30, topic="Preparing a board presentation", **extra) -> Booking:
    return book_session(mentee=mentee, mentor=mentor, start=start, minutes=minutes, topic=topic, **extra)


def test_booking_a_free_slot_confirms_it_with_the_mentors_own_meeting_link(mentee, open_mentor):
    MentorProfile.objects.filter(user=open_mentor).update(meeting_url="https://zoom.example.com/j/123")

    booking = book(mentee, open_mentor, slot(), minutes=20, topic="  Board deck  ")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert (booking.start, booking.end, booking.duration) == (slot(), slot() + timedelta(minutes=20), 20)
    assert booking.topic == "Board deck"
    assert booking.meeting_url == "https://zoom.example.com/j/123"
    assert booking.sequence == 0


def test_without_a_mentor_link_the_meeting_link_comes_from_the_configured_template(
    mentee, open_mentor, settings
):
    settings.MEETING_URL_TEMPLATE = "https://video.example.org/room/{token}"

    first = book(mentee, open_mentor, slot(hour=10))
    second = book(mentee, open_mentor, slot(hour=12))

    assert first.meeting_url.startswith("https://video.example.org/room/")
    assert len(first.meeting_url) > len("https://video.example.org/room/") + 8
    assert first.meeting_url != second.meeting_url


def test_booking_writes_a_confirmation_for_each_participant_in_the_same_transaction(mentee, open_mentor):
    booking = book(mentee, open_mentor, slot())

    rows = OutboundMessage.objects.filter(booking=booking, kind="confirmation").values_list(
        "kind", "recipient_id", "status"
    )
    assert sorted(rows) == sorted(
        [("confirmation", mentee.pk, "pending"), ("confirmation", open_mentor.pk, "pending")]
    )


def test_a_rolled_back_booking_leaves_neither_a_session_nor_outbox_rows(mentee, open_mentor):
    def book_then_fail() -> None:
        with transaction.atomic():
            book(mentee, open_mentor, slot())
            assert OutboundMessage.objects.filter(kind="confirmation").count() == 2
            raise RuntimeError("the surrounding request failed")

    with pytest.raises(RuntimeError):
        book_then_fail()

    assert not Booking.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_booking_a_taken_slot_is_a_slot_unavailable_conflict(mentee, outsider, open_mentor):
    book(outsider, open_mentor, slot())

    with pytest.raises(Conflict) as error:
        book(mentee, open_mentor, slot(minute=10))

    assert error.value.code == "slot_unavailable"
    assert Booking.objects.count() == 1


def test_a_mentee_cannot_be_in_two_sessions_at_once(mentee, open_mentor):
    other_mentor = MentorFactory(timezone="UTC")
    AvailabilityBlock.objects.create(
        mentor=other_mentor, weekday=slot().weekday(), start=time(8), end=time(12)
    )
    book(mentee, open_mentor, slot())

    with pytest.raises(Conflict) as error:
        book(mentee, other_mentor, slot(minute=20))
    assert error.value.code == "slot_unavailable"
    assert not Booking.objects.filter(mentor=other_mentor).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "past"}, "start"),
        ({"minutes": 25}, "duration"),
        ({"topic": "   "}, "topic"),
        ({"topic": "x" * 201}, "topic"),
    ],
)
def test_bad_input_is_refused_naming_the_field(mentee, open_mentor, change, field):
    arguments = {"start": slot(), "minutes": 30, "topic": "Help"} | change
    if arguments["start"] == "past":
        arguments["start"] = timezone.now() - timedelta(minutes=10)

    with pytest.raises(InvalidInput) as error:
        book_session(mentee=mentee, mentor=open_mentor, **arguments)

    assert error.value.field == field
    assert not Booking.objects.exists()


def test_a_length_the_mentor_does_not_offer_is_refused_on_duration(mentee, open_mentor):
    MentorProfile.objects.filter(user=open_mentor).update(session_lengths=[30])

    with pytest.raises(InvalidInput) as error:
        book(mentee, open_mentor, slot(), minutes=20)

    assert error.value.field == "duration"
    assert "30 minute" in error.value.message


def test_nobody_can_book_themselves(open_mentor):
    with pytest.raises(InvalidInput) as error:
        book(open_mentor, open_mentor, slot())
    assert error.value.field == "mentor"


def test_someone_who_does_not_mentor_cannot_be_booked(mentee, outsider):
    with pytest.raises(InvalidInput) as error:
        book(mentee, outsider, slot())
    assert error.value.field == "mentor"


def test_a_paused_mentor_cannot_be_booked(mentee, open_mentor):
    MentorProfile.objects.filter(user=open_mentor).update(accepting=False)

    with pytest.raises(Conflict) as error:
        book(mentee, open_mentor, slot())
    assert error.value.code == "slot_unavailable"


def test_a_start_off_the_ten_minute_grid_is_not_bookable(mentee, open_mentor):
    with pytest.raises(Conflict) as error:
        book(mentee, open_mentor, slot(minute=5))
    assert error.value.code == "slot_unavailable"


class _Undo(Exception):
    """Rolls a trial booking back."""


def _next_monday(hour: int) -> datetime:
    today = timezone.now().astimezone(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(hour), tzinfo=UTC)


def test_the_weekly_cap_refuses_a_booking_beyond_it_and_allows_the_next_week(mentee, outsider, open_mentor):
    MentorProfile.objects.filter(user=open_mentor).update(weekly_minutes_cap=60)
    monday = _next_monday(hour=9)  # 10:00 in Berlin: the ISO week is the mentor's
    book(outsider, open_mentor, monday)
    book(outsider, open_mentor, monday + timedelta(days=1))

    with pytest.raises(Conflict) as error:
        book(mentee, open_mentor, monday + timedelta(days=2))
    assert error.value.code == "slot_unavailable"
    assert book(mentee, open_mentor, monday + timedelta(days=7)).status == "confirmed"


def test_minimum_notice_refuses_a_slot_too_soon(mentee, open_mentor):
    MentorProfile.objects.filter(user=open_mentor).update(min_notice_minutes=240)
    now = timezone.now().replace(second=0, microsecond=0)
    soon = now.replace(minute=now.minute - now.minute % 10) + timedelta(hours=2)

    with pytest.raises(Conflict) as error:
        book(mentee, open_mentor, soon, now=now)
    assert error.value.code == "slot_unavailable"
    assert book(mentee, open_mentor, soon + timedelta(hours=3), now=now).status == "confirmed"


def test_the_buffer_keeps_sessions_apart(mentee, outsider, open_mentor):
    MentorProfile.objects.filter(user=open_mentor).update(buffer_minutes=15)
    book(outsider, open_mentor, slot(hour=10))  # 10:00-10:30

    for too_close in (slot(hour=10, minute=40), slot(hour=9, minute=20)):
        with pytest.raises(Conflict) as error:
            book(mentee, open_mentor, too_close)
        assert error.value.code == "slot_unavailable"
    assert book(mentee, open_mentor, slot(hour=10, minute=50)).status == "confirmed"


def test_cap_notice_and_buffer_at_booking_time_agree_with_the_slot_listing_start_by_start(
    mentee, outsider, mentor
):
    """Every 10-minute start over three days: booking succeeds exactly when the slots listing offers it."""
    MentorProfile.objects.filter(user=mentor).update(
        min_notice_minutes=180, buffer_minutes=15, weekly_minutes_cap=90
    )
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(8), end=time(18)) for weekday in range(7)
    )
    now = timezone.now().replace(second=0, microsecond=0)
    window_start = now.replace(minute=now.minute - now.minute % 10) + timedelta(minutes=10)
    window_end = window_start + timedelta(days=3)
    BookingFactory(mentor=mentor, mentee=outsider, start=slot(days=1, hour=11), duration=30)
    BookingFactory(mentor=mentor, mentee=outsider, start=slot(days=2, hour=12), duration=30)

    listed = {
        interval.start
        for interval in slots_for_mentor(
            mentor.pk, asker_id=mentee.pk, start=window_start, end=window_end, duration_minutes=30, now=now
        )
    }
    outcomes = {}
    candidate = window_start
    while candidate < window_end:
        try:
            with transaction.atomic():
                book(mentee, mentor, candidate, now=now)
                outcomes[candidate] = True
                raise _Undo
        except _Undo:
            pass
        except Conflict:
            outcomes[candidate] = False
        candidate += timedelta(minutes=10)

    booked = {start for start, ok in outcomes.items() if ok}
    assert booked == listed
    assert listed, "the mentor has free slots in the window"
    assert len(booked) < sum(1 for start in outcomes if 7 <= start.hour < 17), "some in-block starts refused"


def test_cancelling_frees_the_slot_raises_the_sequence_and_records_who_and_why(mentee, outsider, open_mentor):
    booking = book(mentee, open_mentor, slot())

    cancelled = cancel_booking(booking=booking, by=mentee, reason="  Deadline moved  ")

    cancelled.refresh_from_db()
    assert cancelled.status == Booking.Status.CANCELLED
    assert (cancelled.cancelled_by, cancelled.cancel_reason, cancelled.sequence) == (
        mentee,
        "Deadline moved",
        1,
    )
    assert cancelled.cancelled_at is not None
    assert book(outsider, open_mentor, slot()).status == "confirmed"


def test_cancelling_stops_pending_messages_and_queues_cancellations_for_both(mentee, open_mentor):
    booking = book(mentee, open_mentor, slot())

    cancel_booking(booking=booking, by=open_mentor, reason="Ill")

    rows = set(OutboundMessage.objects.values_list("kind", "status", "sequence"))
    assert rows == {
        ("confirmation", "cancelled", 0),
        ("reminder", "cancelled", 0),
        ("feedback_prompt", "cancelled", 0),
        ("follow_up", "cancelled", 0),
        ("cancellation", "pending", 1),
    }
    assert OutboundMessage.objects.filter(kind="cancellation").count() == 2


def test_a_cancelled_or_started_session_cannot_be_cancelled(mentee, open_mentor):
    started = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(minutes=5))
    with pytest.raises(Conflict) as error:
        cancel_booking(booking=started, by=mentee, reason="")
    assert error.value.code == "already_started"

    booking = book(mentee, open_mentor, slot())
    cancel_booking(booking=booking, by=mentee, reason="")
    with pytest.raises(Conflict) as error:
        cancel_booking(booking=booking, by=mentee, reason="")
    assert error.value.code == "not_confirmed"


def test_only_participants_can_cancel(mentee, outsider, open_mentor):
    booking = book(mentee, open_mentor, slot())
    with pytest.raises(PermissionDenied):
        cancel_booking(booking=booking, by=outsider, reason="")
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_rescheduling_moves_the_session_keeps_its_uid_and_raises_the_sequence(mentee, open_mentor):
    booking = book(mentee, open_mentor, slot())
    uid = booking.uid

    moved = reschedule_booking(booking=booking, by=open_mentor, start=slot(days=3, hour=14))

    moved.refresh_from_db()
    assert (moved.start, moved.end) == (slot(days=3, hour=14), slot(days=3, hour=14, minute=30))
    assert (moved.uid, moved.sequence, moved.status) == (uid, 1, "confirmed")
    assert OutboundMessage.objects.filter(kind="reschedule", sequence=1).count() == 2


def test_a_session_can_move_by_ten_minutes_over_its_own_old_time(mentee, open_mentor):
    booking = book(mentee, open_mentor, slot())

    moved = reschedule_booking(booking=booking, by=mentee, start=slot(minute=10))

    assert moved.start == slot(minute=10)


def test_rescheduling_into_a_taken_slot_leaves_the_session_as_it_was(mentee, outsider, open_mentor):
    booking = book(mentee, open_mentor, slot(hour=10))
    book(outsider, open_mentor, slot(hour=14))

    with pytest.raises(Conflict) as error:
        reschedule_booking(booking=booking, by=mentee, start=slot(hour=14))

    assert error.value.code == "slot_unavailable"
    booking.refresh_from_db()
    assert (booking.start, booking.sequence, booking.status) == (slot(hour=10), 0, "confirmed")
    assert not OutboundMessage.objects.filter(kind="reschedule").exists()


def test_rescheduling_to_the_same_time_changes_nothing(mentee, open_mentor):
    booking = book(mentee, open_mentor, slot())

    again = reschedule_booking(booking=booking, by=mentee, start=slot())

    assert again.sequence == 0
    assert not OutboundMessage.objects.filter(kind="reschedule").exists()


def test_only_the_mentor_marks_a_no_show_and_only_after_the_start(mentee, open_mentor):
    future = book(mentee, open_mentor, slot())
    with pytest.raises(Conflict) as error:
        mark_no_show(booking=future, by=open_mentor)
    assert error.value.code == "too_early"

    started = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(minutes=10))
    with pytest.raises(PermissionDenied):
        mark_no_show(booking=started, by=mentee)
    assert mark_no_show(booking=started, by=open_mentor).status == Booking.Status.NO_SHOW


def test_finished_confirmed_sessions_become_completed_and_nothing_else_changes(mentee, open_mentor):
    now = timezone.now()
    ended = BookingFactory(mentor=open_mentor, mentee=mentee, start=now - timedelta(hours=2))
    running = BookingFactory(mentor=open_mentor, mentee=mentee, start=now - timedelta(minutes=10))
    cancelled = BookingFactory(
        mentor=open_mentor, mentee=mentee, start=now - timedelta(hours=5), status=Booking.Status.CANCELLED
    )

    assert complete_finished_sessions(now=now) == 1

    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses == {ended.pk: "completed", running.pk: "confirmed", cancelled.pk: "cancelled"}


def test_feedback_is_given_once_per_person_after_the_end(mentee, open_mentor):
    future = book(mentee, open_mentor, slot())
    with pytest.raises(Conflict) as error:
        give_feedback(booking=future, by=mentee, rating=5, helpful=True)
    assert error.value.code == "too_early"

    held = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(hours=1))
    feedback = give_feedback(booking=held, by=mentee, rating=4, helpful=True, next_step="Rehearse")
    assert (feedback.role, feedback.rating, feedback.next_step) == ("mentee", 4, "Rehearse")
    assert give_feedback(booking=held, by=open_mentor, rating=5, helpful=True).role == "mentor"
    with pytest.raises(Conflict) as error:
        give_feedback(booking=held, by=mentee, rating=1, helpful=False)
    assert error.value.code == "already_given"


def test_rotating_the_calendar_token_replaces_it(mentee):
    old = mentee.calendar_token

    new = rotate_calendar_token(user=mentee)

    mentee.refresh_from_db()
    assert mentee.calendar_token == new != old
