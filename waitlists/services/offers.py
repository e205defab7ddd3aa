"""Offering freed time to the people waiting for a mentor, first come first served, and what becomes of
the offers: booked, lapsed (passed to the next person), released.

`offer_freed_time` is the one routine: under the mentor's profile lock (the lock a booking of that mentor
takes, after the two people's rows) it walks the mentor's live entries in the order people joined, and for
each one

- expires it once its deadline has passed (its held slot, if any, is released);
- keeps a held offer that is still valid; one whose hold has run out lapses (the person keeps waiting,
  never offered that start again) and one that is no longer bookable (time off added, the mentor paused)
  is released;
- offers a person without one the earliest slot bookable for them that is over by their deadline: the slot
  engine already leaves out the slots held for the people before them, since each new offer is busy time
  for everyone else as soon as it is written (waitlists.selectors.held_slots).

Run after every change that may have freed the mentor's time (a task per mentor) and every minute by beat
for every mentor with someone waiting, so a lost nudge or a worker that died costs at most a minute. Two
runs for one mentor take turns on the lock and the second finds nothing left to do; on PostgreSQL an
exclusion constraint refuses two held offers over the same time anyway.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from marketplace import time_changes
from marketplace.models import MentorProfile, User
from marketplace.schedules import slot_is_bookable, slots_for_mentor
from marketplace.slots import Interval
from sessions_app.models import Booking
from waitlists import messages
from waitlists.models import LIVE, WaitlistEntry, WaitlistOffer

ONE_US = timedelta(microseconds=1)
# Someone who let a held time lapse is not offered another (nor e-mailed) for this long: the next people
# waiting get their turn, and nobody gets an e-mail every WAITLIST_HOLD_MINUTES until their deadline.
REST_AFTER_LAPSE = timedelta(hours=24)


def lock_mentor(mentor_id: int) -> MentorProfile | None:
    """The mentor's profile row, locked (FOR UPDATE of that row only, as a booking locks it)."""
    return MentorProfile.objects.select_for_update(of=("self",)).filter(user_id=mentor_id).first()


def offer_freed_time(*, mentor_id: int, now: datetime | None = None) -> list[WaitlistOffer]:
    """Brings the mentor's waiting list up to date (see the module docstring); returns the offers made."""
    now = now or timezone.now()
    with transaction.atomic():
        profile = lock_mentor(mentor_id)
        return offer_under_lock(mentor_id, profile, now=now)


def offer_under_lock(mentor_id: int, profile: MentorProfile | None, *, now: datetime) -> list[WaitlistOffer]:
    """`offer_freed_time` for a caller that holds the mentor's profile lock in its own transaction."""
    entries = list(
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(mentor_id=mentor_id, status__in=LIVE)
        .order_by("joined_at", "id")
    )
    if not entries:
        return []
    ids = [entry.pk for entry in entries]
    held = {
        offer.entry_id: offer
        for offer in WaitlistOffer.objects.select_for_update().filter(
            entry_id__in=ids, outcome=WaitlistOffer.Outcome.HELD
        )
    }
    passed_on: dict[int, set[datetime]] = defaultdict(set)
    resting: set[int] = set()  # let a time lapse lately: not offered (nor e-mailed) again for a while
    for entry_id, start, ended_at in WaitlistOffer.objects.filter(
        entry_id__in=ids, outcome=WaitlistOffer.Outcome.LAPSED
    ).values_list("entry_id", "start", "ended_at"):
        passed_on[entry_id].add(start)
        if ended_at is not None and ended_at > now - REST_AFTER_LAPSE:
            resting.add(entry_id)
    mentoring = (
        profile is not None
        and profile.accepting
        and User.objects.filter(pk=mentor_id, is_mentor=True, is_active=True).exists()
    )

    made: list[WaitlistOffer] = []
    for entry in entries:
        offer = held.get(entry.pk)
        if entry.before <= now:
            if offer is not None:
                end_offer(offer, WaitlistOffer.Outcome.RELEASED, now=now)
            _close(entry, WaitlistEntry.Status.EXPIRED, now=now)
            continue
        if offer is not None:
            if offer.expires_at <= now:
                end_offer(offer, WaitlistOffer.Outcome.LAPSED, now=now)
                passed_on[entry.pk].add(offer.start)
                resting.add(entry.pk)
            elif mentoring and slot_is_bookable(
                mentor_id,
                asker_id=entry.person_id,
                start=offer.start,
                duration_minutes=entry.duration,
                now=now,
            ):
                continue  # still held, still bookable
            else:
                end_offer(offer, WaitlistOffer.Outcome.RELEASED, now=now)
            _set_status(entry, WaitlistEntry.Status.WAITING)
        if not mentoring or not entry.person.is_active or entry.pk in resting:
            continue
        slot = _first_slot(entry, passed_on.get(entry.pk, set()), now=now)
        if slot is not None:
            made.append(_offer(entry, slot, now=now))
    return made


