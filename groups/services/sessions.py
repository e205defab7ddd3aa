"""Hosting group sessions: publish (once, or weekly office hours), change and cancel, one session or this
one and all later ones of its series. The seats' side is groups.services.seats."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from groups import messages, selectors
from groups.models import (
    CAPACITY,
    DESCRIPTION_MAX_LENGTH,
    DURATIONS,
    LONGEST_AHEAD,
    MAX_SKILLS,
    REPEAT_WEEKS,
    TITLE_MAX_LENGTH,
    GroupSeries,
    GroupSession,
    Seat,
)
from groups.recurrence import weekly_starts
from groups.services.seats import fill_seats, host_place, lock_people, lock_sessions, require_open
from marketplace import time_changes
from marketplace.api_fields import iso_utc
from marketplace.errors import Conflict, InvalidInput
from marketplace.instants import NAIVE, InstantError, check_instant
from marketplace.models import MEETING_URL_MAX_LENGTH, Skill, User
from marketplace.text import SINGLE_LINE_MESSAGE, refuse_control_characters
from marketplace.timezones import get_zone, resolve_local_end
from marketplace.validators import instant_message
from sessions_app.models import OutboundMessage
from sessions_app.services.bookings import meeting_url_from_template

THIS = "this"
LATER = "later"  # this session and every later one of its series
SCOPES = (THIS, LATER)


@dataclass(frozen=True)
class Changes:
    """What a host changes; None leaves a value as it is."""

    title: str | None = None
    description: str | None = None
    skills: Sequence[Skill] | None = None
    start: datetime | None = None
    duration: int | None = None
    capacity: int | None = None
    meeting_url: str | None = None


def host_zone(host: User) -> str:
    """The zone whose wall clock weekly office hours keep: the host's own."""
    try:
        get_zone(host.timezone)
    except ValueError:
        return "UTC"
    return host.timezone


@transaction.atomic
def create_group_session(
    *,
    host: User,
    title: str,
    description: str = "",
    skills: Sequence[Skill] = (),
    start: datetime,
    duration: int,
    capacity: int,
    repeat_weeks: int = 0,
    meeting_url: str = "",
    now: datetime | None = None,
) -> GroupSession:
    """Publishes a session, or with `repeat_weeks` weekly office hours: that many more sessions on the same
    local weekday and time in the host's zone (DST-correct). All of them or none: a time the host is already
    busy (a 1:1 session, another group session) is a 409 time_conflict naming it. Returns the first."""
    now = now or timezone.now()
    if not host.is_mentor or not host.is_active:
        raise PermissionDenied(gettext("Only mentors host group sessions."))
    title, description = _clean_title(title), _clean_description(description)
    _check_duration(duration)
    _check_capacity(capacity)
    _check_skills(skills)
    if repeat_weeks not in REPEAT_WEEKS:
        raise InvalidInput(
            "repeat_weeks",
            gettext("Repeat for %(low)s to %(high)s weeks.")
            % {"low": REPEAT_WEEKS.low, "high": REPEAT_WEEKS.high},
        )
    start = _future_start(start, now)
    starts = weekly_starts(start, host_zone(host), repeat_weeks)
    if starts[-1] > now + LONGEST_AHEAD:
        raise InvalidInput("start", gettext("Publish sessions at most a year ahead."))
    meeting_url = _clean_meeting_url(meeting_url) or _default_meeting_url(host)

    lock_people(host.pk)
    length = timedelta(minutes=duration)
    _require_host_free(host, [(first, first + length) for first in starts], leave_out=(), field="start")
    series = GroupSeries.objects.create(host=host, created_at=now) if repeat_weeks else None
    sessions = GroupSession.objects.bulk_create(
        GroupSession(
            host=host,
            series=series,
            title=title,
            description=description,
            start=first,
            end=first + length,
            duration=duration,
            capacity=capacity,
            meeting_url=meeting_url,
            created_at=now,
        )
        for first in starts
    )
    through = GroupSession.skills.through
    through.objects.bulk_create(
        through(groupsession_id=session.pk, skill_id=skill.pk) for session in sessions for skill in skills
    )
    places = Seat.objects.bulk_create(
        Seat(session=session, person=host, status=Seat.Status.HOST, joined_at=now) for session in sessions
    )
    OutboundMessage.objects.bulk_create(
        row
        for session, place in zip(sessions, places, strict=True)
        for row in messages.scheduled_messages(session, [place], now=now)
    )
    return sessions[0]


