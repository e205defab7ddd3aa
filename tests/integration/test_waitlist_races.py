"""Waiting lists on real PostgreSQL and a real worker: a held slot is honoured under a race, two checks of
one mentor at once hold a freed slot once, and a nudge lost with a worker is caught up by beat's check,
never offered twice."""

from collections import Counter
from datetime import time, timedelta
from functools import partial

import pytest
import redis as redis_client
from django.db import connection

from config.celery import app as celery_app
from marketplace.models import AvailabilityBlock
from sessions_app.models import Booking, OutboundMessage
from sessions_app.services.bookings import book_session, cancel_booking
from tests.factories import BookingFactory, MentorFactory, UserFactory
from tests.integration.test_booking_races import THREADS, at, kinds, race
from tests.waiting import wait_until
from waitlists.models import WaitlistEntry, WaitlistOffer
from waitlists.services.entries import join_waitlist
from waitlists.services.offers import offer_freed_time


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.fail("the race tests need PostgreSQL: run them with `make test`")


def full_mentor():
    """One 60-minute block two days ahead, both of its half hours booked."""
    mentor = MentorFactory(timezone="UTC")
    day = at(days=2, hour=10)
    AvailabilityBlock.objects.create(mentor=mentor, weekday=day.weekday(), start=time(10), end=time(11))
    bookings = [BookingFactory(mentor=mentor, start=day, duration=30)]
    bookings.append(BookingFactory(mentor=mentor, start=day + timedelta(minutes=30), duration=30))
    return mentor, bookings


def waiting_for(mentor, count: int) -> list[WaitlistEntry]:
    return [
        join_waitlist(person=UserFactory(), mentor=mentor, before=at(days=4, hour=17), duration=30)
        for _ in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_only_the_holder_books_a_held_slot_however_many_race_for_it():
    mentor, bookings = full_mentor()
    Booking.objects.filter(pk=bookings[1].pk).update(status="cancelled")
    (entry,) = waiting_for(mentor, 1)
    held = WaitlistOffer.objects.get(entry=entry, outcome="held")
    others = [UserFactory() for _ in range(THREADS - 1)]
    book = partial(book_session, mentor=mentor, start=held.start, minutes=30, topic="Race for a held slot")

    outcomes = race([partial(book, mentee=person) for person in [*others, entry.person]])

    assert kinds(outcomes) == Counter({"booked": 1, "slot_unavailable": THREADS - 1})
    booked = Booking.objects.get(mentor=mentor, start=held.start, status="confirmed")
    assert booked.mentee_id == entry.person_id
    entry.refresh_from_db()
    assert (entry.status, entry.booking_id) == ("booked", booked.pk)


@pytest.mark.django_db(transaction=True)
def test_checks_of_one_mentor_at_once_hold_each_freed_slot_for_one_person_once():
    mentor, bookings = full_mentor()
    entries = waiting_for(mentor, 5)
    Booking.objects.filter(pk__in=[booking.pk for booking in bookings]).update(status="cancelled")

    outcomes = race([partial(offer_freed_time, mentor_id=mentor.pk) for _ in range(THREADS)])

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    held = list(
        WaitlistOffer.objects.filter(mentor=mentor).order_by("start").values_list("entry_id", "outcome")
    )
    assert held == [(entries[0].pk, "held"), (entries[1].pk, "held")]  # 10:00 and 10:30, first come first
    assert OutboundMessage.objects.filter(waitlist_offer__mentor=mentor, channel="email").count() == 2


def succeeded(worker, task: str) -> int:
    text = worker.log_path.read_text()
    return sum(1 for line in text.splitlines() if f"Task {task}[" in line and "succeeded" in line)


def test_a_lost_nudge_is_caught_up_by_beats_check_and_a_restarted_worker_offers_nothing_twice(
    start_worker, redis_url
):
    mentor, bookings = full_mentor()
    (entry,) = waiting_for(mentor, 1)
    cancel_booking(booking=bookings[0], by=bookings[0].mentee, reason="")  # queues the nudge, no worker yet
    redis_client.Redis.from_url(redis_url).flushdb()  # ... and it is lost (a broker without persistence)
    assert not WaitlistOffer.objects.exists()

    first = start_worker()
    celery_app.send_task("waitlists.tasks.check_waitlists")  # what beat sends every minute
    wait_until(
        lambda: WaitlistOffer.objects.filter(entry=entry, outcome="held").exists(),
        timeout=60,
        interval=0.1,
        message=lambda: f"beat's check offered the freed slot:\n{first.log_tail()}",
    )
    first.kill()

    second = start_worker()
    for _ in range(2):
        celery_app.send_task("waitlists.tasks.check_waitlists")
    celery_app.send_task("waitlists.tasks.offer_freed_time", args=(mentor.pk,))
    wait_until(
        lambda: succeeded(second, "waitlists.tasks.offer_freed_time") >= 3,
        timeout=60,
        interval=0.1,
        message=lambda: f"the restarted worker checked the mentor three times:\n{second.log_tail()}",
    )

    offer = WaitlistOffer.objects.get(mentor=mentor)
    assert (offer.entry_id, offer.outcome, offer.start) == (entry.pk, "held", bookings[0].start)
    assert OutboundMessage.objects.filter(waitlist_offer=offer, channel="email").count() == 1
