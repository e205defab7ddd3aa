from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from marketplace.models import User
from sessions_app import notifications, tasks
from sessions_app.models import Booking, OutboundMessage
from sessions_app.outbox import claim_due_messages, send_messages
from sessions_app.services.bookings import book_session, cancel_booking
from sessions_app.sweep import deliver_due_messages
from tests.factories import BookingFactory, MentorFactory, MentorRequestFactory, UserFactory
from tests.sessions_app.helpers import slot


@pytest.fixture
def far_apart_booking(db):
    mentee = UserFactory(email="nia@example.com", display_name="Nia New York", timezone="America/New_York")
    mentor = MentorFactory(email="sam@example.com", display_name="Sam Sydney", timezone="Australia/Sydney")
    start = datetime(2027, 3, 16, 14, 0, tzinfo=UTC)
    return BookingFactory(mentor=mentor, mentee=mentee, start=start, topic="Salary talk")


def queue(booking: Booking, kind: str = "confirmation", due_at: datetime | None = None) -> None:
    for recipient in (booking.mentee, booking.mentor):
        OutboundMessage.objects.create(
            booking=booking,
            kind=kind,
            recipient=recipient,
            sequence=booking.sequence,
            due_at=due_at or timezone.now(),
        )


def email_to(address: str):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


