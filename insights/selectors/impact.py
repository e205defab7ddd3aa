"""A mentor's own impact (/me/impact/): their record, all time, shown to them alone."""

from datetime import datetime

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from groups.models import GroupSession, Seat
from insights.selectors.figures import rate
from sessions_app.models import Booking, Feedback, FollowUp

HELD = Booking.Status.COMPLETED
FOLLOW_UP_LABELS: dict[str, str] = {
    FollowUp.Outcome.YES: _("Unblocked"),
    FollowUp.Outcome.PARTLY: _("Partly unblocked"),
    FollowUp.Outcome.NO: _("Not unblocked"),
}


def mentor_impact(mentor_id: int, *, now: datetime, comments: int = 30) -> dict:
    """A mentor's own record, all time: sessions given, people helped, ratings, one-week follow-up outcomes,
    what mentees wrote (comments, and what changed for them a week later), and the group sessions hosted
    (held: scheduled and over) with the people seated in them.

    Only ever about the mentor asking: the comments are what mentees wrote about the mentor's own sessions,
    shown to that mentor (never to HR).
    """
    completed = Q(status=HELD)
    given = Booking.objects.filter(mentor_id=mentor_id).aggregate(
        sessions=Count("pk", filter=completed),
        people=Count("mentee_id", filter=completed, distinct=True),
        minutes=Sum("duration", filter=completed),
        upcoming=Count("pk", filter=Q(status=Booking.Status.CONFIRMED, start__gte=now)),
    )
    feedback = Feedback.objects.filter(booking__mentor_id=mentor_id, role=Feedback.Role.MENTEE)
    ratings = feedback.aggregate(
        rated=Count("pk"), rating_sum=Sum("rating"), helpful=Count("pk", filter=Q(helpful=True))
    )
    recent = (
        feedback.exclude(comment="")
        .order_by("-created_at", "-pk")
        .values("comment", "rating", "helpful", "created_at", "booking__topic", "booking__start")[:comments]
    )
    follow_ups = FollowUp.objects.filter(booking__mentor_id=mentor_id, booking__status=HELD)
    outcomes = follow_ups.aggregate(
        answered=Count("pk"),
        **{outcome: Count("pk", filter=Q(outcome=outcome)) for outcome in FollowUp.Outcome.values},
    )
    changes = (
        follow_ups.exclude(note="")
        .order_by("-created_at", "-pk")
        .values("note", "outcome", "created_at", "booking__topic", "booking__start")[:comments]
    )
    hosted = GroupSession.objects.filter(
        host_id=mentor_id, status__in=[GroupSession.Status.SCHEDULED, GroupSession.Status.COMPLETED]
    )
    held = Q(end__lte=now)
    groups = hosted.aggregate(
        sessions=Count("pk", filter=held),
        minutes=Sum("duration", filter=held),
        upcoming=Count("pk", filter=Q(start__gte=now)),
    )
    group_people = (
        Seat.objects.filter(session__in=hosted.filter(held).values("pk"), status=Seat.Status.SEATED)
        .values("person_id")
        .distinct()
        .count()
    )
    return {
        "group_sessions_hosted": groups["sessions"],
        "group_minutes": groups["minutes"] or 0,
        "group_people_helped": group_people,
        "group_upcoming": groups["upcoming"],
        "sessions_given": given["sessions"],
        "people_helped": given["people"],
        "minutes_given": given["minutes"] or 0,
        "upcoming": given["upcoming"],
        "ratings": ratings["rated"],
        "avg_rating": ratings["rating_sum"] / ratings["rated"] if ratings["rated"] else None,
        "helpful_rate": rate(ratings["helpful"], ratings["rated"]),
        "follow_ups": outcomes["answered"],
        "unblocked_rate": rate(outcomes[FollowUp.Outcome.YES], outcomes["answered"]),
        "follow_up_outcomes": [
            {
                "outcome": outcome,
                "label": gettext(label),
                "count": outcomes[outcome],
                "share": rate(outcomes[outcome], outcomes["answered"]),
            }
            for outcome, label in FOLLOW_UP_LABELS.items()
        ],
        "changes": [
            {
                "note": row["note"],
                "outcome": row["outcome"],
                "outcome_label": gettext(FOLLOW_UP_LABELS[row["outcome"]]),
                "written_at": row["created_at"],
                "topic": row["booking__topic"],
                "session_start": row["booking__start"],
            }
            for row in changes
        ],
        "comments": [
            {
                "comment": row["comment"],
                "rating": row["rating"],
                "helpful": row["helpful"],
                "written_at": row["created_at"],
                "topic": row["booking__topic"],
                "session_start": row["booking__start"],
            }
            for row in recent
        ],
    }
