"""Offering freed time to the people waiting for a full mentor (waitlists.services), called directly and
through the hook every change that frees time calls after its commit."""

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction

from groups.services.sessions import cancel_group_session
from marketplace.errors import Conflict
from marketplace.models import AvailabilityBlock, MentorProfile, TimeOff
from marketplace.schedules import first_slots, slot_is_bookable, slots_for_mentor
from marketplace.services import (
    BlockInput,
    add_time_off,
    remove_time_off,
    replace_availability,
    update_profile,
)
from matching.services import create_request
from sessions_app.models import Booking, OutboundMessage
from sessions_app.services.bookings import book_session, cancel_booking, reschedule_booking
from sessions_app.sweep import deliver_due_messages
from tests.factories import GroupSessionFactory, SkillFactory, UserFactory, UserSkillFactory
from tests.waitlists.conftest import MONDAY, TUESDAY_10, TUESDAY_1030, WEDNESDAY_EVENING
from waitlists.models import WaitlistEntry, WaitlistOffer
from waitlists.services.entries import join_waitlist, withdraw_entry
from waitlists.services.offers import offer_freed_time

pytestmark = pytest.mark.django_db
HOLD = timedelta(minutes=15)


def wait(person, mentor, *, before=WEDNESDAY_EVENING, duration=30) -> WaitlistEntry:
    return join_waitlist(person=person, mentor=mentor, before=before, duration=duration)


def held(entry: WaitlistEntry) -> WaitlistOffer | None:
    return WaitlistOffer.objects.filter(entry=entry, outcome="held").first()


def held_offer(entry: WaitlistEntry) -> WaitlistOffer:
    return WaitlistOffer.objects.get(entry=entry, outcome="held")


def held_start(entry: WaitlistEntry) -> datetime | None:
    offer = held(entry)
    return None if offer is None else offer.start


def status(entry: WaitlistEntry) -> str:
    entry.refresh_from_db()
    return entry.status


def test_a_person_waiting_on_a_full_mentor_waits_without_an_offer(full_mentor, bookings):
    entry = wait(UserFactory(), full_mentor)

    assert entry.status == "waiting"
    assert held(entry) is None


def test_a_cancelled_session_is_offered_to_the_first_person_waiting_and_they_are_emailed(
    full_mentor, bookings, django_capture_on_commit_callbacks
):
    waiting = UserFactory()
    entry = wait(waiting, full_mentor)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[1], by=bookings[1].mentee, reason="")

    offer = held(entry)
    assert offer is not None
    assert (offer.start, offer.end) == (TUESDAY_1030, TUESDAY_1030 + timedelta(minutes=30))
    assert offer.expires_at == MONDAY + HOLD
    assert status(entry) == "offered"
    message = OutboundMessage.objects.get(waitlist_offer=offer)
    assert (message.kind, message.recipient_id) == ("waitlist_offer", waiting.pk)


def test_the_offer_email_says_until_when_it_is_held_and_links_to_booking_it(
    full_mentor, bookings, django_capture_on_commit_callbacks, mailoutbox
):
    waiting = UserFactory(timezone="Europe/Paris", language="fr")
    wait(waiting, full_mentor)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[0], by=bookings[0].mentee, reason="")

    email = next(mail for mail in mailoutbox if mail.to == [waiting.email])
    assert "Fiona Full" in email.subject
    assert "11:00" in email.body  # 10:00 UTC on a Paris clock
    assert "09:15" in email.body  # held until 08:15 UTC, on the same clock
    assert "08:15" not in email.body
    assert f"/sessions/book/?mentor={full_mentor.pk}&start=2027-03-02T10%3A00%3A00Z&duration=30" in email.body


def test_new_availability_blocks_are_offered(full_mentor, bookings, django_capture_on_commit_callbacks):
    entry = wait(UserFactory(), full_mentor)
    blocks = [BlockInput(1, time(10), time(11)), BlockInput(2, time(9), time(10))]

    with django_capture_on_commit_callbacks(execute=True):
        replace_availability(mentor=full_mentor, timezone="UTC", blocks=blocks)

    assert held_start(entry) == WEDNESDAY_EVENING.replace(hour=9)