def _first_slot(entry: WaitlistEntry, passed_on: set[datetime], *, now: datetime) -> Interval | None:
    """The earliest slot bookable for the entry's person that is over by their deadline, leaving out the
    starts they let lapse before."""
    last_start = entry.before - timedelta(minutes=entry.duration)
    if last_start < now:
        return None
    slots = slots_for_mentor(
        entry.mentor_id,
        asker_id=entry.person_id,
        start=now,
        end=last_start + ONE_US,
        duration_minutes=entry.duration,
        now=now,
    )
    return next((slot for slot in slots if slot.start not in passed_on), None)


def _offer(entry: WaitlistEntry, slot: Interval, *, now: datetime) -> WaitlistOffer:
    offer = WaitlistOffer.objects.create(
        entry=entry,
        mentor_id=entry.mentor_id,
        person_id=entry.person_id,
        start=slot.start,
        end=slot.end,
        offered_at=now,
        expires_at=now + timedelta(minutes=settings.WAITLIST_HOLD_MINUTES),
    )
    _set_status(entry, WaitlistEntry.Status.OFFERED)
    messages.queue_offer(offer, now=now)
    return offer


def end_offer(offer: WaitlistOffer, outcome: str, *, now: datetime) -> None:
    """A held offer is over: its slot is nobody's any more, and its e-mail, if still unsent, stays so."""
    offer.outcome = outcome
    offer.ended_at = now
    offer.save(update_fields=["outcome", "ended_at"])
    messages.cancel_pending(offer)


def _set_status(entry: WaitlistEntry, status: str) -> None:
    if entry.status != status:
        entry.status = status
        entry.save(update_fields=["status"])


def _close(entry: WaitlistEntry, status: str, *, now: datetime, booking: Booking | None = None) -> None:
    entry.status = status
    entry.closed_at = now
    entry.booking = booking
    entry.save(update_fields=["status", "closed_at", "booking"])


def booking_made(booking: Booking) -> None:
    """A booking with a mentor one waits for, over by the deadline, answers the wait (in the booking's
    transaction, under its locks: the profile's, then the entry's). Booking the held slot books the offer;
    booking another time releases the held one, which then goes to the next person."""
    entries = list(
        WaitlistEntry.objects.select_for_update().filter(
            person_id=booking.mentee_id, mentor_id=booking.mentor_id, status__in=LIVE, before__gte=booking.end
        )
    )
    for entry in entries:
        offer = WaitlistOffer.objects.select_for_update().filter(entry=entry, outcome="held").first()
        if offer is not None:
            if (offer.start, offer.end) == (booking.start, booking.end):
                end_offer(offer, WaitlistOffer.Outcome.BOOKED, now=booking.created_at)
            else:
                end_offer(offer, WaitlistOffer.Outcome.RELEASED, now=booking.created_at)
                time_changes.mentor_time_may_have_changed(booking.mentor_id)
        _close(entry, WaitlistEntry.Status.BOOKED, now=booking.created_at, booking=booking)


def mentors_to_check() -> list[int]:
    """Every mentor someone is waiting for (beat's safety net looks at each of them)."""
    return list(
        WaitlistEntry.objects.filter(status__in=LIVE)
        .values_list("mentor_id", flat=True)
        .distinct()
        .order_by()
    )
