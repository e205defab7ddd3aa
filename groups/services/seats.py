"""Seats: joining (a seat, or the waiting list when full), leaving, and filling freed seats from the waiting
list in the same transaction (docs/design.md flow 8).

Locking order, the same everywhere so that two transactions never wait for each other in a circle: the group
session rows (lower id first, FOR UPDATE), then people's user rows (FOR NO KEY UPDATE, as a booking locks
them: so a join and a 1:1 booking of the same person take turns, and the time_conflict check sees the other's
commitment). Bookings never lock a group session, so no cycle can form with them.
"""

from collections.abc import Collection
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from groups import messages, selectors
from groups.models import GroupSession, Seat
from marketplace import session_data, time_changes
from marketplace.errors import Conflict, InvalidInput
from marketplace.models import User

LIVE = selectors.LIVE


def lock_sessions(session_ids: Collection[int]) -> list[GroupSession]:
    """The sessions' rows, locked lower id first, with their hosts."""
    return list(
        GroupSession.objects.select_for_update(of=("self",))
        .select_related("host")
        .filter(pk__in=list(session_ids))
        .order_by("pk")
    )


def lock_session(session_id: int) -> GroupSession:
    found = lock_sessions([session_id])
    if not found:
        raise GroupSession.DoesNotExist
    return found[0]


def lock_people(*user_ids: int) -> None:
    """Locks the people's rows, lower id first (FOR NO KEY UPDATE: rows pointing at them can still be
    written). SQLite has no row locks; there a write transaction holds the whole database anyway."""
    if not connection.features.has_select_for_update or not user_ids:
        return
    ids = sorted(set(user_ids))
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {User._meta.db_table} WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE", ids
        )


def require_open(session: GroupSession, now: datetime) -> None:
    """A session one can still join or leave: scheduled and not started."""
    if session.status == GroupSession.Status.CANCELLED:
        raise Conflict("cancelled", gettext("This group session has been cancelled."))
    if session.start <= now:
        raise Conflict("already_started", gettext("This group session has already started."))


def time_conflict(person_id: int, session: GroupSession) -> bool:
    return bool(selectors.overlapping_commitments(person_id, session.start, session.end))


TIME_CONFLICT_MESSAGE = "You have another session at that time."


@transaction.atomic
def join_session(*, session: GroupSession, person: User, now: datetime | None = None) -> Seat:
    """A seat if one is free, else the next place on the waiting list; in one transaction under the session's
    lock, so however many join at once, exactly `capacity` are seated and the positions run 1, 2, 3 …"""
    now = now or timezone.now()
    if person.pk == session.host_id:
        raise InvalidInput("session", gettext("You host this session: your place is already kept."))
    session = lock_session(session.pk)
    require_open(session, now)
    if Seat.objects.filter(session=session, person=person, status__in=LIVE).exists():
        raise Conflict("already_joined", gettext("You have already joined this group session."))
    lock_people(person.pk)
    if time_conflict(person.pk, session):
        raise Conflict("time_conflict", gettext(TIME_CONFLICT_MESSAGE))
    numbers = free_seat_numbers(session, 1) if session.seats_taken < session.capacity else []
    if numbers:
        seat = Seat.objects.create(
            session=session,
            person=person,
            status=Seat.Status.SEATED,
            seat_number=numbers[0],
            session_capacity=session.capacity,
            joined_at=now,
            seated_at=now,
        )
        session.seats_taken += 1
        messages.queue_for_seats(session, [seat], kind=messages.SEATED, now=now)
        messages.schedule_for_seats(session, [seat], now=now)
    else:
        seat = Seat.objects.create(
            session=session,
            person=person,
            status=Seat.Status.WAITLISTED,
            position=session.waitlist_length + 1,
            joined_at=now,
        )
        session.waitlist_length += 1
    session.save(update_fields=["seats_taken", "waitlist_length", "updated_at"])
    return seat