def test_removed_time_off_is_offered(full_mentor, django_capture_on_commit_callbacks):
    off = TimeOff.objects.create(mentor=full_mentor, start=MONDAY, end=MONDAY + timedelta(days=2))
    entry = wait(UserFactory(), full_mentor)
    assert status(entry) == "waiting"

    with django_capture_on_commit_callbacks(execute=True):
        remove_time_off(mentor=full_mentor, time_off_id=off.pk)

    assert held_start(entry) == TUESDAY_10


def test_a_freed_weekly_cap_is_offered(full_mentor, bookings, django_capture_on_commit_callbacks):
    AvailabilityBlock.objects.create(mentor=full_mentor, weekday=2, start=time(9), end=time(10))
    MentorProfile.objects.filter(user=full_mentor).update(weekly_minutes_cap=60)  # both bookings use it up
    entry = wait(UserFactory(), full_mentor)
    assert status(entry) == "waiting"

    with django_capture_on_commit_callbacks(execute=True):
        update_profile(user=full_mentor, fields={}, mentoring={"weekly_minutes_cap": 90})

    assert held_start(entry) == WEDNESDAY_EVENING.replace(hour=9)


def test_a_cancelled_group_session_the_mentor_hosts_is_offered(
    full_mentor, django_capture_on_commit_callbacks
):
    session = GroupSessionFactory(host=full_mentor, start=TUESDAY_10, duration=60)
    entry = wait(UserFactory(), full_mentor)
    assert status(entry) == "waiting"

    with django_capture_on_commit_callbacks(execute=True):
        cancel_group_session(session=session, by=full_mentor)

    assert held_start(entry) == TUESDAY_10


def test_a_session_moved_away_frees_its_old_time(full_mentor, bookings, django_capture_on_commit_callbacks):
    AvailabilityBlock.objects.create(mentor=full_mentor, weekday=3, start=time(9), end=time(10))
    entry = wait(UserFactory(), full_mentor)

    with django_capture_on_commit_callbacks(execute=True):
        reschedule_booking(
            booking=bookings[0], by=bookings[0].mentee, start=TUESDAY_10 + timedelta(days=2, hours=-1)
        )

    assert held_start(entry) == TUESDAY_10


def test_joining_when_a_time_is_free_holds_it_at_once(full_mentor):
    entry = wait(UserFactory(), full_mentor)

    assert entry.status == "offered"
    assert held_start(entry) == TUESDAY_10


def test_only_a_slot_over_by_the_deadline_is_offered(
    full_mentor, bookings, django_capture_on_commit_callbacks
):
    entry = wait(UserFactory(), full_mentor, before=TUESDAY_1030 + timedelta(minutes=20))

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[1], by=bookings[1].mentee, reason="")  # 10:30-11:00: ends too late

    assert held(entry) is None
    assert status(entry) == "waiting"


