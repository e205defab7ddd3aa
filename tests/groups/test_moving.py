"""Moving a group session re-checks everyone's commitments: the host's own conflicts are refused (409
time_conflict naming the field, nothing changed); a seated person who now has another session at the new time
keeps the seat and is told so in the change's e-mail, to choose which one to give up."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from groups.models import GroupSession
from groups.services.seats import join_session
from groups.services.sessions import Changes, create_group_session, update_group_session
from sessions_app.models import OutboundMessage
from sessions_app.sweep import deliver_due_messages
from tests.factories import BookingFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
START = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)
CLASH_NOTE = "At the new time you have another session"


@pytest.fixture
def host():
    return MentorFactory(display_name="Hedda Host")


@pytest.fixture
def session(host):
    return create_group_session(
        host=host, title="Board decks AMA", start=START, duration=30, capacity=5, now=NOW
    )


def changed_email_to(person):
    [email] = [
        email for email in mail.outbox if email.to == [person.email] and email.subject.startswith("Changed")
    ]
    return email


def test_a_seated_person_with_a_1_1_at_the_new_time_keeps_the_seat_and_is_told(host, session):
    busy, free = UserFactory(), UserFactory()
    for person in (busy, free):
        join_session(session=session, person=person, now=NOW)
    new_start = START + timedelta(days=1)
    BookingFactory(mentee=busy, start=new_start + timedelta(minutes=10), duration=20)

    update_group_session(session=session, by=host, changes=Changes(start=new_start), now=NOW)
    deliver_due_messages(now=NOW)

    assert set(session.seats.filter(status="seated").values_list("person_id", flat=True)) == {
        busy.pk,
        free.pk,
    }
    to_busy, to_free = changed_email_to(busy), changed_email_to(free)
    assert CLASH_NOTE in to_busy.body
    assert "Your seat is kept all the same: give up the one you cannot attend" in to_busy.body
    html = {mimetype: content for content, mimetype in to_busy.alternatives}["text/html"]
    assert CLASH_NOTE in html
    assert CLASH_NOTE not in to_free.body


def test_a_seat_in_another_group_session_at_the_new_time_is_a_clash_too(host, session):
    person = UserFactory()
    join_session(session=session, person=person, now=NOW)
    other = create_group_session(
        host=MentorFactory(),
        title="Other",
        start=START + timedelta(hours=2),
        duration=60,
        capacity=5,
        now=NOW,
    )
    join_session(session=other, person=person, now=NOW)

    update_group_session(
        session=session, by=host, changes=Changes(start=START + timedelta(hours=2, minutes=30)), now=NOW
    )
    deliver_due_messages(now=NOW)

    assert CLASH_NOTE in changed_email_to(person).body


def test_a_clash_resolved_before_the_email_goes_out_is_not_mentioned(host, session):
    person = UserFactory()
    join_session(session=session, person=person, now=NOW)
    new_start = START + timedelta(days=1)
    booking = BookingFactory(mentee=person, start=new_start)
    update_group_session(session=session, by=host, changes=Changes(start=new_start), now=NOW)
    booking.status = "cancelled"
    booking.save()

    deliver_due_messages(now=NOW)

    assert CLASH_NOTE not in changed_email_to(person).body


def url(session) -> str:
    return f"/api/v1/group-sessions/{session.pk}/"


def test_moving_onto_the_hosts_own_1_1_is_a_409_naming_start_and_changes_nothing(api_as, host, session):
    person = UserFactory()
    join_session(session=session, person=person, now=NOW)
    clash = BookingFactory(mentor=host, start=START + timedelta(days=1))
    rows_before = OutboundMessage.objects.count()

    response = api_as(host).patch(url(session), {"start": "2027-03-11T16:10:00Z"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "time_conflict"
    assert response.json()["field"] == "start"
    assert "2027-03-11T16:10:00Z" in response.json()["detail"]
    stored = GroupSession.objects.get(pk=session.pk)
    assert (stored.start, stored.sequence) == (START, 0)
    assert OutboundMessage.objects.count() == rows_before
    assert clash.start == START + timedelta(days=1)


def test_lengthening_onto_the_hosts_own_1_1_is_a_409_naming_duration(api_as, host, session):
    BookingFactory(mentor=host, start=START + timedelta(minutes=40))

    response = api_as(host).patch(url(session), {"duration": 60}, format="json")

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        409,
        "time_conflict",
        "duration",
    )
    assert GroupSession.objects.get(pk=session.pk).duration == 30


def test_the_edit_page_shows_the_hosts_conflict_at_the_start_field(client, host, session):
    BookingFactory(mentor=host, start=START + timedelta(days=1))
    client.force_login(host)

    response = client.post(
        f"/group-sessions/{session.pk}/edit/",
        {
            "title": session.title,
            "description": "",
            "start": "2027-03-11T16:00",  # the host is in London (the factory's), on GMT until 28 March
            "duration": "30",
            "capacity": "5",
            "meeting_url": session.meeting_url,
        },
    )

    assert response.status_code == 409
    assert response.context["form"].errors["start"] == ["You already have a session at 2027-03-11T16:00:00Z."]