@transaction.atomic
def leave_session(*, session: GroupSession, person: User, now: datetime | None = None) -> list[Seat]:
    """Gives up a seat or a place on the waiting list. A freed seat goes, in this transaction, to the first
    person waiting who is free at that time (told by email with the invite); the queue moves up. Returns the
    seats given away."""
    now = now or timezone.now()
    session = lock_session(session.pk)
    seat = Seat.objects.select_for_update().filter(session=session, person=person, status__in=LIVE).first()
    if seat is None:
        raise Conflict("not_joined", gettext("You have no seat in this group session."))
    require_open(session, now)
    was_seated = seat.status == Seat.Status.SEATED
    Seat.objects.filter(pk=seat.pk).update(
        status=Seat.Status.LEFT, seat_number=None, session_capacity=None, position=None, left_at=now
    )
    messages.cancel_pending(seat_ids=[seat.pk])  # reminders and the feedback prompt too
    promoted: list[Seat] = []
    if was_seated:
        session.seats_taken -= 1
        promoted = fill_seats(session, now=now)
    else:
        session.waitlist_length -= 1
        close_gaps(session)
    session.save(update_fields=["seats_taken", "waitlist_length", "updated_at"])
    if was_seated:
        time_changes.mentor_time_may_have_changed(person.pk)  # a mentor's seat freed their own time
    return promoted


def host_place(session: GroupSession) -> Seat:
    """The host's place in the session (what their reminders are about), made if it has none yet."""
    place, _ = Seat.objects.get_or_create(
        session=session,
        status=Seat.Status.HOST,
        defaults={"person_id": session.host_id, "joined_at": session.created_at},
    )
    return place


def free_seat_numbers(session: GroupSession, count: int) -> list[int]:
    """The lowest `count` seat numbers nobody holds (1..capacity)."""
    taken = set(
        Seat.objects.filter(session=session, status=Seat.Status.SEATED).values_list("seat_number", flat=True)
    )
    return [number for number in range(1, session.capacity + 1) if number not in taken][:count]


def fill_seats(session: GroupSession, *, now: datetime) -> list[Seat]:
    """Seats people from the waiting list, first in line first, while seats are free: under the session's
    lock (the caller's), in the caller's transaction. Someone waiting who has since become busy at that time
    (a 1:1 booked meanwhile) keeps their place and the next one is seated. Updates `session`'s counters in
    memory; the caller saves them."""
    free = session.capacity - session.seats_taken
    if free <= 0 or session.waitlist_length == 0:
        return []
    waiting = list(
        Seat.objects.filter(session=session, status=Seat.Status.WAITLISTED)
        .select_related("person")
        .order_by("position")
    )
    busy = session_data.commitments([seat.person_id for seat in waiting], session.start, session.end)
    numbers = free_seat_numbers(session, free)
    promoted: list[Seat] = []
    for seat in waiting:
        if len(promoted) == len(numbers):
            break
        if _overlaps(busy.get(seat.person_id, []), session):
            continue
        lock_people(seat.person_id)
        if time_conflict(seat.person_id, session):  # booked between the read above and the lock
            continue
        number = numbers[len(promoted)]
        Seat.objects.filter(pk=seat.pk).update(
            status=Seat.Status.SEATED,
            position=None,
            seat_number=number,
            session_capacity=session.capacity,
            seated_at=now,
            from_waitlist=True,
        )
        seat.status, seat.position, seat.seat_number = Seat.Status.SEATED, None, number
        seat.session_capacity, seat.seated_at, seat.from_waitlist = session.capacity, now, True
        promoted.append(seat)
    if promoted:
        session.seats_taken += len(promoted)
        session.waitlist_length -= len(promoted)
        close_gaps(session)
        messages.queue_for_seats(session, promoted, kind=messages.SEATED, now=now)
        messages.schedule_for_seats(session, promoted, now=now)
    return promoted


def _overlaps(items: list[session_data.Commitment], session: GroupSession) -> bool:
    return any(item.start < session.end and item.end > session.start for item in items)


# The waiting list renumbered 1..n in its order, in one statement (PostgreSQL checks the positions' unique
# constraint at commit, so rows may pass through each other's numbers on the way).
_CLOSE_GAPS_SQL = (
    "UPDATE groups_seat SET position = ranked.place FROM ("
    "SELECT id, ROW_NUMBER() OVER (ORDER BY position, id) AS place FROM groups_seat "
    "WHERE session_id = %s AND status = 'waitlisted') AS ranked "
    "WHERE groups_seat.id = ranked.id AND groups_seat.position <> ranked.place"
)


def close_gaps(session: GroupSession) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_CLOSE_GAPS_SQL, [session.pk])
