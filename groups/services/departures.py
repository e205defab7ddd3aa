"""A person who leaves the company gives up their places in upcoming group sessions (marketplace's hook)."""

from datetime import datetime

from groups.models import GroupSession, Seat
from groups.selectors import LIVE
from groups.services.seats import leave_session
from groups.services.sessions import cancel_group_session
from marketplace.models import User


def give_up_group_sessions(person: User, now: datetime) -> None:
    """Their seats and waiting places in sessions not yet started are given up (a freed seat goes to the
    first person waiting, as when anyone leaves); the sessions they host are cancelled, everyone told."""
    upcoming = {"status": GroupSession.Status.SCHEDULED, "start__gt": now}
    hosted = GroupSession.objects.filter(host=person, **upcoming).order_by("start", "pk")
    for session in hosted:
        cancel_group_session(session=session, by=person, now=now)
    joined = GroupSession.objects.filter(
        pk__in=Seat.objects.filter(person=person, status__in=LIVE).values("session_id"), **upcoming
    ).order_by("pk")
    for session in joined:
        leave_session(session=session, person=person, now=now)
