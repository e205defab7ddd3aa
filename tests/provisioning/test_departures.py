"""Someone who leaves the company gives up what others are waiting for: their seats in upcoming group sessions
go to the first person waiting, their places on waiting lists close up, the sessions they host are cancelled
with everyone told, and nobody goes on looking for a mentor for their open requests. What already happened
stays for HR's figures."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from groups.models import GroupSession, Seat
from groups.services.seats import join_session
from marketplace.models import AvailabilityBlock, User
from matching.models import MentorRequest
from matching.services import create_request, rematch_open_requests
from sessions_app.sweep import deliver_due_messages
from tests.factories import GroupSessionFactory, MentorFactory, SkillFactory, UserFactory, UserSkillFactory
from tests.groups.test_messages import invite_of
from tests.provisioning.scim_client import patch_op
from tests.provisioning.test_scim_okta import okta_user

pytestmark = pytest.mark.django_db


def leaving_person(scim) -> User:
    created = scim.post("/Users", okta_user("leaving@example.com")).json()
    return User.objects.get(pk=created["id"])


def deactivate_by_scim(scim, person: User) -> None:
    response = scim.patch(f"/Users/{person.pk}", patch_op({"op": "replace", "value": {"active": False}}))
    assert response.status_code == 200, response.content


def test_a_deactivated_persons_seat_goes_to_the_first_person_waiting_who_is_told(scim):
    leaving = leaving_person(scim)
    now = timezone.now()
    full = GroupSessionFactory(capacity=2, start=now + timedelta(days=2))
    stays = UserFactory()
    first_waiting = UserFactory(email="first@example.com")
    second_waiting = UserFactory(email="second@example.com")
    for person in (leaving, stays, first_waiting, second_waiting):
        join_session(session=full, person=person, now=now)
    deliver_due_messages()
    mail.outbox.clear()

    deactivate_by_scim(scim, leaving)

    seats = {seat.person_id: seat for seat in Seat.objects.filter(session=full)}
    assert seats[leaving.pk].status == Seat.Status.LEFT
    assert seats[first_waiting.pk].status == Seat.Status.SEATED
    assert seats[first_waiting.pk].from_waitlist
    assert (seats[second_waiting.pk].status, seats[second_waiting.pk].position) == (Seat.Status.WAITLISTED, 1)
    full.refresh_from_db()
    assert (full.seats_taken, full.waitlist_length) == (2, 1)
    deliver_due_messages()
    assert [message.to for message in mail.outbox] == [["first@example.com"]]
    assert mail.outbox[0].subject.startswith("A seat came free for you:")


def test_a_deactivated_persons_place_on_a_waiting_list_closes_up(scim):
    leaving = leaving_person(scim)
    now = timezone.now()
    full = GroupSessionFactory(capacity=2, start=now + timedelta(days=3))
    for person in UserFactory.create_batch(2):
        join_session(session=full, person=person, now=now)
    join_session(session=full, person=leaving, now=now)
    behind = UserFactory()
    join_session(session=full, person=behind, now=now)

    deactivate_by_scim(scim, leaving)

    assert Seat.objects.get(session=full, person=behind).position == 1
    full.refresh_from_db()
    assert (full.seats_taken, full.waitlist_length) == (2, 1)


def test_the_sessions_a_deactivated_person_hosts_are_cancelled_and_everyone_told(scim):
    leaving = leaving_person(scim)
    leaving.is_mentor = True
    leaving.save()
    now = timezone.now()
    upcoming = GroupSessionFactory(host=leaving, capacity=3, start=now + timedelta(days=2))
    held = GroupSessionFactory(host=leaving, start=now - timedelta(days=2))
    attendee = UserFactory(email="attendee@example.com")
    join_session(session=upcoming, person=attendee, now=now)
    deliver_due_messages()
    mail.outbox.clear()

    deactivate_by_scim(scim, leaving)

    upcoming.refresh_from_db()
    held.refresh_from_db()
    assert upcoming.status == GroupSession.Status.CANCELLED
    assert held.state(timezone.now()) == GroupSession.Status.COMPLETED  # it happened: never cancelled
    deliver_due_messages()
    assert [message.to for message in mail.outbox] == [["attendee@example.com"]]
    assert mail.outbox[0].subject.startswith("Cancelled:")
    ics, method = invite_of(mail.outbox[0])
    assert (method, b"METHOD:CANCEL" in ics) == ("CANCEL", True)


def test_seats_in_sessions_already_held_stay_for_the_figures(scim):
    leaving = leaving_person(scim)
    now = timezone.now()
    upcoming = GroupSessionFactory(start=now + timedelta(days=2))
    join_session(session=upcoming, person=leaving, now=now)
    held = GroupSessionFactory(start=now - timedelta(days=5))
    Seat.objects.create(
        session=held, person=leaving, status=Seat.Status.SEATED, seat_number=1, session_capacity=held.capacity
    )

    deactivate_by_scim(scim, leaving)

    assert Seat.objects.get(session=held, person=leaving).status == Seat.Status.SEATED
    assert Seat.objects.get(session=upcoming, person=leaving).status == Seat.Status.LEFT


def test_nobody_looks_for_a_mentor_for_a_deactivated_persons_open_request(scim):
    leaving = leaving_person(scim)
    skill = SkillFactory(slug="negotiation")
    now = timezone.now()
    request = create_request(
        asker=leaving,
        topic="Salary talk",
        skills=[skill],
        needed_by=now + timedelta(days=5),
        duration=30,
        now=now,
    )
    assert request.match_count == 0
    mentor = MentorFactory()
    UserSkillFactory(user=mentor, skill=skill)
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(0), end=time(23, 50))
        for weekday in range(7)
    )
    still_here = create_request(
        asker=UserFactory(),
        topic="Also salary",
        skills=[skill],
        needed_by=now + timedelta(days=5),
        duration=30,
        now=now,
    )
    MentorRequest.objects.filter(pk=still_here.pk).update(match_count=0, shortlist=[])

    deactivate_by_scim(scim, leaving)
    events = rematch_open_requests(now=now + timedelta(minutes=10))

    assert [event.request_id for event in events] == [still_here.pk]
    request.refresh_from_db()
    assert (request.status, request.match_count) == (MentorRequest.Status.OPEN, 0)