@transaction.atomic
def update_group_session(
    *, session: GroupSession, by: User, changes: Changes, scope: str = THIS, now: datetime | None = None
) -> GroupSession:
    """Changes a session, or this one and all later ones of its series (`scope` "later"). A new start moves
    each later session by the same shift of the host's wall clock. Raising the capacity seats people from the
    waiting list at once; it cannot go below the seats taken. Seated people get an updated invite when the
    time, the title or the meeting link changes. Returns the session as it now is."""
    now = now or timezone.now()
    if scope not in SCOPES:
        raise InvalidInput("scope", gettext('Say "this" or "later".'))
    _require_host(session, by)
    targets = _lock_targets(session, scope, now)
    edited = next(target for target in targets if target.pk == session.pk)
    changes = _cleaned(changes)

    zone = get_zone(host_zone(edited.host))
    shift = None
    if changes.start is not None:
        new_start = _future_start(changes.start, now)
        shift = _wall(new_start, zone) - _wall(edited.start, zone)
    duration = changes.duration
    moves: dict[int, tuple[datetime, datetime]] = {}
    for target in targets:
        start = target.start
        if shift is not None:
            start = (
                new_start
                if target.pk == edited.pk
                else resolve_local_end(_wall(target.start, zone) + shift, zone)
            )
        end = start + timedelta(minutes=duration or target.duration)
        if (start, end) != (target.start, target.end):
            if start <= now:
                raise InvalidInput(
                    "start", gettext("That time has already passed: pick a time in the future.")
                )
            moves[target.pk] = (start, end)
    if moves:
        lock_people(edited.host_id)
        _require_host_free(
            edited.host,
            list(moves.values()),
            leave_out=[selectors.commitment_key(target.pk) for target in targets],
            field="start" if changes.start is not None else "duration",
        )

    for target in targets:
        _apply(target, changes, moves.get(target.pk), now=now)
    if moves:
        time_changes.mentor_time_may_have_changed(edited.host_id)  # the old times are free again
    return edited


