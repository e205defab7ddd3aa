"""Seats under concurrency on real PostgreSQL: threads with their own connections join and leave at once.

docs/design.md flow 8: joining locks the session row, counts and inserts in one transaction; the database
refuses a seat beyond capacity whatever writes it (seat numbers 1..capacity, unique per session, under a
capacity the seat row keeps by a foreign key on the session's). Waiting positions stay unique and gap-free.
"""

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from functools import partial
from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from groups.models import GroupSession, Seat
from groups.services.seats import join_session, leave_session
from groups.services.sessions import Changes, update_group_session
from sessions_app.models import OutboundMessage
from tests.factories import GroupSessionFactory, UserFactory


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.fail("the race tests need PostgreSQL: run them with `make test`")


def at(days: int, hour: int) -> datetime:
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=UTC)


def race(attempts: Sequence[Callable[[], object]]) -> list[object]:
    """Runs every attempt in its own thread (its own database connection), all released at once."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[object] = [None] * len(attempts)

    def run(index: int, attempt: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=60)
            outcomes[index] = attempt()
        except Exception as error:  # the outcome under test, whatever it is
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, attempt)) for i, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a racer hung (deadlock?)"
    return outcomes


def outcome_kinds(outcomes: list[object]) -> Counter:
    return Counter(
        outcome.status if isinstance(outcome, Seat) else getattr(outcome, "code", repr(outcome))
        for outcome in outcomes
    )


def assert_consistent(session: GroupSession) -> None:
    """The counters are the rows, seat numbers are unique within 1..capacity, positions run 1..n."""
    session.refresh_from_db()
    seated = [
        number or 0
        for number in Seat.objects.filter(session=session, status="seated").values_list(
            "seat_number", flat=True
        )
    ]
    waiting = sorted(
        position or 0
        for position in Seat.objects.filter(session=session, status="waitlisted").values_list(
            "position", flat=True
        )
    )
    assert len(seated) == session.seats_taken <= session.capacity
    assert len(set(seated)) == len(seated)
    assert all(1 <= number <= session.capacity for number in seated)
    assert waiting == list(range(1, len(waiting) + 1))
    assert len(waiting) == session.waitlist_length


@pytest.mark.django_db(transaction=True)
def test_200_people_joining_20_seats_at_once_seat_exactly_20_and_queue_180_in_order():
    session = GroupSessionFactory(capacity=20, start=at(days=3, hour=10))
    people = [UserFactory() for _ in range(200)]

    outcomes = race([partial(join_session, session=session, person=person) for person in people])

    assert outcome_kinds(outcomes) == Counter({"seated": 20, "waitlisted": 180})
    assert_consistent(session)
    assert session.waitlist_length == 180  # and assert_consistent: positions 1..180
    # Each answer told its own place, and the seated were each sent their invite once.
    told = sorted(outcome.position for outcome in outcomes if isinstance(outcome, Seat) and outcome.position)
    assert told == list(range(1, 181))
    assert OutboundMessage.objects.filter(kind="group_seated").count() == 20


@pytest.mark.django_db(transaction=True)
def test_50_leaves_and_joins_at_once_never_oversell_and_seat_the_waiting_in_their_order():
    session = GroupSessionFactory(capacity=20, start=at(days=3, hour=12))
    seated = [UserFactory() for _ in range(20)]
    waiting = [UserFactory() for _ in range(30)]
    newcomers = [UserFactory() for _ in range(25)]
    for person in seated + waiting:
        join_session(session=session, person=person)

    # All 20 seated leave and the last 5 waiting give up their place, while 25 newcomers join: 50 at once.
    attempts: list[Callable[[], object]] = [
        partial(leave_session, session=session, person=person) for person in seated + waiting[25:]
    ]
    attempts += [partial(join_session, session=session, person=person) for person in newcomers]
    outcomes = race(attempts)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert_consistent(session)
    # A leave gives its seat away before it commits, so no joiner ever found a free seat: every seat went
    # to the longest-waiting person, in their order, and nobody waiting was passed over.
    now_seated = set(
        Seat.objects.filter(session=session, status="seated").values_list("person_id", flat=True)
    )
    assert now_seated == {person.pk for person in waiting[:20]}
    still_waiting = list(
        Seat.objects.filter(session=session, status="waitlisted")
        .order_by("position")
        .values_list("person_id", "id")
    )
    assert [person for person, _ in still_waiting[:5]] == [person.pk for person in waiting[20:25]]
    assert {person for person, _ in still_waiting[5:]} == {person.pk for person in newcomers}
    assert [seat_id for _, seat_id in still_waiting] == sorted(seat_id for _, seat_id in still_waiting)
    assert outcome_kinds(outcomes[25:]) == Counter({"waitlisted": 25})
    assert OutboundMessage.objects.filter(kind="group_seated", group_seat__from_waitlist=True).count() == 20


@pytest.mark.django_db(transaction=True)
def test_many_rounds_of_leaving_and_joining_keep_every_rule():
    session = GroupSessionFactory(capacity=5, start=at(days=4, hour=9))
    people = [UserFactory() for _ in range(16)]
    for person in people[:10]:
        join_session(session=session, person=person)

    for round_number in range(4):
        inside = list(
            Seat.objects.filter(session=session, status__in=["seated", "waitlisted"]).values_list(
                "person_id", flat=True
            )
        )
        outside = [person for person in people if person.pk not in inside]
        goers = [person for person in people if person.pk in inside][round_number::2][:4]
        outcomes = race(
            [partial(leave_session, session=session, person=person) for person in goers]
            + [partial(join_session, session=session, person=person) for person in outside]
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert_consistent(session)


@pytest.mark.django_db(transaction=True)
def test_raising_the_capacity_while_people_join_seats_the_waiting_without_overselling():
    session = GroupSessionFactory(capacity=2, start=at(days=3, hour=15))
    for person in [UserFactory() for _ in range(6)]:
        join_session(session=session, person=person)
    newcomers = [UserFactory() for _ in range(10)]

    outcomes = race(
        [partial(join_session, session=session, person=person) for person in newcomers]
        + [lambda: update_group_session(session=session, by=session.host, changes=Changes(capacity=6))]
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert_consistent(session)
    assert session.capacity == 6
    assert session.seats_taken == 6


@pytest.mark.django_db(transaction=True)
def test_without_the_lock_the_database_alone_still_refuses_every_seat_beyond_capacity():
    """The last guard on its own: the service's session lock is switched off for this race."""
    session = GroupSessionFactory(capacity=3, start=at(days=3, hour=11))
    people = [UserFactory() for _ in range(24)]

    def unlocked(session_id: int) -> GroupSession:
        return GroupSession.objects.select_related("host").get(pk=session_id)

    with mock.patch("groups.services.seats.lock_session", unlocked):
        outcomes = race([partial(join_session, session=session, person=person) for person in people])

    seated = Seat.objects.filter(session=session, status="seated").count()
    assert 1 <= seated <= 3
    # Each refusal is the database's: a seat number taken, or (unlocked writers waiting on each other's
    # positions at commit) a deadlock it broke by undoing one.
    assert all(isinstance(outcome, Seat | IntegrityError | OperationalError) for outcome in outcomes), (
        outcome_kinds(outcomes)
    )


