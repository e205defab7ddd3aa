"""The messages a seat gets, through sessions_app's outbox: seated (directly or from the waiting list, with
the invite), the session changed (an updated invite), the session cancelled (METHOD:CANCEL).

Rows are written in the transaction that makes them necessary and sent once it commits; sessions_app's
sweep sends them and asks `build` (registered in GroupsConfig.ready) what they say, in the recipient's
language and time zone.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from groups.models import GroupSession, Seat
from sessions_app import calendar, notifications
from sessions_app.models import OutboundMessage
from sessions_app.outbox import start_delivery

SEATED = OutboundMessage.Kind.GROUP_SEATED
CHANGED = OutboundMessage.Kind.GROUP_CHANGED
CANCELLED = OutboundMessage.Kind.GROUP_CANCELLED
KINDS = (SEATED, CHANGED, CANCELLED)


def queue_for_seats(session: GroupSession, seats: Iterable[Seat], *, kind: str, now: datetime) -> None:
    """One outbox row per seat, in the caller's transaction; delivery starts once it commits."""
    rows = [
        OutboundMessage(
            group_seat_id=seat.pk,
            kind=kind,
            recipient_id=seat.person_id,
            sequence=session.sequence,
            due_at=now,
            created_at=now,
        )
        for seat in seats
    ]
    if rows:
        OutboundMessage.objects.bulk_create(rows)
        transaction.on_commit(start_delivery, robust=True)


def cancel_pending(*, seat_ids: Iterable[int], kinds: Iterable[str] = KINDS) -> None:
    """What these seats were still to be told is not to go out any more (the seat was given up, the session
    moved again or was cancelled)."""
    OutboundMessage.objects.filter(
        group_seat_id__in=list(seat_ids), kind__in=list(kinds), status=OutboundMessage.Status.PENDING
    ).update(status=OutboundMessage.Status.CANCELLED)


def session_url(session: GroupSession) -> str:
    return settings.SITE_URL + reverse("group-session-detail", args=[session.pk])


def calendar_event(session: GroupSession, recipient) -> calendar.CalendarEvent:
    """The session as an event in `recipient`'s calendar (texts in the active language)."""
    link = session_url(session)
    values = {"title": session.title, "meeting_url": session.meeting_url, "link": link}
    description = gettext("%(title)s\n\nJoin: %(meeting_url)s\nSession page: %(link)s") % values
    if session.description:
        description = f"{description}\n\n{session.description}"
    attendees = (session.host,) if recipient.pk == session.host_id else (session.host, recipient)
    return calendar.CalendarEvent(
        uid=session.ical_uid,
        sequence=session.sequence,
        start=session.start,
        end=session.end,
        created=session.created_at,
        modified=session.updated_at,
        summary=gettext("Sidebar: %(title)s with %(host)s")
        % {"title": session.title, "host": session.host.name},
        description=description,
        location=session.meeting_url,
        url=link,
        cancelled=session.status == GroupSession.Status.CANCELLED,
        attendees=attendees,
    )


def _about(seat_id: int | None) -> int:
    if seat_id is None:
        raise ValueError("a group session message without its seat")
    return seat_id


def build(message: OutboundMessage) -> notifications.BuiltElsewhere:
    """What a seat's outbox row says, read afresh (the session may have changed since the row was queued)."""
    seat = Seat.objects.select_related("session__host").get(pk=_about(message.group_seat_id))
    session, recipient = seat.session, message.recipient
    zone_name = calendar.user_zone_name(recipient)
    short = notifications.short_when(session.start, zone_name)
    names = {"title": session.title, "when": short}
    if message.kind == SEATED and seat.from_waitlist:
        subject = gettext("A seat came free for you: %(title)s, %(when)s") % names
    elif message.kind == SEATED:
        subject = gettext("You have a seat: %(title)s, %(when)s") % names
    elif message.kind == CHANGED:
        subject = gettext("Changed: %(title)s is now %(when)s") % names
    else:
        subject = gettext("Cancelled: %(title)s, %(when)s") % names
    cancelled = message.kind == CANCELLED or session.status == GroupSession.Status.CANCELLED
    ics = calendar.event_ics(
        calendar_event(session, recipient), recipient=recipient, method=calendar.METHOD_REQUEST
    )
    return notifications.BuiltElsewhere(
        subject=subject,
        template=f"groups/email/{message.kind}",
        context={
            "session": session,
            "seat": seat,
            "host": session.host,
            "when": notifications.local_when(session.start, session.end, zone_name),
            "zone_name": zone_name,
            "session_url": session_url(session),
            "list_url": settings.SITE_URL + reverse("group-session-list"),
        },
        page_url=session_url(session),
        page_title=gettext("Open the group session"),
        join_url="" if cancelled else session.meeting_url,
        invite=ics,
        invite_method=calendar.METHOD_CANCEL if cancelled else calendar.METHOD_REQUEST,
    )


def register() -> None:
    notifications.register_message_builder(KINDS, build)