def _apply(
    session: GroupSession, changes: Changes, move: tuple[datetime, datetime] | None, *, now: datetime
) -> None:
    invite_changed = move is not None
    for name in ("title", "meeting_url"):
        value = getattr(changes, name)
        if value is not None and value != getattr(session, name):
            setattr(session, name, value)
            invite_changed = True
    if changes.description is not None:
        session.description = changes.description
    if move is not None:
        session.start, session.end = move
        session.duration = int((session.end - session.start).total_seconds() // 60)
    if changes.capacity is not None and changes.capacity != session.capacity:
        _change_capacity(session, changes.capacity)
    if invite_changed:
        session.sequence += 1
    session.save()
    if changes.skills is not None:
        session.skills.set(changes.skills)
    if invite_changed:
        seated = list(Seat.objects.filter(session=session, status=Seat.Status.SEATED))
        messages.cancel_pending(seat_ids=[seat.pk for seat in seated], kinds=[messages.CHANGED])
        messages.queue_for_seats(session, seated, kind=messages.CHANGED, now=now)
        # The reminders and the prompt of the new time (and title) replace the old ones.
        messages.schedule_for_seats(session, [host_place(session), *seated], now=now)
    if session.seats_taken < session.capacity:
        fill_seats(session, now=now)
        GroupSession.objects.filter(pk=session.pk).update(
            seats_taken=session.seats_taken, waitlist_length=session.waitlist_length
        )


def _change_capacity(session: GroupSession, capacity: int) -> None:
    """A new capacity, never below the seats taken. Seat numbers above a lower capacity move down into free
    ones first, since the database refuses a seat number above its session's capacity."""
    if capacity < session.seats_taken:
        raise InvalidInput(
            "capacity",
            ngettext(
                "%(count)s person already has a seat: the capacity cannot go below that.",
                "%(count)s people already have a seat: the capacity cannot go below that.",
                session.seats_taken,
            )
            % {"count": session.seats_taken},
        )
    seated = Seat.objects.filter(session=session, status=Seat.Status.SEATED)
    if capacity < session.capacity:
        taken = set(seated.values_list("seat_number", flat=True))
        free = iter(number for number in range(1, capacity + 1) if number not in taken)
        for seat_id in (
            seated.filter(seat_number__gt=capacity).order_by("seat_number").values_list("pk", flat=True)
        ):
            Seat.objects.filter(pk=seat_id).update(seat_number=next(free))
    # On PostgreSQL the seats' copy follows by itself (ON UPDATE CASCADE); this keeps SQLite the same.
    GroupSession.objects.filter(pk=session.pk).update(capacity=capacity)
    seated.update(session_capacity=capacity)
    session.capacity = capacity


@transaction.atomic
def cancel_group_session(
    *, session: GroupSession, by: User, scope: str = THIS, now: datetime | None = None
) -> list[GroupSession]:
    """Cancels a session, or this one and all later ones of its series: everyone seated or waiting is told,
    with an ICS that removes it from their calendar (METHOD:CANCEL). Returns the sessions cancelled."""
    now = now or timezone.now()
    if scope not in SCOPES:
        raise InvalidInput("scope", gettext('Say "this" or "later".'))
    _require_host(session, by)
    targets = _lock_targets(session, scope, now)
    for target in targets:
        target.status = GroupSession.Status.CANCELLED
        target.cancelled_at = now
        target.sequence += 1
        target.save()
        live = list(Seat.objects.filter(session=target, status__in=selectors.LIVE))
        places = Seat.objects.filter(session=target, status=Seat.Status.HOST).values_list("pk", flat=True)
        messages.cancel_pending(seat_ids=[*(seat.pk for seat in live), *places])
        messages.queue_for_seats(target, live, kind=messages.CANCELLED, now=now)
    time_changes.mentor_time_may_have_changed(session.host_id)  # the host's time is free again
    return targets


def complete_finished_group_sessions(now: datetime) -> int:
    """Scheduled group sessions whose end has passed become completed, as 1:1 sessions do (the outbox sweep
    runs this before each claim: registered in GroupsConfig.ready); returns how many."""
    return GroupSession.objects.filter(status=GroupSession.Status.SCHEDULED, end__lte=now).update(
        status=GroupSession.Status.COMPLETED, updated_at=now
    )


def _require_host(session: GroupSession, by: User) -> None:
    if by.pk != session.host_id:
        raise PermissionDenied(gettext("Only the host can change this group session."))


def _lock_targets(session: GroupSession, scope: str, now: datetime) -> list[GroupSession]:
    """The session (which must still be open), and with "later" the later scheduled ones of its series,
    locked lower id first."""
    ids = [session.pk]
    if scope == LATER and session.series_id is not None:
        ids += list(
            GroupSession.objects.filter(
                series_id=session.series_id,
                start__gt=session.start,
                status=GroupSession.Status.SCHEDULED,
            ).values_list("pk", flat=True)
        )
    targets = lock_sessions(ids)
    edited = next((target for target in targets if target.pk == session.pk), None)
    if edited is None:
        raise GroupSession.DoesNotExist
    require_open(edited, now)
    return [target for target in targets if target.status == GroupSession.Status.SCHEDULED]


def _require_host_free(host: User, spans: list[tuple[datetime, datetime]], *, leave_out, field: str) -> None:
    """409 time_conflict naming `field` (the input that made the time) when the host is busy in a span."""
    if not spans:
        return
    first, last = min(start for start, _ in spans), max(end for _, end in spans)
    busy = selectors.overlapping_commitments(host.pk, first, last, leave_out=leave_out)
    for start, end in sorted(spans):
        if any(item.start < end and item.end > start for item in busy):
            raise Conflict(
                "time_conflict",
                gettext("You already have a session at %(start)s.") % {"start": iso_utc(start)},
                field=field,
            )


def _wall(instant: datetime, zone) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _cleaned(changes: Changes) -> Changes:
    """The changes checked as a new session's values are (a 400 naming the field), text trimmed."""
    if changes.duration is not None:
        _check_duration(changes.duration)
    if changes.capacity is not None:
        _check_capacity(changes.capacity)
    if changes.skills is not None:
        _check_skills(changes.skills)
    return replace(
        changes,
        title=None if changes.title is None else _clean_title(changes.title),
        description=None if changes.description is None else _clean_description(changes.description),
        meeting_url=None
        if changes.meeting_url is None
        else (_clean_meeting_url(changes.meeting_url) or None),
    )


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidInput("title", gettext("Give the session a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidInput(
            "title", gettext("Keep the title under %(count)s characters.") % {"count": TITLE_MAX_LENGTH}
        )
    try:
        refuse_control_characters(title)
    except ValidationError:
        raise InvalidInput("title", gettext(SINGLE_LINE_MESSAGE)) from None
    return title


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidInput(
            "description",
            gettext("Keep the description under %(count)s characters.") % {"count": DESCRIPTION_MAX_LENGTH},
        )
    return description


def _check_duration(duration: Any) -> None:
    if duration not in DURATIONS or isinstance(duration, bool):
        raise InvalidInput(
            "duration",
            gettext("A group session lasts %(low)s to %(high)s minutes, in steps of 10.")
            % {"low": DURATIONS[0], "high": DURATIONS[-1]},
        )


def _check_capacity(capacity: Any) -> None:
    if capacity not in CAPACITY:
        raise InvalidInput(
            "capacity",
            gettext("Offer %(low)s to %(high)s seats.") % {"low": CAPACITY.low, "high": CAPACITY.high},
        )


def _check_skills(skills: Sequence[Skill]) -> None:
    if len(skills) > MAX_SKILLS:
        raise InvalidInput("skills", gettext("Pick at most %(count)s skills.") % {"count": MAX_SKILLS})


def _clean_meeting_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > MEETING_URL_MAX_LENGTH:
        raise InvalidInput(
            "meeting_url",
            gettext("Keep the link under %(count)s characters.") % {"count": MEETING_URL_MAX_LENGTH},
        )
    return url


def _default_meeting_url(host: User) -> str:
    profile = getattr(host, "mentor_profile", None)
    return (profile.meeting_url if profile is not None else "") or meeting_url_from_template()


def _future_start(start: datetime, now: datetime) -> datetime:
    if start.tzinfo is None or start.utcoffset() is None:
        raise InvalidInput("start", instant_message(InstantError("naive", NAIVE)))
    try:
        start = check_instant(start)
    except InstantError as error:
        raise InvalidInput("start", instant_message(error)) from None
    if start <= now:
        raise InvalidInput("start", gettext("That time has already passed: pick a time in the future."))
    return start
