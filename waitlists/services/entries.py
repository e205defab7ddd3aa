"""A person's own entries: joining a mentor's waiting list and withdrawing from it."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from marketplace.errors import Conflict, InvalidInput
from marketplace.instants import InstantError, check_instant
from marketplace.models import SESSION_LENGTHS, User
from marketplace.validators import instant_message
from matching.models import MAX_AHEAD
from waitlists.models import LIVE, WaitlistEntry, WaitlistOffer
from waitlists.services.offers import end_offer, lock_mentor, offer_under_lock

ALREADY_WAITING = "already_waiting"


@transaction.atomic
def join_waitlist(
    *, person: User, mentor: User, before: datetime, duration: int, now: datetime | None = None
) -> WaitlistEntry:
    """Puts `person` on the mentor's waiting list for a `duration`-minute session over by `before`.

    Accepted even when the mentor has a bookable slot before then: the entry is offered it at once (in this
    transaction, after the people who joined before, who come first), so the answer already holds it.
    """
    now = now or timezone.now()
    if person.pk == mentor.pk:
        raise InvalidInput("mentor", gettext("You cannot book a session with yourself."))
    before = _check_before(before, now)
    if duration not in SESSION_LENGTHS:
        raise InvalidInput("duration", gettext("Sessions last 20 or 30 minutes."))

    profile = lock_mentor(mentor.pk)
    active = User.objects.filter(pk=mentor.pk, is_active=True, is_mentor=True).exists()
    if profile is None or not active:
        raise InvalidInput("mentor", gettext("This person does not offer mentoring sessions."))
    if not profile.accepting:
        raise InvalidInput(
            "mentor",
            gettext("%(name)s is not taking sessions at the moment.") % {"name": mentor.name},
        )
    if duration not in profile.session_lengths:
        lengths = gettext(" or ").join(str(length) for length in sorted(profile.session_lengths))
        raise InvalidInput(
            "duration",
            gettext("%(name)s offers %(lengths)s minute sessions.")
            % {"name": mentor.name, "lengths": lengths},
        )
    if WaitlistEntry.objects.filter(person=person, mentor=mentor, status__in=LIVE).exists():
        raise _already_waiting(mentor)
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                person=person, mentor=mentor, before=before, duration=duration, joined_at=now
            )
    except IntegrityError:  # the same person joining twice at once: the database keeps one
        raise _already_waiting(mentor) from None
    offer_under_lock(mentor.pk, profile, now=now)
    entry.refresh_from_db()
    return entry


def _already_waiting(mentor: User) -> Conflict:
    return Conflict(
        ALREADY_WAITING,
        gettext("You are already on %(name)s's waiting list: withdraw first to change what you wait for.")
        % {"name": mentor.name},
    )


def _check_before(before: datetime, now: datetime) -> datetime:
    if before.tzinfo is None or before.utcoffset() is None:
        raise InvalidInput("before", gettext("Give the deadline with its time zone offset."))
    try:
        before = check_instant(before)
    except InstantError as error:
        raise InvalidInput("before", instant_message(error)) from None
    if before <= now:
        raise InvalidInput("before", gettext("The deadline has already passed: pick a time in the future."))
    if before > now + MAX_AHEAD:
        raise InvalidInput(
            "before", gettext("Pick a deadline within the next %(days)s days.") % {"days": MAX_AHEAD.days}
        )
    return before


@transaction.atomic
def withdraw_entry(*, entry: WaitlistEntry, by: User, now: datetime | None = None) -> WaitlistEntry:
    """Takes the person off the waiting list; a slot held for them goes to the next person at once.
    Withdrawing twice changes nothing; an entry already booked or expired cannot be withdrawn
    (409 not_waiting)."""
    now = now or timezone.now()
    if entry.person_id != by.pk:
        raise WaitlistEntry.DoesNotExist
    profile = lock_mentor(entry.mentor_id)
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == WaitlistEntry.Status.WITHDRAWN:
        return entry
    if entry.status not in LIVE:
        raise Conflict(
            "not_waiting",
            gettext("This wait is over (%(status)s): there is nothing to withdraw.")
            % {"status": entry.get_status_display().lower()},
        )
    offer = WaitlistOffer.objects.select_for_update().filter(entry=entry, outcome="held").first()
    if offer is not None:
        end_offer(offer, WaitlistOffer.Outcome.RELEASED, now=now)
    entry.status = WaitlistEntry.Status.WITHDRAWN
    entry.closed_at = now
    entry.save(update_fields=["status", "closed_at"])
    offer_under_lock(entry.mentor_id, profile, now=now)
    return entry


def leave_waitlists_of_departed(person: User, now: datetime) -> None:
    """Someone deactivated (marketplace's departures hook): their own waits are withdrawn, each held slot
    passing to the next person; the waits on them as a mentor end, expired (there is nobody to wait for)."""
    own = WaitlistEntry.objects.filter(person=person, status__in=LIVE).order_by("pk")
    for entry in own:
        withdraw_entry(entry=entry, by=person, now=now)
    on_them = list(WaitlistEntry.objects.select_for_update().filter(mentor=person, status__in=LIVE))
    for offer in WaitlistOffer.objects.select_for_update().filter(entry__in=on_them, outcome="held"):
        end_offer(offer, WaitlistOffer.Outcome.RELEASED, now=now)
    WaitlistEntry.objects.filter(pk__in=[entry.pk for entry in on_them]).update(
        status=WaitlistEntry.Status.EXPIRED, closed_at=now
    )