def test_the_held_slot_is_busy_for_everyone_else_and_free_for_its_holder(full_mentor, bookings):
    holder, other = UserFactory(), UserFactory()
    Booking.objects.filter(pk=bookings[0].pk).update(status="cancelled")
    entry = wait(holder, full_mentor)
    assert held_start(entry) == TUESDAY_10
    now = MONDAY
    window: dict[str, Any] = {"start": MONDAY, "end": WEDNESDAY_EVENING, "duration_minutes": 30, "now": now}

    assert [slot.start for slot in slots_for_mentor(full_mentor.pk, asker_id=holder.pk, **window)] == [
        TUESDAY_10
    ]
    assert slots_for_mentor(full_mentor.pk, asker_id=other.pk, **window) == []
    assert slots_for_mentor(full_mentor.pk, asker_id=None, **window) == []
    firsts: dict[str, Any] = {
        "start": MONDAY,
        "end": WEDNESDAY_EVENING,
        "durations": {full_mentor.pk: 30},
        "now": now,
    }
    assert first_slots([full_mentor.pk], asker_id=other.pk, **firsts) == {full_mentor.pk: None}
    assert not slot_is_bookable(
        full_mentor.pk, asker_id=other.pk, start=TUESDAY_10, duration_minutes=30, now=now
    )
    with pytest.raises(Conflict) as refused:
        book_session(mentee=other, mentor=full_mentor, start=TUESDAY_10, minutes=30, topic="Mine?")
    assert refused.value.code == "slot_unavailable"

    booking = book_session(mentee=holder, mentor=full_mentor, start=TUESDAY_10, minutes=30, topic="Held")

    entry.refresh_from_db()
    assert (entry.status, entry.booking_id) == ("booked", booking.pk)
    assert WaitlistOffer.objects.get(entry=entry).outcome == "booked"


def test_a_held_slot_counts_toward_the_weekly_cap_of_everyone_else(full_mentor, bookings):
    AvailabilityBlock.objects.create(mentor=full_mentor, weekday=2, start=time(9), end=time(10))
    MentorProfile.objects.filter(user=full_mentor).update(weekly_minutes_cap=60)
    Booking.objects.filter(pk=bookings[0].pk).update(status="cancelled")
    holder = UserFactory()
    wait(holder, full_mentor, before=TUESDAY_1030)  # held: Tuesday 10:00, so 60 of 60 minutes for others

    window: dict[str, Any] = {
        "start": MONDAY,
        "end": WEDNESDAY_EVENING,
        "duration_minutes": 30,
        "now": MONDAY,
    }
    assert slots_for_mentor(full_mentor.pk, asker_id=UserFactory().pk, **window) == []


def test_first_come_first_served_each_next_person_gets_the_next_free_slot(
    full_mentor, bookings, django_capture_on_commit_callbacks
):
    first, second, third = (wait(UserFactory(), full_mentor) for _ in range(3))

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[1], by=bookings[1].mentee, reason="")
    assert [status(entry) for entry in (first, second, third)] == ["offered", "waiting", "waiting"]

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[0], by=bookings[0].mentee, reason="")
    assert held_start(first) == TUESDAY_1030  # the first keeps what they were offered
    assert held_start(second) == TUESDAY_10
    assert status(third) == "waiting"


def test_a_lapsed_hold_passes_to_the_next_person_and_never_comes_back_to_the_first(
    full_mentor, bookings, frozen
):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    first, second = wait(UserFactory(), full_mentor), wait(UserFactory(), full_mentor)
    assert held_start(first) == TUESDAY_1030

    frozen.move_to(MONDAY + HOLD - timedelta(seconds=1))
    offer_freed_time(mentor_id=full_mentor.pk)
    assert held(first) is not None  # not yet

    frozen.move_to(MONDAY + HOLD)
    offer_freed_time(mentor_id=full_mentor.pk)

    assert WaitlistOffer.objects.get(entry=first).outcome == "lapsed"
    assert status(first) == "waiting"  # still waiting, for another time
    assert (held_start(second), held_offer(second).expires_at) == (TUESDAY_1030, MONDAY + 2 * HOLD)

    frozen.move_to(MONDAY + 2 * HOLD)
    offer_freed_time(mentor_id=full_mentor.pk)
    assert held(first) is None  # both let 10:30 go, and nobody else waits
    assert held(second) is None


def test_withdrawing_releases_the_held_slot_to_the_next_person_at_once(full_mentor, bookings):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    first, second = wait(UserFactory(), full_mentor), wait(UserFactory(), full_mentor)

    withdrawn = withdraw_entry(entry=first, by=first.person)

    assert withdrawn.status == "withdrawn"
    assert WaitlistOffer.objects.get(entry=first).outcome == "released"
    assert held_start(second) == TUESDAY_1030
    # Its e-mail, not sent yet, is not to go out any more.
    assert list(
        OutboundMessage.objects.filter(waitlist_offer__entry=first).values_list("status", flat=True)
    ) == ["cancelled"]
    assert withdraw_entry(entry=first, by=first.person).status == "withdrawn"  # again: nothing changes


