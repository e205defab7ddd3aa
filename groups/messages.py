"""The messages a seat gets, through sessions_app's outbox: seated (directly or from the waiting list, with
the invite), the session changed (an updated invite), the session cancelled (METHOD:CANCEL), and, as a 1:1
session's, reminders REMINDER_LEADS_MINUTES before the start (the host's place gets them too) and the
feedback prompt FEEDBACK_PROMPT_DELAY_MINUTES after the end (the seated only).

Rows are written in the transaction that makes them necessary and sent once it commits; sessions_app's
sweep sends them and asks `build` (registered in GroupsConfig.ready) what they say, in the recipient's
language and time zone.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from groups import selectors
from groups.models import GroupSession, Seat
from marketplace.models import User
from sessions_app import calendar, notifications
from sessions_app.models import FEEDBACK_RATINGS, OutboundMessage
from sessions_app.outbox import start_delivery

SEATED = OutboundMessage.Kind.GROUP_SEATED
CHANGED = OutboundMessage.Kind.GROUP_CHANGED
CANCELLED = OutboundMessage.Kind.GROUP_CANCELLED
REMINDER = OutboundMessage.Kind.REMINDER
FEEDBACK_PROMPT = OutboundMessage.Kind.FEEDBACK_PROMPT
SCHEDULED = (REMINDER, FEEDBACK_PROMPT)  # due at a time the session's own time sets
KINDS = (SEATED, CHANGED, CANCELLED, *SCHEDULED)
# Who each scheduled message is for: reminders for the host and the seated, the prompt for the seated.
_FOR: dict[str, tuple[str, ...]] = {
    REMINDER: (Seat.Status.HOST, Seat.Status.SEATED),
    FEEDBACK_PROMPT: (Seat.Status.SEATED,),
}


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


def scheduled_messages(
    session: GroupSession, seats: Iterable[Seat], *, now: datetime
) -> list[OutboundMessage]:
    """What the session sets up for later for these places, not yet saved, at its current sequence: the
    reminders whose lead is still ahead (a person seated an hour before gets only the last one), and for the
    seated the feedback prompt after the end."""
    leads = sorted(set(settings.REMINDER_LEADS_MINUTES), reverse=True)
    prompt_due = session.end + timedelta(minutes=settings.FEEDBACK_PROMPT_DELAY_MINUTES)
    planned: list[tuple[Seat, str, int, datetime]] = []
    for seat in seats:
        if seat.status in _FOR[REMINDER]:
            due_times = ((lead, session.start - timedelta(minutes=lead)) for lead in leads)
            planned += [(seat, REMINDER, lead, due) for lead, due in due_times if due > now]
        if seat.status in _FOR[FEEDBACK_PROMPT]:
            planned.append((seat, FEEDBACK_PROMPT, 0, prompt_due))
    return [
        OutboundMessage(
            group_seat_id=seat.pk,
            kind=kind,
            recipient_id=seat.person_id,
            lead_minutes=lead,
            sequence=session.sequence,
            due_at=due_at,
            created_at=now,
        )
        for seat, kind, lead, due_at in planned
    ]


def schedule_for_seats(session: GroupSession, seats: Iterable[Seat], *, now: datetime) -> None:
    """Replaces what these places had scheduled (an earlier time of the session) by the rows of its current
    time, in the caller's transaction."""
    seats = list(seats)
    cancel_pending(seat_ids=[seat.pk for seat in seats], kinds=SCHEDULED)
    OutboundMessage.objects.bulk_create(scheduled_messages(session, seats, now=now))


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


def feed_events(person: User, now: datetime) -> list[calendar.CalendarEvent]:
    """The person's group sessions for their calendar feed (registered with sessions_app.calendar)."""
    return [calendar_event(session, person) for session in selectors.calendar_feed_sessions(person, now=now)]


def _about(seat_id: int | None) -> int:
    if seat_id is None:
        raise ValueError("a group session message without its seat")
    return seat_id


