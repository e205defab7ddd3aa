"""Turning an outbox row into an email: text and HTML, the time in the recipient's zone, an ICS attached."""

from datetime import datetime
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from marketplace.models import User
from marketplace.timezones import get_zone
from sessions_app import calendar
from sessions_app.models import Booking, OutboundMessage

SUBJECTS = {
    OutboundMessage.Kind.CONFIRMATION: "Booked: {duration} min with {other}, {when}",
    OutboundMessage.Kind.RESCHEDULE: "Moved: your session with {other} is now {when}",
    OutboundMessage.Kind.CANCELLATION: "Cancelled: {duration} min with {other}, {when}",
}


def local_when(start: datetime, end: datetime, zone_name: str) -> str:
    """'Tuesday 10 March 2026, 10:00–10:30 (America/New_York, EDT)': a person's own wall-clock time."""
    zone = get_zone(zone_name)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    abbreviation = local_start.strftime("%Z")
    label = zone_name if abbreviation == zone_name else f"{zone_name}, {abbreviation}"
    day = f"{local_start:%A} {local_start.day} {local_start:%B %Y}"
    return f"{day}, {local_start:%H:%M}–{local_end:%H:%M} ({label})"


def short_when(start: datetime, zone_name: str) -> str:
    local = start.astimezone(get_zone(zone_name))
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M} ({zone_name})"


def compose(message: OutboundMessage) -> EmailMultiAlternatives:
    booking: Booking = message.booking
    recipient: User = message.recipient
    zone_name = calendar.user_zone_name(recipient)
    other = booking.mentee if recipient.pk == booking.mentor_id else booking.mentor
    context = {
        "booking": booking,
        "recipient": recipient,
        "other": other,
        "is_mentor": recipient.pk == booking.mentor_id,
        "when": local_when(booking.start, booking.end, zone_name),
        "zone_name": zone_name,
        "session_url": calendar.session_url(booking),
        "sessions_url": settings.SITE_URL + reverse("session-list"),
        "cancelled_by_other": booking.cancelled_by_id == other.pk,
    }
    template = f"sessions_app/email/{message.kind}"
    subject = SUBJECTS[message.kind].format(
        duration=booking.duration, other=other.name, when=short_when(booking.start, zone_name)
    )
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    email.attach(_ics_part(booking, recipient))
    return email


def send(message: OutboundMessage) -> None:
    compose(message).send(fail_silently=False)


def _ics_part(booking: Booking, recipient: User) -> MIMEBase:
    """The invite as text/calendar with its METHOD, which mail clients need to offer "add to calendar"."""
    ics = calendar.booking_ics(booking, recipient=recipient)
    method = calendar.METHOD_CANCEL if booking.status == Booking.Status.CANCELLED else calendar.METHOD_REQUEST
    part = MIMEBase("text", "calendar", method=method, charset="utf-8", name="invite.ics")
    part.set_payload(ics.decode("utf-8"), charset="utf-8")
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part
