"""The e-mail an offer sends, through sessions_app's outbox: "a time with <mentor> is held for you until …",
with the link that books it. Written in the transaction that makes the offer, sent once it commits; the
sweep asks `build` (registered in WaitlistsConfig.ready) what it says, in the recipient's language and zone.
An offer that ends before its e-mail went out (booked, lapsed, withdrawn) cancels it."""

from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from sessions_app import calendar, notifications
from sessions_app.models import OutboundMessage
from sessions_app.outbox import start_delivery
from waitlists.models import WaitlistOffer

OFFER = OutboundMessage.Kind.WAITLIST_OFFER


def queue_offer(offer: WaitlistOffer, *, now: datetime) -> None:
    OutboundMessage.objects.create(
        waitlist_offer=offer, kind=OFFER, recipient_id=offer.person_id, due_at=now, created_at=now
    )
    transaction.on_commit(start_delivery, robust=True)


def cancel_pending(offer: WaitlistOffer) -> None:
    OutboundMessage.objects.filter(waitlist_offer=offer, status=OutboundMessage.Status.PENDING).update(
        status=OutboundMessage.Status.CANCELLED
    )


def book_url(offer: WaitlistOffer) -> str:
    """The booking step for the held slot (the holder sees it free; everyone else is told it is taken)."""
    query = urlencode(
        {
            "mentor": offer.mentor_id,
            "start": offer.start.isoformat().replace("+00:00", "Z"),
            "duration": int((offer.end - offer.start).total_seconds() // 60),
        }
    )
    return f"{reverse('book-session')}?{query}"


def list_url() -> str:
    return settings.SITE_URL + reverse("waitlist-list")


def _about(offer_id: int | None) -> int:
    if offer_id is None:
        raise ValueError("a waiting-list message without its offer")
    return offer_id


def build(message: OutboundMessage) -> notifications.BuiltElsewhere:
    offer = WaitlistOffer.objects.select_related("mentor").get(pk=_about(message.waitlist_offer_id))
    if offer.outcome != WaitlistOffer.Outcome.HELD:  # booked, lapsed or given up since it was queued
        raise notifications.Withdrawn
    recipient = message.recipient
    zone_name = calendar.user_zone_name(recipient)
    names = {"name": offer.mentor.name, "when": notifications.short_when(offer.start, zone_name)}
    return notifications.BuiltElsewhere(
        subject=gettext("Held for you: %(name)s, %(when)s") % names,
        template=f"waitlists/email/{message.kind}",
        context={
            "offer": offer,
            "mentor": offer.mentor,
            "when": notifications.local_when(offer.start, offer.end, zone_name),
            "until": notifications.short_when(offer.expires_at, zone_name),
            "zone_name": zone_name,
            "book_url": settings.SITE_URL + book_url(offer),
            "list_url": list_url(),
        },
        page_url=list_url(),
        page_title=gettext("Open my waiting lists"),
    )


def register() -> None:
    notifications.register_message_builder([OFFER], build)