def still_due(message: OutboundMessage, seat: Seat) -> bool:
    """Whether a row is still to go out, should it have been claimed before a change cancelled it: a seat's
    invite and its changes while it is seated; a scheduled row while its place is taken and the session
    neither cancelled nor changed since (a changed session has rows of its own, at its new sequence)."""
    if message.kind in (SEATED, CHANGED):
        return seat.status == Seat.Status.SEATED
    if message.kind not in SCHEDULED:
        return True
    session = seat.session
    return (
        seat.status in _FOR[message.kind]
        and session.status != GroupSession.Status.CANCELLED
        and message.sequence == session.sequence
    )


def feedback_url(session: GroupSession, rating: int | None = None) -> str:
    url = settings.SITE_URL + reverse("group-session-feedback", args=[session.pk])
    return url if rating is None else f"{url}?rating={rating}"


def build(message: OutboundMessage) -> notifications.BuiltElsewhere:
    """What a seat's outbox row says, read afresh (the session may have changed since the row was queued).
    Raises Withdrawn for a reminder or prompt the seat or session no longer wants (given up, moved,
    cancelled), should the row have been claimed before the change cancelled it."""
    seat = Seat.objects.select_related("session__host").get(pk=_about(message.group_seat_id))
    session, recipient = seat.session, message.recipient
    if not still_due(message, seat):
        raise notifications.Withdrawn
    zone_name = calendar.user_zone_name(recipient)
    short = notifications.short_when(session.start, zone_name)
    names = {"title": session.title, "when": short}
    if message.kind in SCHEDULED:
        return _build_scheduled(message, seat, zone_name, names)
    if message.kind == SEATED and seat.from_waitlist:
        subject = gettext("A seat came free for you: %(title)s, %(when)s") % names
    elif message.kind == SEATED:
        subject = gettext("You have a seat: %(title)s, %(when)s") % names
    elif message.kind == CHANGED:
        subject = gettext("Changed: %(title)s is now %(when)s") % names
    else:
        subject = gettext("Cancelled: %(title)s, %(when)s") % names
    cancelled = message.kind == CANCELLED or session.status == GroupSession.Status.CANCELLED
    # A move can land on another of the person's sessions: they keep the seat and are told, to choose.
    clash = message.kind == CHANGED and bool(
        selectors.overlapping_commitments(
            recipient.pk, session.start, session.end, leave_out=[selectors.commitment_key(session.pk)]
        )
    )
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
            "clash": clash,
        },
        page_url=session_url(session),
        page_title=gettext("Open the group session"),
        join_url="" if cancelled else session.meeting_url,
        invite=ics,
        invite_method=calendar.METHOD_CANCEL if cancelled else calendar.METHOD_REQUEST,
    )


def _build_scheduled(
    message: OutboundMessage, seat: Seat, zone_name: str, names: dict
) -> notifications.BuiltElsewhere:
    """A reminder (no invite: the seated one already has it) or the feedback prompt."""
    session = seat.session
    context = {
        "session": session,
        "seat": seat,
        "host": session.host,
        "is_host": seat.status == Seat.Status.HOST,
        "when": notifications.local_when(session.start, session.end, zone_name),
        "zone_name": zone_name,
        "session_url": session_url(session),
        "lead": notifications.lead_text(message.lead_minutes),
    }
    if message.kind == REMINDER:
        return notifications.BuiltElsewhere(
            subject=gettext("Reminder: %(title)s %(lead)s, %(when)s") % {**names, "lead": context["lead"]},
            template="groups/email/group_reminder",
            context=context,
            page_url=session_url(session),
            page_title=gettext("Open the group session"),
            join_url=session.meeting_url,
        )
    context["feedback_url"] = feedback_url(session)
    context["rating_urls"] = [(rating, feedback_url(session, rating)) for rating in FEEDBACK_RATINGS.values()]
    return notifications.BuiltElsewhere(
        subject=gettext("How was %(title)s?") % names,
        template="groups/email/group_feedback_prompt",
        context=context,
        page_url=feedback_url(session),
        page_title=gettext("Give your feedback"),
    )


def register() -> None:
    notifications.register_message_builder(KINDS, build)
