"""What a seat is told, through the outbox: seated (from the waiting list, with the invite), the session
changed, the session cancelled (METHOD:CANCEL), in each recipient's language and zone; read by real
calendar clients."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from groups.services.seats import join_session, leave_session
from groups.services.sessions import Changes, cancel_group_session, update_group_session
from sessions_app.models import OutboundMessage
from sessions_app.sweep import deliver_due_messages
from tests.calendar_clients import read_with_ical_js, read_with_icalendar, utc
from tests.factories import GroupSessionFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite_of(email) -> tuple[bytes, str]:
    """The attached ICS and the METHOD its MIME part announces."""
    for attachment in email.attachments:
        part = attachment
        if getattr(part, "get_content_type", lambda: "")() == "text/calendar":
            return part.get_payload(decode=True), part.get_param("method")
    raise AssertionError("no calendar attachment")


def to(person):
    return [email for email in mail.outbox if email.to == [person.email]]


@pytest.fixture
def full_session():
    host = MentorFactory(display_name="Hedda Host", timezone="Europe/Berlin")
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    session = GroupSessionFactory(host=host, capacity=2, start=start, title="Board decks AMA")
    return session


def test_the_first_waiting_person_is_emailed_an_invite_when_a_seat_comes_free(full_session):
    seated = [UserFactory() for _ in range(2)]
    waiting = UserFactory(display_name="Wanda Waiting", timezone="America/New_York")
    for person in [*seated, waiting]:
        join_session(session=full_session, person=person)
    deliver_due_messages()
    mail.outbox.clear()

    leave_session(session=full_session, person=seated[0])
    assert deliver_due_messages() == 1

    [email] = to(waiting)
    assert email.subject.startswith("A seat came free for you: Board decks AMA, ")
    assert "(America/New_York)" in email.subject
    assert "first on the waiting list" in email.body
    assert full_session.meeting_url in email.body
    ics, method = invite_of(email)
    assert method == "REQUEST"
    shown = read_with_ical_js(ics)
    assert shown["method"] == "REQUEST"
    [event] = shown["events"]
    assert utc(event["start"]["utc"]) == full_session.start
    assert utc(event["end"]["utc"]) == full_session.end
    assert event["start"]["tzid"] == "America/New_York"
    assert [attendee["cn"] for attendee in event["attendees"]] == ["Hedda Host", "Wanda Waiting"]
    _, [parsed] = read_with_icalendar(ics)
    assert parsed.tzid == "America/New_York"
    assert parsed.uid == full_session.ical_uid


def test_cancelling_tells_the_seated_and_the_waiting_with_method_cancel_in_their_language(full_session):
    seated = UserFactory(language="de")
    waiting = [UserFactory(), UserFactory(), UserFactory(language="fr")]
    for person in [seated, *waiting]:
        join_session(session=full_session, person=person)
    deliver_due_messages()
    mail.outbox.clear()

    cancel_group_session(session=full_session, by=full_session.host)
    assert deliver_due_messages() == 4

    assert {tuple(email.to) for email in mail.outbox} == {(p.email,) for p in [seated, *waiting]}
    assert "Board decks AMA" in to(seated)[0].subject
    for email in mail.outbox:
        ics, method = invite_of(email)
        assert method == "CANCEL"
        shown = read_with_ical_js(ics)
        assert shown["method"] == "CANCEL"
        assert shown["events"][0]["status"] == "CANCELLED"
    assert not to(full_session.host)


def test_a_seated_email_not_yet_sent_is_not_sent_once_the_seat_is_given_up(full_session):
    person = UserFactory()
    join_session(session=full_session, person=person)

    leave_session(session=full_session, person=person)

    assert deliver_due_messages() == 0
    assert set(OutboundMessage.objects.filter(recipient=person).values_list("status", flat=True)) == {
        "cancelled"
    }


def test_moving_the_session_sends_the_seated_an_update_with_a_higher_sequence(full_session):
    person = UserFactory()
    join_session(session=full_session, person=person)
    deliver_due_messages()
    first_ics, _ = invite_of(to(person)[0])
    mail.outbox.clear()
    new_start = full_session.start + timedelta(hours=2)

    update_group_session(session=full_session, by=full_session.host, changes=Changes(start=new_start))
    assert deliver_due_messages() == 1

    [email] = to(person)
    assert email.subject.startswith("Changed: Board decks AMA is now ")
    ics, method = invite_of(email)
    assert method == "REQUEST"
    _, [before] = read_with_icalendar(first_ics)
    calendar, [after] = read_with_icalendar(ics)
    assert after.uid == before.uid
    assert after.start.astimezone(UTC) == new_start
    assert calendar.walk("VEVENT")[0].decoded("SEQUENCE") == 1


def test_a_chat_note_of_a_group_message_keeps_its_seat(full_session, settings):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never"  # the note row is what is checked here
    person = UserFactory()
    join_session(session=full_session, person=person)

    deliver_due_messages(now=datetime.now(UTC))

    note = OutboundMessage.objects.get(channel="slack")
    assert (
        note.group_seat_id == OutboundMessage.objects.get(channel="email", kind="group_seated").group_seat_id
    )