def test_a_wait_whose_deadline_has_passed_expires_and_releases_its_hold(full_mentor, bookings, frozen):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    entry = wait(UserFactory(), full_mentor, before=TUESDAY_10 + timedelta(hours=2))
    assert held(entry) is not None

    frozen.move_to(TUESDAY_10 + timedelta(hours=2))
    offer_freed_time(mentor_id=full_mentor.pk)

    assert status(entry) == "expired"
    assert WaitlistOffer.objects.get(entry=entry).outcome == "released"
    with pytest.raises(Conflict) as refused:
        withdraw_entry(entry=entry, by=entry.person)
    assert refused.value.code == "not_waiting"


def test_time_off_over_a_held_slot_releases_it(full_mentor, bookings, django_capture_on_commit_callbacks):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    entry = wait(UserFactory(), full_mentor)
    assert held(entry) is not None

    with django_capture_on_commit_callbacks(execute=True):
        add_time_off(mentor=full_mentor, start=MONDAY, end=WEDNESDAY_EVENING, now=MONDAY)

    assert WaitlistOffer.objects.get(entry=entry).outcome == "released"
    assert status(entry) == "waiting"


def test_booking_another_time_answers_the_wait_and_passes_the_held_slot_on(
    full_mentor, bookings, django_capture_on_commit_callbacks
):
    Booking.objects.filter(pk=bookings[0].pk).update(status="cancelled")
    first = wait(UserFactory(), full_mentor)
    second = wait(UserFactory(), full_mentor, before=TUESDAY_10 + timedelta(minutes=40))
    assert (held_start(first), status(second)) == (TUESDAY_10, "waiting")  # only 10:00 is in time for them
    AvailabilityBlock.objects.create(mentor=full_mentor, weekday=2, start=time(9), end=time(10))
    wednesday_9 = WEDNESDAY_EVENING.replace(hour=9)

    with django_capture_on_commit_callbacks(execute=True):
        booking = book_session(
            mentee=first.person, mentor=full_mentor, start=wednesday_9, minutes=30, topic="x"
        )

    first.refresh_from_db()
    assert (first.status, first.booking_id) == ("booked", booking.pk)
    assert WaitlistOffer.objects.get(entry=first).outcome == "released"
    assert held_start(second) == TUESDAY_10


def test_a_booking_after_the_deadline_does_not_answer_the_wait(full_mentor, bookings):
    AvailabilityBlock.objects.create(mentor=full_mentor, weekday=3, start=time(9), end=time(10))
    entry = wait(UserFactory(), full_mentor)
    thursday_9 = TUESDAY_10 + timedelta(days=2, hours=-1)

    book_session(mentee=entry.person, mentor=full_mentor, start=thursday_9, minutes=30, topic="Later")

    assert status(entry) == "waiting"


def test_two_runs_for_one_mentor_make_one_offer(full_mentor, bookings):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    entry = wait(UserFactory(), full_mentor)

    assert offer_freed_time(mentor_id=full_mentor.pk) == []
    assert offer_freed_time(mentor_id=full_mentor.pk) == []
    assert WaitlistOffer.objects.filter(entry=entry).count() == 1
    assert OutboundMessage.objects.filter(waitlist_offer__entry=entry).count() == 1


