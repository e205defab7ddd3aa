"""The outbox's claims (issue 13, item 14): a send takes its row's claim over before sending and records its
outcome only while the claim is still its own, so a redelivered task cannot send a row twice and a send that
lost its row to a re-claim does not overwrite the outcome of the send that took it."""

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from sessions_app.models import OutboundMessage
from sessions_app.outbox import claim_due_messages, send_messages
from tests.factories import OutboundMessageFactory

_during_send: list[Callable[[], None]] = []


class HookedBackend(EmailBackend):
    """The locmem backend, running (once) what a test queued in _during_send while the email is sent."""

    def send_messages(self, messages):
        while _during_send:
            _during_send.pop()()
        return super().send_messages(messages)


@pytest.fixture
def hooked_mail(settings):
    settings.EMAIL_BACKEND = "tests.sessions_app.test_outbox_claims.HookedBackend"
    yield _during_send
    _during_send.clear()


@pytest.mark.django_db
def test_a_redelivered_batch_finds_the_claim_taken_and_sends_nothing(hooked_mail):
    message = OutboundMessageFactory()
    claim = timezone.now()
    assert claim_due_messages(now=claim, batch_size=10) == [message.pk]
    second_copy: list[int] = []
    hooked_mail.append(
        lambda: second_copy.append(send_messages(message_ids=[message.pk], now=claim, claimed_at=claim))
    )

    assert send_messages(message_ids=[message.pk], now=claim, claimed_at=claim) == 1

    assert second_copy == [0]
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundMessage.Status.SENT, 1)


@pytest.mark.django_db
def test_a_send_that_outlives_the_reclaim_time_records_nothing_over_the_send_that_took_its_row(
    hooked_mail, settings, caplog
):
    message = OutboundMessageFactory()
    claim = timezone.now()
    assert claim_due_messages(now=claim, batch_size=10) == [message.pk]
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS + 1)

    def reclaimed_and_sent_meanwhile() -> None:
        assert claim_due_messages(now=later, batch_size=10) == [message.pk]
        assert send_messages(message_ids=[message.pk], now=later, claimed_at=later) == 1

    hooked_mail.append(reclaimed_and_sent_meanwhile)
    with caplog.at_level(logging.WARNING, logger="sessions_app.outbox"):
        assert send_messages(message_ids=[message.pk], now=claim, claimed_at=claim) == 0

    assert "claimed again while this send ran" in caplog.text
    assert len(mail.outbox) == 2  # the at-least-once window of docs/design.md: a send longer than the reclaim
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundMessage.Status.SENT, 2)


@pytest.mark.django_db
def test_a_claim_handed_to_a_task_that_was_reclaimed_before_it_ran_is_not_sent(settings):
    message = OutboundMessageFactory()
    first = timezone.now()
    claim_due_messages(now=first, batch_size=10)
    later = first + timedelta(seconds=settings.OUTBOX_RECLAIM_AFTER_SECONDS + 1)
    assert claim_due_messages(now=later, batch_size=10) == [message.pk]

    assert send_messages(message_ids=[message.pk], now=first, claimed_at=first) == 0
    assert send_messages(message_ids=[message.pk], now=later, claimed_at=later) == 1
    assert len(mail.outbox) == 1
