"""Every write to requests: create (and match), re-match, expire, and mark booked.

Matching reads a lot (the slot engine's inputs) and writes one row, so the reads run before the transaction
and the write checks the row is still open: no lock is held while the slot engine runs, and a booking that
lands meanwhile is never overwritten by a late re-match.
"""

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Case, F, IntegerField, Prefetch, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketplace.errors import InvalidInput
from marketplace.i18n import language_of
from marketplace.models import Skill, User, UserSkill
from marketplace.timezones import get_zone
from matching import candidates, notifications, promise
from matching.models import (
    CONTEXT_MAX_LENGTH,
    MAX_AHEAD,
    MAX_SKILLS,
    REQUEST_DURATIONS,
    TOPIC_MAX_LENGTH,
    MentorRequest,
)
from matching.ranking import AskedSkill, Need

logger = logging.getLogger(__name__)

DEFAULT_WORKING_DAYS_AHEAD = 3
DEFAULT_DEADLINE_TIME = time(17, 0)
# An open request whose shortlist is older than this is re-matched when its page or API object is opened.
REFRESH_AFTER = timedelta(minutes=2)
# The periodic re-match leaves alone what was matched this recently, and does at most this many per run.
REMATCH_MIN_AGE = timedelta(minutes=5)
REMATCH_BATCH = 500


def default_needed_by(*, now: datetime, zone_name: str) -> datetime:
    """Three working days ahead (Monday to Friday) at 17:00 in the asker's zone."""
    zone = get_zone(zone_name)
    day: date = now.astimezone(zone).date()
    left = DEFAULT_WORKING_DAYS_AHEAD
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return datetime.combine(day, DEFAULT_DEADLINE_TIME, tzinfo=zone)


def create_request(
    *,
    asker: User,
    topic: str,
    skills: Sequence[Skill],
    needed_by: datetime | None,
    duration: int,
    context: str = "",
    prefer_other_department: bool = False,
    prefer_same_timezone: bool = False,
    sessions_only: bool = False,
    now: datetime | None = None,
) -> MentorRequest:
    """Stores a request with its first shortlist (reads first, then one transaction for the two inserts)."""
    now = now or timezone.now()
    topic = " ".join((topic or "").split())
    context = (context or "").strip()
    if needed_by is None:
        needed_by = default_needed_by(now=now, zone_name=asker.timezone)
    _validate(topic=topic, context=context, skills=skills, needed_by=needed_by, duration=duration, now=now)
    needed_by = needed_by.astimezone(UTC)
    skills = list(dict.fromkeys(skills))
    need = Need(
        asker_id=asker.pk,
        skills=tuple(AskedSkill(skill.pk, skill.name) for skill in skills),
        needed_by=needed_by,
        duration_minutes=duration,
        asker_timezone=asker.timezone,
        asker_department_id=asker.department_id,
        prefer_other_department=prefer_other_department,
        prefer_same_timezone=prefer_same_timezone,
    )
    with translation.override(language_of(asker)):  # the reasons are written for the asker
        found = candidates.find_matches(need, now=now)
    matches = found.matches
    with transaction.atomic():
        request = MentorRequest.objects.create(
            asker=asker,
            topic=topic,
            context=context,
            needed_by=needed_by,
            duration=duration,
            prefer_other_department=prefer_other_department,
            prefer_same_timezone=prefer_same_timezone,
            created_at=now,
            help_due_at=promise.current().due_at(now),
            sessions_only=sessions_only,
            last_matched_at=now,
            first_matched_at=now if matches else None,
            match_count=len(matches),
            shortlist=shortlist_snapshot(found),
        )
        MentorRequest.skills.through.objects.bulk_create(
            MentorRequest.skills.through(mentorrequest_id=request.pk, skill_id=skill.pk) for skill in skills
        )
    return request