def test_the_database_refuses_a_second_live_wait_and_two_held_offers_over_the_same_time(full_mentor):
    person, other = UserFactory(), UserFactory()
    entry = wait(person, full_mentor)
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(person=person, mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)
    if connection.vendor != "postgresql":
        pytest.fail("the exclusion constraint needs PostgreSQL: run the tests with `make test`")
    second = WaitlistEntry.objects.create(
        person=other, mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistOffer.objects.create(
            entry=second,
            mentor=full_mentor,
            person=other,
            start=TUESDAY_10 + timedelta(minutes=10),
            end=TUESDAY_10 + timedelta(minutes=40),
            expires_at=MONDAY + HOLD,
        )
    assert held_start(entry) == TUESDAY_10


def test_a_hold_lasts_waitlist_hold_minutes(full_mentor, settings):
    settings.WAITLIST_HOLD_MINUTES = 5

    entry = wait(UserFactory(), full_mentor)

    assert held_offer(entry).expires_at == MONDAY + timedelta(minutes=5)


def test_a_held_slot_is_left_out_of_everyone_elses_shortlist_and_on_its_holders(full_mentor, bookings):
    skill = SkillFactory(slug="board-decks")
    UserSkillFactory(user=full_mentor, skill=skill)
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    holder = UserFactory(timezone="UTC")
    wait(holder, full_mentor)
    need: dict[str, Any] = {
        "topic": "Board deck",
        "skills": [skill],
        "needed_by": WEDNESDAY_EVENING,
        "duration": 30,
    }

    theirs = create_request(asker=UserFactory(timezone="UTC"), **need)
    mine = create_request(asker=holder, **need)

    assert [entry["mentor_id"] for entry in theirs.shortlist] == []
    assert [(entry["mentor_id"], entry["slot_start"]) for entry in mine.shortlist] == [
        (full_mentor.pk, "2027-03-02T10:30:00Z")
    ]


def test_moving_ones_own_session_into_the_held_slot_books_the_wait(full_mentor, bookings):
    AvailabilityBlock.objects.create(mentor=full_mentor, weekday=3, start=time(9), end=time(10))
    holder = UserFactory()
    later = book_session(
        mentee=holder,
        mentor=full_mentor,
        start=TUESDAY_10 + timedelta(days=2, hours=-1),
        minutes=30,
        topic="x",
    )
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    entry = wait(holder, full_mentor)
    assert held_start(entry) == TUESDAY_1030

    reschedule_booking(booking=later, by=holder, start=TUESDAY_1030)

    entry.refresh_from_db()
    assert (entry.status, entry.booking_id) == ("booked", later.pk)
    assert WaitlistOffer.objects.get(entry=entry).outcome == "booked"


def test_someone_who_lets_a_held_time_lapse_rests_a_day_before_the_next_offer(full_mentor, bookings, frozen):
    AvailabilityBlock.objects.create(mentor=full_mentor, weekday=2, start=time(9), end=time(12))  # Wednesday
    entry = wait(UserFactory(), full_mentor, before=MONDAY + timedelta(days=3))
    assert held(entry) is not None
    for step in range(1, 9):  # two hours of beat's checks
        frozen.move_to(MONDAY + step * HOLD)
        offer_freed_time(mentor_id=full_mentor.pk)

    assert WaitlistOffer.objects.filter(entry=entry).count() == 1  # one offer, one e-mail, not nine
    assert OutboundMessage.objects.filter(waitlist_offer__entry=entry, channel="email").count() == 1
    assert status(entry) == "waiting"

    frozen.move_to(MONDAY + HOLD + timedelta(hours=24))
    offer_freed_time(mentor_id=full_mentor.pk)
    assert held(entry) is not None  # a day on, offered again


def test_an_offer_email_claimed_before_the_hold_ended_is_not_sent(full_mentor, bookings):
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    entry = wait(UserFactory(), full_mentor)
    message = OutboundMessage.objects.get(waitlist_offer__entry=entry, channel="email")
    WaitlistOffer.objects.filter(entry=entry).update(
        outcome=WaitlistOffer.Outcome.RELEASED
    )  # ended meanwhile

    deliver_due_messages()

    message.refresh_from_db()
    assert message.status == "cancelled"
    assert mail.outbox == []
