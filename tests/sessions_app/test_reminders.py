"""Flow 4: reminders, prompts and follow-ups scheduled in the outbox, and the sweep that sends them."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from sessions_app import tasks
from sessions_app.models import Booking, OutboundMessage
from sessions_app.outbox import claim_due_messages, send_message
from sessions_app.services.bookings import (
    book_session,
    cancel_booking,
    reschedule_booking,
    scheduled_messages,
)
from sessions_app.sweep import deliver_due_messages
from tests.factories import (
    BookingFactory,
    MentorFactory,
    MentorRequestFactory,
    OutboundMessageFactory,
    UserFactory,
)
from tests.sessions_app.helpers import slot

SCHEDULED = ("reminder", "feedback_prompt", "follow_up")


def scheduled_rows(booking: Booking, status: str = "pending") -> set[tuple]:
    return set(
        OutboundMessage.objects.filter(booking=booking, kind__in=SCHEDULED, status=status).values_list(
            "kind", "recipient_id", "lead_minutes", "due_at", "sequence"
        )
    )


def expected_rows(booking: Booking, leads: tuple[int, ...], prompt_delay: int = 5) -> set[tuple]:
    people = (booking.mentee_id, booking.mentor_id)
    rows = {
        ("reminder", person, lead, booking.start - timedelta(minutes=lead), booking.sequence)
        for lead in leads
        for person in people
    }
    rows |= {
        ("feedback_prompt", person, 0, booking.end + timedelta(minutes=prompt_delay), booking.sequence)
        for person in people
    }
    rows.add(("follow_up", booking.mentee_id, 0, booking.end + timedelta(days=7), booking.sequence))
    return rows


def email_to(address: str):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


def html_of(message) -> str:
    return {mimetype: content for content, mimetype in message.alternatives}["text/html"]


@pytest.mark.parametrize(
    "mentee_zone", ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
)
@pytest.mark.parametrize("leads", [(1440, 60), (120, 15, 5)])
def test_booking_schedules_every_reminder_prompt_and_follow_up_at_its_due_time(
    settings, mentee, open_mentor, mentee_zone, leads
):
    settings.REMINDER_LEADS_MINUTES = leads
    mentee.timezone = mentee_zone
    mentee.save()

    booking = book_session(mentee=mentee, mentor=open_mentor, start=slot(days=3), minutes=30, topic="Plan")

    assert scheduled_rows(booking) == expected_rows(booking, leads)


def test_a_reminder_whose_lead_has_already_passed_at_booking_time_gets_no_row(mentee, open_mentor):
    now = slot(days=2, hour=8)

    booking = book_session(
        mentee=mentee,
        mentor=open_mentor,
        start=now + timedelta(minutes=90),
        minutes=30,
        topic="Soon",
        now=now,
    )

    leads = set(
        OutboundMessage.objects.filter(booking=booking, kind="reminder").values_list(
            "lead_minutes", flat=True
        )
    )
    assert leads == {60}


def test_reminder_leads_are_exact_minutes_across_a_dst_change(db):
    # Europe/Berlin moves to summer time at 01:00 UTC on Sunday 28 March 2027.
    berlin = ZoneInfo("Europe/Berlin")
    mentor = MentorFactory(timezone="Europe/Berlin")
    mentee = UserFactory(timezone="America/New_York")  # New York changed two weeks earlier
    start = datetime(2027, 3, 28, 10, 0, tzinfo=berlin)  # 08:00 UTC, summer time
    booking = BookingFactory(mentor=mentor, mentee=mentee, start=start.astimezone(UTC))

    messages = scheduled_messages(booking, now=datetime(2027, 3, 1, tzinfo=UTC))

    day_before = next(m for m in messages if m.kind == "reminder" and m.lead_minutes == 1440)
    assert day_before.due_at == datetime(2027, 3, 27, 8, 0, tzinfo=UTC)
    # 24 hours before 10:00 summer time is 09:00 winter time on the Saturday, not 10:00.
    assert day_before.due_at.astimezone(berlin).hour == 9
    follow_up = next(m for m in messages if m.kind == "follow_up")
    assert follow_up.due_at == datetime(2027, 4, 4, 8, 30, tzinfo=UTC)


def test_rescheduling_cancels_the_old_times_messages_and_schedules_the_new_time(mentee, open_mentor):
    booking = book_session(mentee=mentee, mentor=open_mentor, start=slot(days=2), minutes=30, topic="Plan")
    old = scheduled_rows(booking)

    moved = reschedule_booking(booking=booking, by=mentee, start=slot(days=3, hour=11))

    assert moved.sequence == 1
    assert scheduled_rows(moved, status="cancelled") == old
    assert scheduled_rows(moved) == expected_rows(moved, (1440, 60))
    assert all(row[3] > moved.start - timedelta(days=1, minutes=1) for row in scheduled_rows(moved))


def test_cancelling_cancels_pending_reminders_and_keeps_them_for_the_record(mentee, open_mentor):
    booking = book_session(mentee=mentee, mentor=open_mentor, start=slot(days=2), minutes=30, topic="Plan")
    scheduled = scheduled_rows(booking)

    cancel_booking(booking=booking, by=mentee, reason="Solved it")

    assert scheduled_rows(booking) == set()
    assert scheduled_rows(booking, status="cancelled") == scheduled


def test_the_sweep_sends_due_reminders_once_and_leaves_later_ones_pending(db):
    booking = BookingFactory()
    due = OutboundMessageFactory(booking=booking, lead_minutes=60)
    later = OutboundMessageFactory(
        booking=booking, lead_minutes=1440, due_at=timezone.now() + timedelta(hours=1)
    )

    assert tasks.send_due_messages() == 1
    assert tasks.send_due_messages() == 0

    assert len(mail.outbox) == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.attempts, later.status) == ("sent", 1, "pending")
    assert mail.outbox[0].extra_headers["X-Sidebar-Outbox-Id"] == str(due.pk)


def test_a_reminder_for_a_session_cancelled_after_it_was_claimed_is_never_sent(db):
    message = OutboundMessageFactory()
    assert message.booking is not None  # the factory's messages are about a booking
    [claimed] = claim_due_messages(now=timezone.now(), batch_size=10)
    Booking.objects.filter(pk=message.booking.pk).update(status=Booking.Status.CANCELLED)

    assert send_message(message_id=claimed) is False

    message.refresh_from_db()
    assert message.status == "cancelled"
    assert mail.outbox == []


def test_a_message_claimed_by_a_worker_that_died_is_claimed_again_after_the_reclaim_delay(settings, db):
    settings.OUTBOX_RECLAIM_AFTER_SECONDS = 300
    message = OutboundMessageFactory()
    now = timezone.now()
    assert claim_due_messages(now=now, batch_size=10) == [message.pk]

    assert claim_due_messages(now=now + timedelta(seconds=299), batch_size=10) == []
    assert claim_due_messages(now=now + timedelta(seconds=301), batch_size=10) == [message.pk]


def test_a_second_task_for_a_message_already_sent_sends_nothing(db):
    message = OutboundMessageFactory()
    claim_due_messages(now=timezone.now(), batch_size=10)

    assert send_message(message_id=message.pk) is True
    assert send_message(message_id=message.pk) is False

    assert len(mail.outbox) == 1


def test_a_failed_send_backs_off_exponentially_and_gives_up_visibly_in_the_admin(client, db):
    message = OutboundMessageFactory()
    now = timezone.now()
    delays = []
    with mock.patch("django.core.mail.message.EmailMessage.send", side_effect=OSError("SMTP down")):
        for _ in range(5):
            claim_due_messages(now=now, batch_size=10)
            send_message(message_id=message.pk, now=now)
            message.refresh_from_db()
            delays.append(message.due_at - now)
            now = message.due_at

    assert delays[:4] == [
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
        timedelta(minutes=16),
    ]
    assert (message.status, message.attempts) == ("failed", 5)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/sessions_app/outboundmessage/?status__exact=failed").content.decode()
    assert "SMTP down" in page


def test_the_sweep_completes_sessions_that_have_ended(db):
    ended = BookingFactory(start=timezone.now() - timedelta(hours=1))

    tasks.send_due_messages()

    ended.refresh_from_db()
    assert ended.status == "completed"


def test_the_in_process_sweep_completes_sessions_that_have_ended_too(db):
    ended = BookingFactory(start=timezone.now() - timedelta(hours=1))

    deliver_due_messages()

    ended.refresh_from_db()
    assert ended.status == "completed"


@pytest.mark.parametrize("run", [tasks.send_due_messages, deliver_due_messages], ids=["celery", "in_process"])
def test_both_sweeps_claim_batches_until_a_short_one(run, settings, db):
    settings.OUTBOX_BATCH_SIZE = 2
    OutboundMessageFactory.create_batch(5)

    with mock.patch("sessions_app.sweep.claim_due_messages", wraps=claim_due_messages) as claim:
        assert run() == 5

    assert claim.call_count == 3  # 2 + 2 + 1: the short batch ends the sweep
    assert len(mail.outbox) == 5
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_reminder_email_shows_the_recipients_local_time_zone_link_topic_and_request_context(db):
    mentee = UserFactory(email="nia@example.com", timezone="America/New_York")
    mentor = MentorFactory(email="sam@example.com", timezone="Australia/Sydney")
    request = MentorRequestFactory(asker=mentee, context="Board meets Thursday; they care about cash burn.")
    booking = BookingFactory(
        mentor=mentor, mentee=mentee, start=datetime(2027, 3, 16, 14, 0, tzinfo=UTC), topic="Salary talk"
    )
    Booking.objects.filter(pk=booking.pk).update(request=request)
    OutboundMessageFactory(booking=booking, recipient=mentee, lead_minutes=60)
    OutboundMessageFactory(booking=booking, recipient=mentor, lead_minutes=1440)

    tasks.send_due_messages()

    to_mentee, to_mentor = email_to("nia@example.com"), email_to("sam@example.com")
    assert to_mentee.subject.startswith("Reminder: 30 min with")
    assert "in 1 hour" in to_mentee.subject
    assert "in 24 hours" in to_mentor.subject
    assert "Tuesday 16 March 2027, 10:00–10:30 (America/New_York, EDT)" in to_mentee.body
    assert "Wednesday 17 March 2027, 01:00–01:30 (Australia/Sydney, AEDT)" in to_mentor.body
    for part in (to_mentee.body, html_of(to_mentee)):
        assert booking.meeting_url in part
        assert "Salary talk" in part
        assert "cash burn" in part
    assert to_mentee.attachments == []  # a reminder is no invite: the calendar already has the session


def test_the_feedback_prompt_offers_a_link_per_rating_for_that_recipient_only(db):
    booking = BookingFactory(start=timezone.now() - timedelta(hours=1), status=Booking.Status.COMPLETED)
    OutboundMessageFactory(booking=booking, kind="feedback_prompt", lead_minutes=0)

    tasks.send_due_messages()

    [message] = mail.outbox
    assert message.subject.startswith("How was your session")
    html = html_of(message)
    for rating in range(1, 6):
        assert f"&amp;rating={rating}" in html
        assert f"&rating={rating}" in message.body
    assert f"/sessions/{booking.pk}/feedback/?t=" in message.body


def test_the_follow_up_asks_the_mentee_with_a_signed_link(db):
    booking = BookingFactory(start=timezone.now() - timedelta(days=8), status=Booking.Status.COMPLETED)
    OutboundMessageFactory(booking=booking, kind="follow_up", lead_minutes=0)

    tasks.send_due_messages()

    [message] = mail.outbox
    assert message.to == [booking.mentee.email]
    assert "unblock" in message.subject
    assert f"/sessions/{booking.pk}/follow-up/?t=" in message.body
    assert "&outcome=partly" in message.body


class _SlackStandIn(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class _SlackDown(BaseHTTPRequestHandler):
    def do_POST(self):
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def slack(settings):
    server = HTTPServer(("127.0.0.1", 0), _SlackStandIn)
    _SlackStandIn.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SLACK_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
    yield _SlackStandIn.received
    server.shutdown()
    server.server_close()


def test_with_a_slack_webhook_each_sent_message_also_posts_a_short_note(slack, db):
    message = OutboundMessageFactory()

    tasks.send_due_messages()
    tasks.send_due_messages()

    assert len(slack) == 1
    assert "Reminder" in slack[0]["text"]
    assert message.recipient.name in slack[0]["text"]
    assert len(mail.outbox) == 1
    assert sorted(OutboundMessage.objects.values_list("channel", "status")) == [
        ("email", "sent"),
        ("slack", "sent"),
    ]


def test_slack_being_down_is_retried_with_back_off_without_repeating_the_email(settings, db):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/hook"  # nothing listens on the discard port
    OutboundMessageFactory()

    tasks.send_due_messages()

    note = OutboundMessage.objects.get(channel="slack")
    assert OutboundMessage.objects.get(channel="email").status == "sent"
    assert (note.status, note.attempts) == ("pending", 1)
    assert "Connection refused" in note.last_error or "URLError" in note.last_error
    # Each retry later than the one before, then given up where the admin shows it. Hours, not days: the sweep
    # completes sessions that have ended, and a reminder's note for a session that is over is not sent.
    for hours in range(1, 6):
        deliver_due_messages(now=timezone.now() + timedelta(hours=hours))
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("failed", 5)
    assert len(mail.outbox) == 1


def test_a_slack_note_answered_with_an_error_is_retried(settings, db):
    server = HTTPServer(("127.0.0.1", 0), _SlackDown)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SLACK_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
    try:
        OutboundMessageFactory()
        tasks.send_due_messages()
    finally:
        server.shutdown()
        server.server_close()

    note = OutboundMessage.objects.get(channel="slack")
    assert (note.status, note.attempts) == ("pending", 1)
    assert "503" in note.last_error


def test_a_slack_note_left_when_the_webhook_is_removed_is_cancelled(slack, settings, db):
    OutboundMessageFactory(channel="slack")
    settings.SLACK_WEBHOOK_URL = ""

    tasks.send_due_messages()

    assert slack == []
    assert OutboundMessage.objects.get().status == "cancelled"


def test_run_sweep_once_sends_what_is_due(db):
    OutboundMessageFactory()
    out = StringIO()

    call_command("run_sweep", "--once", stdout=out)

    assert "1 message(s)" in out.getvalue()
    assert len(mail.outbox) == 1


def test_a_name_cannot_ping_the_channel_or_disguise_a_link_in_the_slack_note(slack, db):
    trap = "<!channel> <https://evil.example|Sidebar: log in> & more"
    OutboundMessageFactory(kind="confirmation", booking__mentor__display_name=trap)

    tasks.send_due_messages()

    [note] = slack
    assert "<" not in note["text"]
    assert ">" not in note["text"]
    assert "&lt;!channel&gt; &lt;https://evil.example|Sidebar: log in&gt; &amp; more" in note["text"]