def _validate(
    *, topic: str, context: str, skills: Sequence[Skill], needed_by: datetime, duration: int, now: datetime
) -> None:
    if not topic:
        raise InvalidInput("topic", _("Say in a few words what you need help with."))
    if len(topic) > TOPIC_MAX_LENGTH:
        raise InvalidInput(
            "topic", _("Keep the topic under %(count)s characters.") % {"count": TOPIC_MAX_LENGTH}
        )
    if len(context) > CONTEXT_MAX_LENGTH:
        raise InvalidInput(
            "context", _("Keep the context under %(count)s characters.") % {"count": CONTEXT_MAX_LENGTH}
        )
    if not skills:
        raise InvalidInput("skills", _("Pick at least one skill."))
    if len(set(skills)) > MAX_SKILLS:
        raise InvalidInput(
            "skills",
            _("Pick at most %(count)s skills: fewer skills find more people.") % {"count": MAX_SKILLS},
        )
    if duration not in REQUEST_DURATIONS:
        raise InvalidInput("duration", _("Sessions last 20 or 30 minutes."))
    if needed_by.tzinfo is None or needed_by.utcoffset() is None:
        raise InvalidInput("needed_by", _("Give the deadline with its time zone offset."))
    if needed_by <= now:
        raise InvalidInput("needed_by", _("The deadline has already passed: pick a time in the future."))
    if needed_by > now + MAX_AHEAD:
        raise InvalidInput(
            "needed_by", _("Pick a deadline within the next %(days)s days.") % {"days": MAX_AHEAD.days}
        )


def shortlist_snapshot(found: candidates.Shortlist) -> list[dict]:
    """The shortlist as stored on the request (JSON), so the page later shows exactly what was offered."""
    entries = []
    for match in found.matches:
        rating, first = found.ratings.get(match.mentor_id), found.slots.get(match.mentor_id)
        entry = {
            "mentor_id": match.mentor_id,
            "rank": match.rank,
            "score": match.score,
            "reasons": list(match.reasons),
            "slot_start": _iso(match.slot.start),
            "slot_end": _iso(match.slot.end),
            "in_working_hours": first.in_working_hours if first else True,
            "rating": rating.average if rating else None,
            "rating_count": rating.count if rating else 0,
        }
        if first and first.earlier:
            entry["earlier_start"], entry["earlier_end"] = _iso(first.earlier.start), _iso(first.earlier.end)
        entries.append(entry)
    return entries


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- Re-matching ---


def rematch_request(
    *, request: MentorRequest, now: datetime | None = None, notify: bool = True
) -> notifications.MatchFound | None:
    """Ranks an open request again and stores the new shortlist (request.asker and skills loaded).

    Returns the event when the request had nobody and now has someone; with `notify` the registered notifiers
    hear of it in the same transaction. A request booked or expired meanwhile is left as it is.
    """
    now = now or timezone.now()
    with translation.override(language_of(request.asker)):
        found = candidates.find_matches(candidates.need_for(request), now=now)
    matches = found.matches
    fields = {"shortlist": shortlist_snapshot(found), "match_count": len(matches), "last_matched_at": now}
    event = None
    with transaction.atomic():
        still_open = MentorRequest.objects.filter(
            pk=request.pk, status=MentorRequest.Status.OPEN, needed_by__gt=now
        )
        # The conditional update decides "newly matched" once, even when two re-matches race.
        newly = bool(matches) and (
            still_open.filter(match_count=0).update(
                **fields, first_matched_at=Coalesce(F("first_matched_at"), Value(now))
            )
            == 1
        )
        if not newly and not still_open.update(**fields):
            return None
        if newly:
            event = notifications.MatchFound(
                request_id=request.pk,
                asker_id=request.asker_id,
                topic=request.topic,
                needed_by=request.needed_by,
                match_count=len(matches),
                first_mentor_id=matches[0].mentor_id,
                first_slot_start=matches[0].slot.start,
            )
            if notify:
                notifications.notify_match_found(event)
    for name, value in fields.items():
        setattr(request, name, value)
    if newly:
        request.first_matched_at = request.first_matched_at or now
    return event


def _requests_to_rematch():
    # Someone deactivated keeps their requests for HR's figures, but nobody looks for a mentor for them.
    return (
        MentorRequest.objects.filter(asker__is_active=True)
        .select_related("asker")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("name")))
    )


