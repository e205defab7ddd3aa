"""The offer's e-mail and its chat notes through the outbox: sent once, in the recipient's zone, the note
keeping its offer and pointing at "My waiting lists" (never a signed link)."""

import pytest
from django.core import mail

from sessions_app import notifications
from sessions_app.models import Booking, OutboundMessage
from sessions_app.sweep import deliver_due_messages
from tests.factories import UserFactory
from tests.waitlists.conftest import MONDAY, WEDNESDAY_EVENING
from waitlists.services.entries import join_waitlist

pytestmark = pytest.mark.django_db


def test_the_offer_goes_out_once_and_its_chat_notes_keep_the_offer(full_mentor, bookings, settings):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never"  # the note rows are what is checked here
    settings.TEAMS_WEBHOOK_URL = "http://127.0.0.1:9/never"
    Booking.objects.filter(pk=bookings[0].pk).update(status="cancelled")
    person = UserFactory(timezone="America/New_York")
    entry = join_waitlist(person=person, mentor=full_mentor, before=WEDNESDAY_EVENING, duration=30)

    deliver_due_messages(now=MONDAY)
    deliver_due_messages(now=MONDAY)

    [email] = [message for message in mail.outbox if message.to == [person.email]]
    assert email.subject == "Held for you: Fiona Full, Tue 2 Mar 05:00 (America/New_York)"
    assert "03:15" in email.body  # held until 08:15 UTC, on a New York clock
    offer_id = OutboundMessage.objects.get(channel="email").waitlist_offer_id
    assert offer_id == entry.offers.get().pk
    notes = OutboundMessage.objects.filter(channel__in=["slack", "teams"])
    assert {(note.channel, note.waitlist_offer_id) for note in notes} == {
        ("slack", offer_id),
        ("teams", offer_id),
    }
    card = notifications.teams_card(notes.get(channel="teams"))
    [action] = card["attachments"][0]["content"]["actions"]
    assert action["url"].endswith("/me/waitlist/")
