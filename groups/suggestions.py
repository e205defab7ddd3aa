"""Upcoming group sessions on a request's skills, for a request nobody can meet in time (matching's hook)."""

from collections.abc import Collection
from datetime import datetime

from django.db.models import Exists, OuterRef

from groups.models import GroupSession, Seat
from groups.selectors import LIVE
from marketplace.models import Skill
from matching.group_sessions import GroupSessionSuggestion


def group_sessions_on_skills(
    skill_ids: Collection[int], asker_id: int, ends_by: datetime, now: datetime, limit: int
) -> list[GroupSessionSuggestion]:
    """Scheduled sessions on any of the skills that start after `now` and end by `ends_by`, soonest first,
    never the asker's own: two queries (the sessions with their hosts, then the asker's places in them)."""
    if not skill_ids:
        return []
    sessions = list(
        GroupSession.objects.filter(
            Exists(
                Skill.group_sessions.through.objects.filter(
                    groupsession_id=OuterRef("pk"), skill_id__in=list(skill_ids)
                )
            ),
            status=GroupSession.Status.SCHEDULED,
            start__gt=now,
            end__lte=ends_by,
        )
        .exclude(host_id=asker_id)
        .select_related("host")
        .order_by("start", "id")[:limit]
    )
    places = dict(
        Seat.objects.filter(
            session_id__in=[session.pk for session in sessions], person_id=asker_id, status__in=LIVE
        ).values_list("session_id", "status")
    )
    return [
        GroupSessionSuggestion(
            id=session.pk,
            title=session.title,
            host_id=session.host_id,
            host_name=session.host.name,
            start=session.start,
            end=session.end,
            seats_left=session.seats_left,
            waitlist_length=session.waitlist_length,
            my_status=places.get(session.pk),
        )
        for session in sessions
    ]