def rematch_open_requests(
    *, now: datetime | None = None, limit: int = REMATCH_BATCH
) -> list[notifications.MatchFound]:
    """The periodic re-match: open requests, those with nobody on their shortlist first, then the stalest.

    Availability changes all the time (cancellations, new weekly blocks, mentors back from a pause); this
    catches them all without marketplace having to know about requests.
    """
    now = now or timezone.now()
    due = (
        _requests_to_rematch()
        .filter(status=MentorRequest.Status.OPEN, needed_by__gt=now)
        .exclude(last_matched_at__gt=now - REMATCH_MIN_AGE)
        .order_by(
            Case(When(match_count=0, then=Value(0)), default=Value(1), output_field=IntegerField()),
            F("last_matched_at").asc(nulls_first=True),
            "id",
        )[:limit]
    )
    return _rematch_each(due, now=now)


def _rematch_each(requests, *, now: datetime) -> list[notifications.MatchFound]:
    """Re-matches one request after another; one that fails is logged and does not stop the others."""
    events = []
    for request in requests:
        try:
            event = rematch_request(request=request, now=now)
        except Exception:
            logger.exception("Re-matching request %s failed", request.pk)
            continue
        if event is not None:
            events.append(event)
    return events


def rematch_requests_for_mentor(
    *, mentor_id: int, now: datetime | None = None, limit: int = REMATCH_BATCH
) -> list[notifications.MatchFound]:
    """Re-matches open requests that ask for a skill this mentor offers (after a cancellation, say)."""
    now = now or timezone.now()
    skill_ids = UserSkill.objects.filter(user_id=mentor_id).values("skill_id")
    due = (
        _requests_to_rematch()
        .filter(status=MentorRequest.Status.OPEN, needed_by__gt=now, skills__in=skill_ids)
        .exclude(asker_id=mentor_id)
        .distinct()
        .order_by("match_count", "needed_by", "id")[:limit]
    )
    return _rematch_each(due, now=now)


def refresh_request(*, request: MentorRequest, now: datetime | None = None) -> MentorRequest:
    """Opening a request: expire it when its deadline has passed, re-match it when its shortlist is stale.

    The asker is looking at the result, so nobody is notified.
    """
    now = now or timezone.now()
    if request.status != MentorRequest.Status.OPEN:
        return request
    if request.needed_by <= now:
        MentorRequest.objects.filter(pk=request.pk, status=MentorRequest.Status.OPEN).update(
            status=MentorRequest.Status.EXPIRED
        )
        request.status = MentorRequest.Status.EXPIRED
    elif request.last_matched_at is None or now - request.last_matched_at >= REFRESH_AFTER:
        rematch_request(request=request, now=now, notify=False)
    return request


def expire_requests(*, now: datetime | None = None) -> int:
    """Open requests whose deadline has passed become expired (their shortlist stays as offered)."""
    now = now or timezone.now()
    return MentorRequest.objects.filter(status=MentorRequest.Status.OPEN, needed_by__lte=now).update(
        status=MentorRequest.Status.EXPIRED
    )


def mark_request_booked(
    *,
    request_id: int,
    asker_id: int,
    booking_start: datetime,
    booked_at: datetime,
    mentor_id: int | None = None,
) -> bool:
    """Records that a booking answers this request; sessions_app calls it inside the booking's transaction.

    Idempotent: True when the request became booked now, False when it already was (the first booking's times
    stay). An expired request can still be booked (late help is help). Raises InvalidInput("request") when
    the request does not exist or is not the asker's, so that the booking is rolled back with a 400.
    """
    changed = MentorRequest.objects.filter(
        pk=request_id,
        asker_id=asker_id,
        status__in=[MentorRequest.Status.OPEN, MentorRequest.Status.EXPIRED],
    ).update(
        status=MentorRequest.Status.BOOKED,
        booked_at=booked_at,
        booked_session_start=booking_start,
        booked_mentor_id=mentor_id,
    )
    if changed:
        return True
    if not MentorRequest.objects.filter(pk=request_id, asker_id=asker_id).exists():
        raise InvalidInput("request", _("No such request of yours."))
    return False
