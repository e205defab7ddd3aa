"""Joining, waiting and leaving group sessions through the services (the races are in
tests/integration/test_group_session_races.py)."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups.models import GroupSession, Seat
from groups.services.seats import join_session, leave_session
from marketplace.errors import Conflict, InvalidInput
from marketplace.models import AvailabilityBlock
from marketplace.schedules import slot_is_bookable
from sessions_app.models import Booking, OutboundMessage
from tests.factories import BookingFactory, GroupSessionFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db


def soon(days: int = 2, hour: int = 10) -> datetime:
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=UTC)


def positions(session: GroupSession) -> list[tuple[int, int | None]]:
    return list(
        Seat.objects.filter(session=session, status="waitlisted")
        .order_by("position")
        .values_list("person_id", "position")
    )


def test_people_are_seated_until_the_session_is_full_then_wait_in_the_order_they_came():
    session = GroupSessionFactory(capacity=2, start=soon())
    people = [UserFactory() for _ in range(4)]

    seats = [join_session(session=session, person=person) for person in people]

    assert [seat.status for seat in seats] == ["seated", "seated", "waitlisted", "waitlisted"]
    assert [seat.seat_number for seat in seats[:2]] == [1, 2]
    assert positions(session) == [(people[2].pk, 1), (people[3].pk, 2)]
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (2, 2)


def test_a_freed_seat_goes_to_the_first_waiting_person_who_is_emailed_and_the_queue_moves_up():
    session = GroupSessionFactory(capacity=2, start=soon())
    first, other, second, third = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    for person in (first, other, second, third):
        join_session(session=session, person=person)

    promoted = leave_session(session=session, person=first)

    assert [seat.person_id for seat in promoted] == [second.pk]
    seat = Seat.objects.get(session=session, person=second, status="seated")
    assert seat.from_waitlist
    assert seat.seat_number == 1  # the seat number the leaver gave up
    assert positions(session) == [(third.pk, 1)]
    assert OutboundMessage.objects.filter(group_seat=seat, kind="group_seated", recipient=second).exists()
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (2, 1)


def test_leaving_the_waiting_list_closes_the_gap():
    session = GroupSessionFactory(capacity=2, start=soon())
    people = [UserFactory() for _ in range(5)]
    for person in people:
        join_session(session=session, person=person)

    assert leave_session(session=session, person=people[3]) == []

    assert positions(session) == [(people[2].pk, 1), (people[4].pk, 2)]
    assert GroupSession.objects.get(pk=session.pk).waitlist_length == 2


def test_joining_twice_is_already_joined_and_the_host_cannot_join():
    session = GroupSessionFactory(start=soon())
    person = UserFactory()
    join_session(session=session, person=person)

    with pytest.raises(Conflict) as error:
        join_session(session=session, person=person)
    assert error.value.code == "already_joined"
    with pytest.raises(InvalidInput) as invalid:
        join_session(session=session, person=session.host)
    assert invalid.value.field == "session"


def test_a_person_with_a_one_to_one_session_at_that_time_gets_time_conflict():
    session = GroupSessionFactory(start=soon(), duration=60, end=soon() + timedelta(hours=1))
    person = UserFactory()
    BookingFactory(mentee=person, start=soon() + timedelta(minutes=30))

    with pytest.raises(Conflict) as error:
        join_session(session=session, person=person)

    assert error.value.code == "time_conflict"
    assert not Seat.objects.filter(session=session).exists()


def test_a_seat_in_an_overlapping_group_session_is_a_time_conflict_but_back_to_back_is_not():
    person = UserFactory()
    first = GroupSessionFactory(start=soon())
    overlapping = GroupSessionFactory(start=soon() + timedelta(minutes=10))
    after = GroupSessionFactory(start=soon() + timedelta(minutes=30))
    join_session(session=first, person=person)

    with pytest.raises(Conflict, match="another session"):
        join_session(session=overlapping, person=person)
    assert join_session(session=after, person=person).status == "seated"


def test_someone_waiting_who_booked_a_one_to_one_meanwhile_keeps_their_place_and_the_next_is_seated():
    session = GroupSessionFactory(capacity=2, start=soon())
    seated, busy, free = UserFactory(), UserFactory(), UserFactory()
    for person in (seated, UserFactory(), busy, free):
        join_session(session=session, person=person)
    BookingFactory(mentee=busy, start=session.start)  # waiting is not busy time: this could be booked

    promoted = leave_session(session=session, person=seated)

    assert [seat.person_id for seat in promoted] == [free.pk]
    assert positions(session) == [(busy.pk, 1)]


def test_a_cancelled_or_started_session_cannot_be_joined_or_left():
    cancelled = GroupSessionFactory(start=soon(), status="cancelled")
    started = GroupSessionFactory(start=timezone.now() - timedelta(minutes=5))
    person = UserFactory()

    with pytest.raises(Conflict) as error:
        join_session(session=cancelled, person=person)
    assert error.value.code == "cancelled"
    with pytest.raises(Conflict) as error:
        join_session(session=started, person=person)
    assert error.value.code == "already_started"


def test_leaving_without_a_seat_is_not_joined():
    with pytest.raises(Conflict) as error:
        leave_session(session=GroupSessionFactory(start=soon()), person=UserFactory())
    assert error.value.code == "not_joined"


def test_a_seat_is_busy_time_in_the_persons_one_to_one_slots():
    mentor = MentorFactory(timezone="UTC")
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=day, start=time(0), end=time(23, 50)) for day in range(7)
    )
    person = UserFactory()
    session = GroupSessionFactory(start=soon())
    join_session(session=session, person=person)

    now = timezone.now()
    assert not slot_is_bookable(mentor.pk, asker_id=person.pk, start=soon(), duration_minutes=30, now=now)
    assert slot_is_bookable(
        mentor.pk, asker_id=person.pk, start=soon() + timedelta(minutes=30), duration_minutes=30, now=now
    )
    # Waiting is not busy time.
    full = GroupSessionFactory(capacity=2, start=soon(hour=14))
    for _ in range(2):
        join_session(session=full, person=UserFactory())
    assert join_session(session=full, person=person).status == "waitlisted"
    assert slot_is_bookable(mentor.pk, asker_id=person.pk, start=soon(hour=14), duration_minutes=30, now=now)


def test_the_database_refuses_a_seat_number_above_the_capacity_or_taken_twice():
    session = GroupSessionFactory(capacity=2, start=soon())

    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(
            session=session, person=UserFactory(), status="seated", seat_number=3, session_capacity=2
        )
    Seat.objects.create(
        session=session, person=UserFactory(), status="seated", seat_number=1, session_capacity=2
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(
            session=session, person=UserFactory(), status="seated", seat_number=1, session_capacity=2
        )


def test_left_seats_are_kept_and_a_person_may_join_again():
    session = GroupSessionFactory(start=soon())
    person = UserFactory()
    join_session(session=session, person=person)
    leave_session(session=session, person=person)

    again = join_session(session=session, person=person)

    assert again.status == "seated"
    assert list(Seat.objects.filter(session=session, person=person).values_list("status", flat=True)) == [
        "left",
        "seated",
    ]
    assert Booking.objects.count() == 0
