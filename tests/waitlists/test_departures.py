"""Someone deactivated stops waiting (a slot held for them goes to the next person), and nobody waits for
them as a mentor any more."""

import pytest
from django.utils import timezone

from provisioning.services import deactivate_person
from sessions_app.services.bookings import cancel_booking
from tests.factories import UserFactory
from tests.waitlists.test_offers import held, status, wait

pytestmark = pytest.mark.django_db


def test_a_deactivated_person_leaves_their_waits_and_the_slot_held_for_them_passes_on(
    full_mentor, bookings, django_capture_on_commit_callbacks
):
    leaving, next_in_line = UserFactory(), UserFactory()
    first = wait(leaving, full_mentor)
    second = wait(next_in_line, full_mentor)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[1], by=bookings[1].mentee, reason="")
    assert held(first) is not None

    with django_capture_on_commit_callbacks(execute=True):
        deactivate_person(person=leaving, now=timezone.now())

    assert status(first) == "withdrawn"
    assert held(first) is None
    assert status(second) == "offered"


def test_waits_on_a_deactivated_mentor_end(full_mentor, bookings, django_capture_on_commit_callbacks):
    entry = wait(UserFactory(), full_mentor)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[1], by=bookings[1].mentee, reason="")
    assert held(entry) is not None

    with django_capture_on_commit_callbacks(execute=True):
        deactivate_person(person=full_mentor, now=timezone.now())

    assert status(entry) == "expired"
    assert held(entry) is None
