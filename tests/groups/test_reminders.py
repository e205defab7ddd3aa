"""Reminders of a group session, per attendee through the outbox as a 1:1 session's: the host and each seated
person, at each of REMINDER_LEADS_MINUTES; a person seated later gets the leads still ahead; leaving,
cancelling and moving cancel or reschedule them. Sent by the real sweep, at the time travelled to."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from groups.models import Seat
from groups.services.seats import join_session, leave_session
from groups.services.sessions import Changes, cancel_group_session, create_group_session, update_group_session
from sessions_app.models import OutboundMessage
from sessions_app.outbox import claim_due_messages, send_messages
from sessions_app.sweep import deliver_due_messages
from tests.factories import MentorFactory, UserFactory
from tests.webhook_server import webhook_server

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
START = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)


def reminders(session, status: str = "pending") -> set[tuple]:
    return set(
        OutboundMessage.objects.filter(
            group_seat__session=session, kind="reminder", channel="email", status=status
        ).values_list("recipient_id", "lead_minutes", "due_at", "sequence")
    )


def emails_to(person) -> list:
    return [email for email in mail.outbox if email.to == [person.email]]


@pytest.fixture
def host():
    return MentorFactory(display_name="Hedda Host", timezone="Europe/Berlin")


@pytest.fixture
def session(host):
    with time_machine.travel(NOW, tick=False):
        return create_group_session(
            host=host, title="Board decks AMA", start=START, duration=30, capacity=2, now=NOW
        )


def test_the_host_and_each_seated_person_get_a_reminder_at_each_lead(settings, host, session):
    settings.REMINDER_LEADS_MINUTES = (1440, 60)
    people = [UserFactory(), UserFactory()]
    for person in people:
        join_session(session=session, person=person, now=NOW)

    assert reminders(session) == {
        (person.pk, lead, START - timedelta(minutes=lead), 0)
        for person in [host, *people]
        for lead in (1440, 60)
    }
    assert Seat.objects.get(session=session, status="host").person == host


def test_a_reminder_is_sent_at_its_time_in_each_persons_zone(host, session):
    seated = UserFactory(display_name="Sam Seated", timezone="America/New_York")
    join_session(session=session, person=seated, now=NOW)
    with time_machine.travel(NOW, tick=False):
        deliver_due_messages()
    mail.outbox.clear()

    with time_machine.travel(START - timedelta(hours=25), tick=False):
        assert deliver_due_messages() == 0
    with time_machine.travel(START - timedelta(hours=24), tick=False):
        assert deliver_due_messages() == 2

    [to_host] = emails_to(host)
    assert to_host.subject == "Reminder: Board decks AMA in 24 hours, Wed 10 Mar 17:00 (Europe/Berlin)"
    assert "which you host, starts in 24 hours. 1 person has a seat." in to_host.body
    assert session.meeting_url in to_host.body
    assert to_host.attachments == []  # the invite went with the seat; a reminder carries none
    [to_seated] = emails_to(seated)
    # 16:00 UTC on New York's clock: still winter time (the clocks change on 14 March 2027).
    assert to_seated.subject == "Reminder: Board decks AMA in 24 hours, Wed 10 Mar 11:00 (America/New_York)"
    assert "“Board decks AMA” with Hedda Host starts in 24 hours. Your seat is kept." in to_seated.body


def test_a_reminder_is_noted_on_slack_and_teams_with_the_session_and_its_link(settings, host, session):
    seated = UserFactory(display_name="Sam Seated")
    join_session(session=session, person=seated, now=NOW)
    with webhook_server() as slack, webhook_server() as teams:
        settings.SLACK_WEBHOOK_URL, settings.TEAMS_WEBHOOK_URL = slack.url, teams.url
        with time_machine.travel(START - timedelta(minutes=59), tick=False):
            deliver_due_messages()
            deliver_due_messages()  # the notes are due once their emails have gone

    texts = [post["text"] for post in slack.delivered]
    reminder_texts = [text for text in texts if text.startswith("Sam Seated: Reminder: Board decks AMA ")]
    leads = sorted(text.split(" in ")[1].split(",")[0] for text in reminder_texts)
    assert leads == ["1 hour", "24 hours"]  # Sam's two (the host's notes start with the host's name)
    assert all(f"Join: {session.meeting_url}" in text for text in reminder_texts)
    cards = [post["attachments"][0]["content"] for post in teams.delivered]
    reminder_cards = [
        card
        for card in cards
        if card["body"][0]["inlines"][0]["text"].startswith("Reminder: Board decks AMA")
    ]
    assert len(reminder_cards) == 4  # the host's and Sam's, at each of the two leads
    buttons = {action["title"]: action["url"] for action in reminder_cards[0]["actions"]}
    assert buttons["Join the session"] == session.meeting_url
    assert buttons["Open the group session"].endswith(f"/group-sessions/{session.pk}/")


def test_a_sent_reminder_queues_its_chat_notes_like_any_email(settings, host, session):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never"  # the note rows are what is checked here
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        deliver_due_messages()

    # Both leads were due (nobody swept a day before): each email gets its own note.
    notes = OutboundMessage.objects.filter(kind="reminder", channel="slack")
    assert set(notes.values_list("recipient_id", "lead_minutes")) == {(host.pk, 60), (host.pk, 1440)}


def test_a_person_seated_after_a_lead_has_passed_gets_the_later_reminders_only(host, session):
    late = UserFactory()
    join_session(session=session, person=late, now=START - timedelta(hours=3))

    assert {lead for person, lead, _, _ in reminders(session) if person == late.pk} == {60}


def test_a_person_seated_from_the_waiting_list_gets_their_reminders(host, session):
    seated, waiting = [UserFactory(), UserFactory()], UserFactory()
    for person in [*seated, waiting]:
        join_session(session=session, person=person, now=NOW)
    assert not any(person == waiting.pk for person, *_ in reminders(session))

    leave_session(session=session, person=seated[0], now=START - timedelta(hours=2))

    mine = {(lead, due) for person, lead, due, _ in reminders(session) if person == waiting.pk}
    assert mine == {(60, START - timedelta(hours=1))}
    assert not any(person == seated[0].pk for person, *_ in reminders(session))


def test_no_reminder_goes_out_for_a_session_one_has_left(host, session):
    person = UserFactory()
    join_session(session=session, person=person, now=NOW)
    leave_session(session=session, person=person, now=NOW)

    with time_machine.travel(START - timedelta(minutes=59), tick=False):
        deliver_due_messages()

    assert emails_to(person) == []
    assert len(emails_to(host)) == 2  # the host's two reminders still go out


def test_a_reminder_claimed_just_before_the_person_left_is_not_sent(host, session):
    person = UserFactory()
    join_session(session=session, person=person, now=NOW)
    due = START - timedelta(hours=1)
    claimed = claim_due_messages(now=due, batch_size=50)
    leave_session(session=session, person=person, now=due)  # the sweep's claim is already taken

    send_messages(message_ids=claimed, now=due, claimed_at=due)

    row = OutboundMessage.objects.get(recipient=person, kind="reminder", lead_minutes=60)
    assert row.status == "cancelled"
    assert emails_to(person) == []


def test_cancelling_the_session_cancels_everyones_reminders(host, session):
    person = UserFactory()
    join_session(session=session, person=person, now=NOW)
    scheduled = reminders(session)

    cancel_group_session(session=session, by=host, now=NOW)

    assert reminders(session) == set()
    assert reminders(session, status="cancelled") == scheduled
    with time_machine.travel(START, tick=False):
        deliver_due_messages()
    assert not [email for email in mail.outbox if email.subject.startswith("Reminder")]


def test_moving_the_session_reschedules_the_reminders_at_the_new_time(host, session):
    person = UserFactory(timezone="Europe/London")
    join_session(session=session, person=person, now=NOW)
    new_start = START + timedelta(days=1, hours=2)

    update_group_session(session=session, by=host, changes=Changes(start=new_start), now=NOW)

    assert reminders(session) == {
        (someone.pk, lead, new_start - timedelta(minutes=lead), 1)
        for someone in (host, person)
        for lead in (1440, 60)
    }
    with time_machine.travel(START - timedelta(minutes=59), tick=False):
        deliver_due_messages()
    assert not [email for email in emails_to(person) if email.subject.startswith("Reminder")]
    with time_machine.travel(new_start - timedelta(minutes=59), tick=False):
        deliver_due_messages()
    reminders_sent = [email for email in emails_to(person) if email.subject.startswith("Reminder")]
    assert [email.subject for email in reminders_sent][-1] == (
        "Reminder: Board decks AMA in 1 hour, Thu 11 Mar 18:00 (Europe/London)"
    )


def test_a_day_ahead_reminder_is_24_hours_before_across_a_dst_change(settings):
    # Berlin moves to summer time at 01:00 UTC on Sunday 28 March 2027.
    berlin = ZoneInfo("Europe/Berlin")
    host = MentorFactory(timezone="Europe/Berlin")
    start = datetime(2027, 3, 28, 10, 0, tzinfo=berlin)
    session = create_group_session(
        host=host, title="Sunday AMA", start=start, duration=30, capacity=5, now=NOW
    )

    [day_before] = [row for row in reminders(session) if row[1] == 1440]

    assert day_before[2] == datetime(2027, 3, 27, 8, 0, tzinfo=UTC)
    assert day_before[2].astimezone(berlin).hour == 9
