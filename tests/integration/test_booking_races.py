"""Concurrency on real PostgreSQL: threads with their own connections race for the same slots.

docs/design.md: one transaction locks and re-checks, the exclusion constraints refuse any overlap that slips
through, so no interleaving can produce a double booking or lose a session.
"""

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from functools import partial
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from marketplace.errors import Conflict
from marketplace.models import AvailabilityBlock, MentorProfile
from sessions_app.models import Booking, BookingSeries
from sessions_app.services.bookings import book_session, cancel_booking, reschedule_booking
from sessions_app.services.series import Repeat, book_series
from tests.factories import BookingFactory, MentorFactory, UserFactory

THREADS = 24


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.fail("the race tests need PostgreSQL: run them with `make test`")


def open_all_day(mentor) -> None:
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(0), end=time(23, 50))
        for weekday in range(7)
    )


def at(days: int, hour: int, minute: int = 0) -> datetime:
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=UTC)


def race(attempts: Sequence[Callable[[], object]]) -> list[object]:
    """Runs every attempt in its own thread (its own database connection), all released at once."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[object] = [None] * len(attempts)

    def run(index: int, attempt: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = attempt()
        except Exception as error:  # the outcome under test, whatever it is
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, attempt)) for i, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racer hung (deadlock?)"
    return outcomes


def kinds(outcomes: list[object]) -> Counter:
    return Counter(
        "booked" if isinstance(outcome, Booking) else getattr(outcome, "code", type(outcome).__name__)
        for outcome in outcomes
    )


@pytest.mark.django_db(transaction=True)
def test_many_people_racing_for_one_slot_produce_exactly_one_booking():
    mentor = MentorFactory(timezone="UTC")
    open_all_day(mentor)
    mentees = [UserFactory() for _ in range(THREADS)]
    start = at(days=2, hour=10)

    outcomes = race(
        [
            partial(book_session, mentee=mentee, mentor=mentor, start=start, minutes=30, topic="Race")
            for mentee in mentees
        ]
    )

    assert kinds(outcomes) == Counter({"booked": 1, "slot_unavailable": THREADS - 1})
    assert Booking.objects.filter(mentor=mentor, status="confirmed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_overlapping_starts_racing_for_one_mentor_still_produce_one_booking():
    mentor = MentorFactory(timezone="UTC")
    open_all_day(mentor)
    mentees = [UserFactory() for _ in range(THREADS)]
    starts = [at(days=2, hour=10, minute=10 * (i % 3)) for i in range(THREADS)]  # 10:00, 10:10, 10:20

    outcomes = race(
        [
            partial(book_session, mentee=mentee, mentor=mentor, start=start, minutes=30, topic="Race")
            for mentee, start in zip(mentees, starts, strict=True)
        ]
    )

    assert kinds(outcomes)["booked"] == 1
    assert set(kinds(outcomes)) == {"booked", "slot_unavailable"}


@pytest.mark.django_db(transaction=True)
def test_one_mentee_racing_for_two_mentors_at_the_same_time_gets_one_booking():
    mentee = UserFactory()
    mentors = [MentorFactory(timezone="UTC") for _ in range(2)]
    for mentor in mentors:
        open_all_day(mentor)
    start = at(days=3, hour=9)

    outcomes = race(
        [
            partial(
                book_session,
                mentee=mentee,
                mentor=mentors[i % 2],
                start=start,
                minutes=30,
                topic="Two at once",
            )
            for i in range(THREADS)
        ]
    )

    assert kinds(outcomes) == Counter({"booked": 1, "slot_unavailable": THREADS - 1})
    assert Booking.objects.filter(mentee=mentee, status="confirmed").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared", ["mentor", "mentee"])
def test_rescheduling_two_sessions_into_each_others_slots_never_loses_either(shared):
    """A at t1 and B at t2 share a mentor (or a mentee); A moves to t2 while B moves to t1, many rounds."""
    common = MentorFactory(timezone="UTC") if shared == "mentor" else UserFactory()
    if shared == "mentor":
        open_all_day(common)
        first = BookingFactory(mentor=common, start=at(days=2, hour=10))
        second = BookingFactory(mentor=common, start=at(days=2, hour=11))
    else:
        first = BookingFactory(mentee=common, start=at(days=2, hour=10))
        second = BookingFactory(mentee=common, start=at(days=2, hour=11))
        open_all_day(first.mentor)
        open_all_day(second.mentor)
    slots = {at(days=2, hour=10), at(days=2, hour=11)}

    for _ in range(5):
        first.refresh_from_db()
        second.refresh_from_db()
        outcomes = race(
            [
                lambda: reschedule_booking(booking=first, by=first.mentee, start=second.start),
                lambda: reschedule_booking(booking=second, by=second.mentee, start=first.start),
            ]
        )
        assert not [o for o in outcomes if not isinstance(o, Booking | Conflict)], outcomes
        rows = list(Booking.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", "start"))
        assert [status for status, _ in rows] == ["confirmed", "confirmed"]
        assert {start for _, start in rows} == slots, "both kept a slot of their own, no overlap"


@pytest.mark.django_db(transaction=True)
def test_reschedule_and_cancel_of_the_same_session_at_once_end_consistently():
    mentor = MentorFactory(timezone="UTC")
    open_all_day(mentor)
    bookings = [BookingFactory(mentor=mentor, start=at(days=2, hour=8 + i)) for i in range(6)]

    attempts: list[Callable[[], Booking]] = []
    for index, booking in enumerate(bookings):
        attempts.append(
            partial(reschedule_booking, booking=booking, by=booking.mentee, start=at(days=4, hour=8 + index))
        )
        attempts.append(partial(cancel_booking, booking=booking, by=booking.mentor, reason=""))
    outcomes = race(attempts)

    assert all(isinstance(o, Booking | Conflict) for o in outcomes), outcomes
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.status == "cancelled"  # a cancel always succeeds, before or after the move
        assert booking.sequence in (1, 2)


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_overlapping_confirmed_session_written_around_the_services():
    mentor = MentorFactory(timezone="UTC")
    mentee = UserFactory()
    start = at(days=2, hour=10)
    BookingFactory(mentor=mentor, start=start)

    with pytest.raises(IntegrityError, match="booking_no_overlap_per_mentor"), transaction.atomic():
        BookingFactory(mentor=mentor, start=start + timedelta(minutes=10))
    BookingFactory(mentee=mentee, start=start)
    with pytest.raises(IntegrityError, match="booking_no_overlap_per_mentee"), transaction.atomic():
        BookingFactory(mentee=mentee, start=start + timedelta(minutes=20))

    # Back-to-back is fine, and cancelled sessions do not count.
    BookingFactory(mentor=mentor, start=start + timedelta(minutes=30))
    BookingFactory(mentor=mentor, start=start + timedelta(minutes=10), status="cancelled")
    assert Booking.objects.filter(mentor=mentor).count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_move_a_session_onto_another_with_a_raw_update():
    mentor = MentorFactory(timezone="UTC")
    start = at(days=2, hour=10)
    BookingFactory(mentor=mentor, start=start)
    other = BookingFactory(mentor=mentor, start=start + timedelta(hours=2))

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=other.pk).update(start=start, end=start + timedelta(minutes=30))


@pytest.mark.django_db(transaction=True)
def test_without_locks_and_re_check_the_constraint_alone_lets_one_through_and_the_rest_get_409():
    """The last guard on its own: the service's lock and slot check are switched off for this race."""
    mentor = MentorFactory(timezone="UTC")
    mentees = [UserFactory() for _ in range(THREADS)]
    start = at(days=2, hour=10)

    def no_lock(*user_ids):
        return {person.pk: person for person in type(mentor).objects.filter(pk__in=user_ids)}

    with (
        mock.patch("sessions_app.services.bookings._lock_people", no_lock),
        mock.patch("sessions_app.services.bookings.slot_is_bookable", return_value=True),
        mock.patch.object(MentorProfile.objects, "select_for_update", MentorProfile.objects.all),
    ):
        outcomes = race(
            [
                partial(book_session, mentee=mentee, mentor=mentor, start=start, minutes=30, topic="Race")
                for mentee in mentees
            ]
        )

    assert kinds(outcomes) == Counter({"booked": 1, "slot_unavailable": THREADS - 1})
    assert Booking.objects.filter(mentor=mentor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_people_racing_for_overlapping_series_never_both_get_them():
    """Half ask for weeks 1–3 of a slot, half for weeks 2–4: every series overlaps every other, so one is
    booked whole and every other refused whole (no session of it stored, no empty series left)."""
    mentor = MentorFactory(timezone="UTC")
    open_all_day(mentor)
    mentees = [UserFactory() for _ in range(THREADS)]
    first = at(days=2, hour=10)

    outcomes = race(
        [
            partial(
                book_series,
                mentee=mentee,
                mentor=mentor,
                start=first + timedelta(weeks=index % 2),
                minutes=30,
                topic="Series race",
                repeat=Repeat(count=3, every_weeks=1),
            )
            for index, mentee in enumerate(mentees)
        ]
    )

    won = [outcome for outcome in outcomes if isinstance(outcome, list)]
    assert len(won) == 1
    assert Counter(getattr(outcome, "code", None) for outcome in outcomes if outcome not in won) == Counter(
        {"slot_unavailable": THREADS - 1}
    )
    [series] = BookingSeries.objects.all()
    stored = list(Booking.objects.filter(mentor=mentor).order_by("start"))
    assert [booking.pk for booking in stored] == [booking.pk for booking in won[0]]
    assert {(booking.series_id, booking.mentee_id) for booking in stored} == {(series.pk, series.mentee_id)}
    assert [booking.series_position for booking in stored] == [1, 2, 3]