@pytest.mark.django_db(transaction=True)
def test_the_database_keeps_the_seats_copy_of_the_capacity_and_refuses_a_capacity_below_a_seat():
    session = GroupSessionFactory(capacity=3, start=at(days=3, hour=11))
    Seat.objects.create(
        session=session, person=UserFactory(), status="seated", seat_number=3, session_capacity=3
    )

    # A seat claiming a capacity its session does not have.
    with pytest.raises(IntegrityError, match="group_seat_capacity_is_the_sessions"), transaction.atomic():
        Seat.objects.create(
            session=session, person=UserFactory(), status="seated", seat_number=4, session_capacity=4
        )
    # Lowering the capacity under seat number 3, around the services.
    with pytest.raises(IntegrityError, match="group_seat_number_within_capacity"), transaction.atomic():
        GroupSession.objects.filter(pk=session.pk).update(capacity=2)
    # Raising it carries over to the seats.
    GroupSession.objects.filter(pk=session.pk).update(capacity=5)
    assert Seat.objects.get(session=session).session_capacity == 5


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_two_waiting_people_at_one_position_at_commit():
    session = GroupSessionFactory(capacity=2, start=at(days=3, hour=11))
    Seat.objects.create(session=session, person=UserFactory(), status="waitlisted", position=1)

    with pytest.raises(IntegrityError, match="group_waitlist_position_once"), transaction.atomic():
        Seat.objects.create(session=session, person=UserFactory(), status="waitlisted", position=1)


@pytest.mark.django_db(transaction=True)
def test_a_join_and_a_one_to_one_booking_of_the_same_person_at_once_never_both_succeed():
    """Both lock the person's row and read the other's kind of commitment: one wins, the other is refused."""
    from marketplace.models import AvailabilityBlock
    from sessions_app.models import Booking
    from sessions_app.services.bookings import book_session
    from tests.factories import MentorFactory

    mentor = MentorFactory(timezone="UTC")
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=day, start=time(0), end=time(23, 50)) for day in range(7)
    )
    for round_number in range(8):
        person = UserFactory()
        session = GroupSessionFactory(capacity=5, start=at(days=3, hour=8 + round_number))
        outcomes = race(
            [
                partial(join_session, session=session, person=person),
                partial(
                    book_session, mentee=person, mentor=mentor, start=session.start, minutes=30, topic="1:1"
                ),
            ]
        )
        won = [outcome for outcome in outcomes if isinstance(outcome, Seat | Booking)]
        refused = sorted(
            getattr(outcome, "code", repr(outcome)) for outcome in outcomes if outcome not in won
        )
        assert len(won) == 1, outcomes
        assert refused in (["time_conflict"], ["slot_unavailable"]), outcomes
