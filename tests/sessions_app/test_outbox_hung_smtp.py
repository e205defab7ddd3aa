"""Item 14 of issue 13: a hung mail server holds no lock. The outbox claims a row, sends with no transaction
open and a timeout (EMAIL_TIMEOUT), then records the outcome conditionally; meanwhile the row and its session
can be locked and changed by others."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from sessions_app.models import Booking, OutboundMessage
from sessions_app.outbox import claim_due_messages, send_messages
from tests.factories import BookingFactory, OutboundMessageFactory
from tests.hung_server import hung_server
from tests.sessions_app.helpers import slot
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_hung_smtp_server_times_out_with_no_lock_held_and_the_message_is_retried(settings, open_mentor):
    booking = BookingFactory(mentor=open_mentor, start=slot(days=3))
    message = OutboundMessageFactory(booking=booking, kind=OutboundMessage.Kind.CONFIRMATION, lead_minutes=0)
    now = timezone.now()
    assert claim_due_messages(now=now, batch_size=10) == [message.pk]
    outcome: list[int | BaseException] = []

    def send() -> None:
        try:
            outcome.append(send_messages(message_ids=[message.pk], now=now))
        except BaseException as error:  # reported by the test's thread below
            outcome.append(error)
        finally:
            connections.close_all()

    with hung_server() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp.port, 2
        sender = threading.Thread(target=send, name="outbox-send", daemon=True)
        sender.start()
        wait_until(lambda: smtp.accepted, timeout=10, message="the send to reach the mail server")

        # While the mail server keeps the send waiting, the row and its session are free.
        with transaction.atomic():
            OutboundMessage.objects.select_for_update(nowait=True).get(pk=message.pk)
            locked = Booking.objects.select_for_update(nowait=True).get(pk=booking.pk)
            locked.topic = "Changed while the email was being sent"
            locked.save(update_fields=["topic", "updated_at"])
        assert Booking.objects.get(pk=booking.pk).topic == "Changed while the email was being sent"

        sender.join(timeout=60)  # a guard against a hang, not a measurement
        assert not sender.is_alive(), "the send did not time out"

    assert outcome == [0]
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.PENDING
    assert message.attempts == 1
    assert "timed out" in message.last_error
    assert message.due_at == now + timedelta(minutes=2)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retry_at = message.due_at
    assert claim_due_messages(now=retry_at, batch_size=10) == [message.pk]
    assert send_messages(message_ids=[message.pk], now=retry_at) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundMessage.Status.SENT, 2)
    assert len(mail.outbox) == 1