def calendar_of(message) -> Calendar:
    [part] = [part for part in message.attachments if part.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def test_each_person_gets_an_email_in_their_own_zone_with_the_zone_named(far_apart_booking):
    queue(far_apart_booking)

    assert tasks.send_due_messages() == 2

    to_mentee, to_mentor = email_to("nia@example.com"), email_to("sam@example.com")
    assert "Tuesday 16 March 2027, 10:00–10:30 (America/New_York, EDT)" in to_mentee.body
    assert "Wednesday 17 March 2027, 01:00–01:30 (Australia/Sydney, AEDT)" in to_mentor.body
    assert "Sam Sydney" in to_mentee.subject
    assert "(America/New_York)" in to_mentee.subject
    html = {mimetype: content for content, mimetype in to_mentee.alternatives}["text/html"]
    assert "10:00–10:30 (America/New_York, EDT)" in html
    assert far_apart_booking.meeting_url in html


def test_the_email_carries_an_ics_request_in_the_recipients_zone(far_apart_booking):
    queue(far_apart_booking)

    tasks.send_due_messages()

    message = email_to("nia@example.com")
    [part] = [part for part in message.attachments if part.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    event = calendar_of(message).walk("VEVENT")[0]
    assert event.decoded("dtstart") == far_apart_booking.start
    assert event["DTSTART"].params["TZID"] == "America/New_York"


def test_a_cancellation_email_carries_method_cancel_and_the_reason(far_apart_booking):
    cancel_booking(booking=far_apart_booking, by=far_apart_booking.mentee, reason="Got the answer")

    tasks.send_due_messages()

    message = email_to("sam@example.com")
    assert message.subject.startswith("Cancelled")
    assert "Nia New York cancelled your session" in message.body
    assert "Got the answer" in message.body
    assert str(calendar_of(message)["METHOD"]) == "CANCEL"


def test_a_reschedule_email_shows_the_new_time(far_apart_booking):
    far_apart_booking.start += timedelta(days=1)
    far_apart_booking.end += timedelta(days=1)
    far_apart_booking.sequence = 1
    far_apart_booking.save()
    queue(far_apart_booking, kind="reschedule")

    tasks.send_due_messages()

    message = email_to("nia@example.com")
    assert message.subject.startswith("Moved")
    assert "Wednesday 17 March 2027, 10:00–10:30" in message.body
    assert calendar_of(message).walk("VEVENT")[0].decoded("SEQUENCE") == 1


def test_sent_messages_are_marked_and_never_sent_twice(far_apart_booking):
    queue(far_apart_booking)

    tasks.send_due_messages()
    tasks.send_due_messages()

    assert len(mail.outbox) == 2
    assert set(OutboundMessage.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert not OutboundMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_message_sent_again_keeps_its_message_id(far_apart_booking, settings):
    # At-least-once at one point: a worker killed after the mail server took an email but before the row was
    # marked sent sends it again. The retry must carry the same Message-ID, so mail systems see one message.
    settings.DEFAULT_FROM_EMAIL = "Sidebar <sidebar@acme.example>"
    queue(far_apart_booking)
    tasks.send_due_messages()
    first = {message.to[0]: message.extra_headers["Message-ID"] for message in mail.outbox}
    OutboundMessage.objects.update(status="pending", sent_at=None)  # as if the mark had been lost

    tasks.send_due_messages()

    again = {message.to[0]: message.extra_headers["Message-ID"] for message in mail.outbox[2:]}
    assert again == first
    assert len(set(first.values())) == 2  # one per recipient's row
    assert all(value.endswith("@acme.example>") for value in first.values())
    assert mail.outbox[0].message()["Message-ID"] == mail.outbox[0].extra_headers["Message-ID"]


def test_a_batch_goes_out_over_one_mail_connection_and_one_failure_stops_no_other(far_apart_booking):
    queue(far_apart_booking)
    queue(far_apart_booking, kind="reminder")
    claimed = claim_due_messages(now=timezone.now(), batch_size=10)
    first = OutboundMessage.objects.get(pk=claimed[0])
    real_send = notifications.send
    connections = set()

    def flaky_send(message, *, connection=None):
        connections.add(id(connection))
        if message.pk == first.pk:
            raise OSError("mailbox full")
        real_send(message, connection=connection)

    with mock.patch.object(notifications, "send", side_effect=flaky_send):
        assert send_messages(message_ids=claimed) == 3

    assert len(mail.outbox) == 3
    assert len(connections) == 1
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("pending", 1)
    assert OutboundMessage.objects.filter(status="sent").count() == 3


def test_a_session_moved_while_its_batch_is_sent_is_described_as_it_is_now(far_apart_booking):
    queue(far_apart_booking, kind="reminder")
    claimed = claim_due_messages(now=timezone.now(), batch_size=10)
    new_start = far_apart_booking.start + timedelta(days=1)
    real_send = notifications.send

    def move_session_after_the_first(message, *, connection=None):
        real_send(message, connection=connection)
        if len(mail.outbox) == 1:  # the batch was read before this: its second message is now stale
            Booking.objects.filter(pk=far_apart_booking.pk).update(
                start=new_start, end=new_start + timedelta(minutes=30), updated_at=timezone.now()
            )

    with mock.patch.object(notifications, "send", side_effect=move_session_after_the_first):
        assert send_messages(message_ids=claimed) == 2

    to_mentee, to_mentor = mail.outbox  # the mentee's row was queued first
    assert to_mentee.to == ["nia@example.com"]
    assert "Tuesday 16 March 2027, 10:00–10:30 (America/New_York, EDT)" in to_mentee.body  # before the move
    assert "Thursday 18 March 2027, 01:00–01:30 (Australia/Sydney, AEDT)" in to_mentor.body  # read again


def test_a_reminder_for_a_session_cancelled_while_its_batch_is_sent_is_not_sent(far_apart_booking):
    queue(far_apart_booking, kind="reminder")
    claimed = claim_due_messages(now=timezone.now(), batch_size=10)
    real_send = notifications.send

    def cancel_after_the_first(message, *, connection=None):
        real_send(message, connection=connection)
        Booking.objects.filter(pk=far_apart_booking.pk).update(status="cancelled", updated_at=timezone.now())

    with mock.patch.object(notifications, "send", side_effect=cancel_after_the_first):
        assert send_messages(message_ids=claimed) == 1

    assert len(mail.outbox) == 1
    assert sorted(OutboundMessage.objects.values_list("status", flat=True)) == ["cancelled", "sent"]


def test_messages_not_yet_due_wait(far_apart_booking):
    queue(far_apart_booking, due_at=timezone.now() + timedelta(hours=1))

    assert tasks.send_due_messages() == 0
    assert mail.outbox == []
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"pending"}


def test_a_failed_send_is_retried_later_and_given_up_after_five_attempts(far_apart_booking):
    queue(far_apart_booking)
    message = OutboundMessage.objects.filter(recipient=far_apart_booking.mentee).get()
    now = timezone.now()

    with mock.patch("django.core.mail.message.EmailMessage.send", side_effect=OSError("SMTP down")):
        deliver_due_messages(now=now)

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "SMTP down" in message.last_error
    assert message.due_at > now
    with mock.patch("django.core.mail.message.EmailMessage.send", side_effect=OSError("SMTP down")):
        for day in range(1, 5):  # each retry is due later than the one before
            deliver_due_messages(now=timezone.now() + timedelta(days=day))
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 5)


def test_outbox_rows_of_a_rolled_back_booking_are_never_sent(
    mentee, open_mentor, django_capture_on_commit_callbacks
):
    def book_then_fail() -> None:
        with transaction.atomic():
            book_session(mentee=mentee, mentor=open_mentor, start=slot(), minutes=30, topic="Plan")
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        book_then_fail()

    assert callbacks == []
    assert mail.outbox == []
    assert not OutboundMessage.objects.exists()


def test_committing_a_booking_starts_delivery(mentee, open_mentor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        book_session(mentee=mentee, mentor=open_mentor, start=slot(), minutes=30, topic="Plan")

    assert sorted(message.to[0] for message in mail.outbox) == [mentee.email, open_mentor.email]
    confirmations = OutboundMessage.objects.filter(kind="confirmation")
    assert set(confirmations.values_list("status", flat=True)) == {"sent"}


def test_the_completion_task_completes_ended_sessions(far_apart_booking):
    ended = BookingFactory(
        mentor=far_apart_booking.mentor,
        mentee=far_apart_booking.mentee,
        start=timezone.now() - timedelta(hours=1),
    )

    assert tasks.complete_finished_sessions() == 1

    ended.refresh_from_db()
    far_apart_booking.refresh_from_db()
    assert (ended.status, far_apart_booking.status) == ("completed", "confirmed")


@pytest.mark.parametrize(
    ("kind", "about"),
    [("reminder", "booking"), ("match_found", "request"), ("introduction", "introduction")],
)
def test_a_message_without_what_its_kind_is_about_is_named_in_its_error_and_not_sent(db, kind, about):
    # The check constraint asks for one of booking, request and introduction; each kind needs its own.
    elsewhere = {"booking": BookingFactory()} if about != "booking" else {"request": MentorRequestFactory()}
    message = OutboundMessage.objects.create(
        kind=kind, recipient=UserFactory(), due_at=timezone.now(), **elsewhere
    )

    with pytest.raises(ValueError, match=f"Outbox message {message.pk} \\({kind}\\) has no {about}"):
        notifications.compose(message)
    assert send_messages(message_ids=claim_due_messages(now=timezone.now(), batch_size=10)) == 0

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)  # it cannot be built: retrying cannot help
    assert f"has no {about}" in message.last_error
    assert mail.outbox == []


def test_a_message_that_cannot_be_built_fails_once_visibly_and_the_others_still_go_out(far_apart_booking):
    """A name stored before names were checked (a line break) cannot go in a subject: BadHeaderError is not
    an outage, so the row fails at once with the error instead of being retried forever."""
    User.objects.filter(pk=far_apart_booking.mentor_id).update(display_name="Sam\nBcc: all@example.com")
    queue(far_apart_booking)
    to_mentee = OutboundMessage.objects.get(recipient=far_apart_booking.mentee)

    tasks.send_due_messages()
    for day in (1, 2, 3):
        deliver_due_messages(now=timezone.now() + timedelta(days=day))

    to_mentee.refresh_from_db()
    assert (to_mentee.status, to_mentee.attempts) == ("failed", 1)
    assert "BadHeaderError" in to_mentee.last_error
    assert [message.to for message in mail.outbox] == [["sam@example.com"]]  # its subject names the mentee
    assert OutboundMessage.objects.get(recipient=far_apart_booking.mentor).status == "sent"
