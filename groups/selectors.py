"""Reads of group sessions: the list and one session, a viewer's seat, who is coming, the host's attendee
list, the questions, and the busy-time provider the slot engine reads."""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.urls import reverse

from groups.models import GroupFeedback, GroupSession, Question, Seat, Vote
from marketplace import home, session_data
from marketplace.models import Skill, User
from marketplace.session_data import Commitment
from sessions_app.list_sections import ListSection
from sessions_app.selectors import ANSWER_WAITS_FOR, FEED_HISTORY

LIVE = (Seat.Status.SEATED, Seat.Status.WAITLISTED)
SEATED_NAMES_SHOWN = 12


# Every slot listing, browse page, match and booking asks this: plain SQL, one query, like sessions_app's own
# provider. Keys are the session's id negated, so that they can never be taken for a booking's (a reschedule
# leaves out its own booking by key).
# Held sessions (completed) stay busy time: the weekly cap counts this week's held minutes too.
_BUSY_SQL = (
    'SELECT g.id, g.host_id, g."start", g."end", TRUE FROM groups_groupsession g '
    "WHERE g.status IN ('scheduled', 'completed') AND g.\"start\" < %s AND g.\"end\" > %s "
    "AND g.host_id IN ({ids}) "
    "UNION ALL "
    'SELECT g.id, s.person_id, g."start", g."end", FALSE FROM groups_seat s '
    "JOIN groups_groupsession g ON g.id = s.session_id "
    "WHERE s.status = 'seated' AND g.status IN ('scheduled', 'completed') "
    'AND g."start" < %s AND g."end" > %s AND s.person_id IN ({ids})'
)


def commitment_key(session_id: int) -> int:
    """A group session's key among a person's commitments (bookings use their own positive ids)."""
    return -session_id


def busy_commitments(
    user_ids: Collection[int], start: datetime, end: datetime
) -> dict[int, list[Commitment]]:
    """Group sessions that take each person's time in [start, end): those they host (as mentor: they count
    toward the weekly cap, held ones of this week too) and those they have a seat in. One query."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    ids = list(wanted)
    marks = ", ".join(["%s"] * len(ids))
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _BUSY_SQL.format(ids=marks), [adapt(end), adapt(start), *ids, adapt(end), adapt(start), *ids]
        )
        rows = cursor.fetchall()
    found: dict[int, list[Commitment]] = defaultdict(list)
    for session_id, person_id, session_start, session_end, as_host in rows:
        found[person_id].append(
            Commitment(
                commitment_key(session_id),
                _aware(session_start),
                _aware(session_end),
                as_mentor=bool(as_host),
            )
        )
    return dict(found)


def minutes_hosted(mentor_id: int, start: datetime, end: datetime) -> int:
    """Minutes of the group sessions the mentor hosts starting in [start, end), held or still to come (the
    home page's week against the budget, which the slot engine counts them in): one query."""
    total = (
        GroupSession.objects.filter(host_id=mentor_id, start__gte=start, start__lt=end)
        .exclude(status=GroupSession.Status.CANCELLED)
        .aggregate(total=Sum("duration"))["total"]
    )
    return int(total or 0)


def _aware(value: datetime) -> datetime:
    """SQLite hands plain SQL naive UTC datetimes; PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def overlapping_commitments(
    person_id: int, start: datetime, end: datetime, *, leave_out: Collection[int] = ()
) -> list[Commitment]:
    """What already takes the person's time inside [start, end): confirmed (or held) sessions, seats, and
    group sessions they host, from every busy provider; `leave_out` are commitment keys to ignore."""
    return [
        item
        for item in session_data.commitments([person_id], start, end).get(person_id, [])
        if item.start < end and item.end > start and item.key not in leave_out
    ]


def _with_host_and_skills(queryset: QuerySet[GroupSession]) -> QuerySet[GroupSession]:
    return queryset.select_related("host").prefetch_related(
        Prefetch("skills", queryset=Skill.objects.order_by("name"))
    )


def group_sessions(
    *,
    now: datetime,
    skill: str | None = None,
    host_id: int | None = None,
    upcoming: bool = False,
) -> QuerySet[GroupSession]:
    """Group sessions by start, with host and skills (two queries for a page, whatever the size).

    `upcoming`: scheduled ones that have not ended yet (under way included)."""
    sessions = GroupSession.objects.all()
    if upcoming:
        sessions = sessions.filter(status=GroupSession.Status.SCHEDULED, end__gt=now)
    if skill:
        sessions = sessions.filter(
            Exists(
                Skill.group_sessions.through.objects.filter(groupsession_id=OuterRef("pk"), skill__slug=skill)
            )
        )
    if host_id is not None:
        sessions = sessions.filter(host_id=host_id)
    return _with_host_and_skills(sessions.order_by("start", "id"))


def group_session(session_id: int) -> GroupSession:
    """One session with its host and skills; 404 when there is none (every session is public)."""
    found = _with_host_and_skills(GroupSession.objects.filter(pk=session_id)).first()
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class MySeat:
    status: str  # seated or waitlisted
    position: int | None


def my_seats(viewer: User, session_ids: Iterable[int]) -> dict[int, MySeat]:
    """The viewer's live seat in each of these sessions: one query."""
    ids = list(session_ids)
    if not ids:
        return {}
    return {
        session_id: MySeat(status, position)
        for session_id, status, position in Seat.objects.filter(
            person=viewer, session_id__in=ids, status__in=LIVE
        ).values_list("session_id", "status", "position")
    }


def live_seat(session: GroupSession, person: User) -> Seat | None:
    return Seat.objects.filter(session=session, person=person, status__in=LIVE).first()


def seated_people(session: GroupSession, *, limit: int | None = None) -> list[User]:
    """Who has a seat, in the order they got it (the page shows the first few names)."""
    seats = (
        Seat.objects.filter(session=session, status=Seat.Status.SEATED)
        .select_related("person")
        .order_by("seated_at", "id")
    )
    return [seat.person for seat in (seats[:limit] if limit else seats)]


def attendees(session: GroupSession) -> tuple[list[Seat], list[Seat]]:
    """The host's list: the seated (in the order they got their seat) and the waiting list (by position)."""
    seats = list(
        Seat.objects.filter(session=session, status__in=LIVE)
        .select_related("person", "person__department")
        .order_by("position", "seated_at", "id")
    )
    seated = [seat for seat in seats if seat.status == Seat.Status.SEATED]
    waiting = [seat for seat in seats if seat.status == Seat.Status.WAITLISTED]
    seated.sort(key=lambda seat: (seat.seated_at or seat.joined_at, seat.pk))
    return seated, waiting


def can_ask(session: GroupSession, person: User) -> bool:
    """Host, seated and waiting people ask, vote and read the questions."""
    return person.pk == session.host_id or live_seat(session, person) is not None


def questions(session: GroupSession, viewer: User) -> QuerySet[Question]:
    """The session's questions, most votes first (then the oldest), with `votes` and `i_voted`: one query."""
    return (
        session.questions.select_related("author")
        .annotate(
            vote_count=Count("votes"),
            i_voted=Exists(Vote.objects.filter(question=OuterRef("pk"), voter=viewer)),
        )
        .order_by("-vote_count", "created_at", "id")
    )


def question_of(session: GroupSession, question_id: int) -> Question:
    found = session.questions.filter(pk=question_id).first()
    if found is None:
        raise Http404
    return found


def upcoming_hosted(host: User, *, now: datetime) -> QuerySet[GroupSession]:
    return group_sessions(now=now, host_id=host.pk, upcoming=True)


def my_upcoming(person: User, *, now: datetime) -> QuerySet[GroupSession]:
    """Sessions the person has a seat in or waits for, still to come."""
    return group_sessions(now=now, upcoming=True).filter(
        Exists(Seat.objects.filter(session=OuterRef("pk"), person=person, status__in=LIVE))
    )


def later_in_series(session: GroupSession) -> Q:
    """This session and the later ones of its series (only this one when it has no series)."""
    if session.series_id is None:
        return Q(pk=session.pk)
    return Q(series_id=session.series_id, start__gte=session.start)


def is_seated(session: GroupSession, person: User) -> bool:
    return Seat.objects.filter(session=session, person=person, status=Seat.Status.SEATED).exists()


def feedback_of(session: GroupSession, person: User) -> GroupFeedback | None:
    return GroupFeedback.objects.filter(session=session, author=person).first()


@dataclass(frozen=True)
class RatingsSummary:
    """What the attendees said, for the host: how many answered, the exact average (rounded only by
    marketplace.ratings), the share who said it helped, and the comments and next steps, newest first,
    without names (what was said, not who said it)."""

    count: int
    average: float | None
    helpful_share: float | None  # 0..1
    comments: list[GroupFeedback]


def ratings_summary(session: GroupSession) -> RatingsSummary:
    """Two queries: the figures, and the answers that carry a comment or a next step."""
    figures = GroupFeedback.objects.filter(session=session).aggregate(
        count=Count("pk"), average=Avg("rating"), helpful=Count("pk", filter=Q(helpful=True))
    )
    count = figures["count"]
    comments = list(
        GroupFeedback.objects.filter(session=session)
        .exclude(comment="", next_step="")
        .order_by("-created_at", "-id")
    )
    return RatingsSummary(
        count=count,
        average=float(figures["average"]) if count else None,
        helpful_share=figures["helpful"] / count if count else None,
        comments=comments,
    )


def calendar_feed_sessions(person: User, *, now: datetime) -> QuerySet[GroupSession]:
    """The group sessions of the person's calendar feed, as for 1:1 sessions: those they host or have a seat
    in, still to come, and those held in the last FEED_HISTORY; never a cancelled one nor one they wait for
    or left (gone from the feed, a subscribed calendar drops it). One query, hosts joined."""
    seated = Exists(Seat.objects.filter(session=OuterRef("pk"), person=person, status=Seat.Status.SEATED))
    return (
        GroupSession.objects.filter(Q(host=person) | seated, end__gte=now - FEED_HISTORY)
        .exclude(status=GroupSession.Status.CANCELLED)
        .select_related("host")
        .order_by("start", "id")
    )


def next_group_session_for_home(user_id: int, now: datetime) -> home.NextSession | None:
    """The next group session the person hosts or has a seat in, or the one under way: one query (the home
    page shows the sooner of it and the next 1:1)."""
    seated = Exists(Seat.objects.filter(session=OuterRef("pk"), person_id=user_id, status=Seat.Status.SEATED))
    session = (
        GroupSession.objects.filter(
            Q(host_id=user_id) | seated, status=GroupSession.Status.SCHEDULED, end__gt=now
        )
        .select_related("host")
        .order_by("start", "id")
        .first()
    )
    if session is None:
        return None
    return home.NextSession(
        start=session.start,
        end=session.end,
        under_way=session.start <= now,
        with_name=session.host.name,
        as_mentor=session.host_id == user_id,
        topic=session.title,
        meeting_url=session.meeting_url,
        url=reverse("group-session-detail", args=[session.pk]),
        group=True,
    )


def group_feedback_waiting(user_id: int, now: datetime, limit: int) -> list[home.Waiting]:
    """Feedback the person has not given on a group session they had a seat in that has ended, for
    ANSWER_WAITS_FOR as for 1:1 sessions, latest first, at most `limit`: one query."""
    sessions = (
        GroupSession.objects.filter(
            Exists(Seat.objects.filter(session=OuterRef("pk"), person_id=user_id, status=Seat.Status.SEATED)),
            end__lte=now,
            end__gt=now - ANSWER_WAITS_FOR,
        )
        .exclude(status=GroupSession.Status.CANCELLED)
        .exclude(Exists(GroupFeedback.objects.filter(session=OuterRef("pk"), author_id=user_id)))
        .order_by("-end", "-id")[:limit]
    )
    return [
        home.Waiting(
            kind="group_feedback",
            with_name=session.title,
            session_start=session.start,
            url=reverse("group-session-feedback", args=[session.pk]),
        )
        for session in sessions
    ]


def my_group_sessions(person: User, *, now: datetime) -> list[GroupSession]:
    """The group sessions still to come (or under way) that the person hosts, has a seat in or waits for,
    soonest first, each with `my_status` (host, seated, waitlisted) and `my_position`: one query."""
    mine = Seat.objects.filter(session=OuterRef("pk"), person=person, status__in=LIVE)
    return list(
        GroupSession.objects.filter(
            Q(host=person) | Exists(mine), status=GroupSession.Status.SCHEDULED, end__gt=now
        )
        .annotate(
            my_seat_status=Subquery(mine.values("status")[:1]),
            my_position=Subquery(mine.values("position")[:1]),
        )
        .select_related("host")
        .order_by("start", "id")
    )


def session_list_section(person: User, now: datetime) -> ListSection | None:
    """ "My sessions"' part about group sessions: those to come and the feedback waiting (two queries);
    nothing when there is neither."""
    upcoming = my_group_sessions(person, now=now)
    waiting = group_feedback_waiting(person.pk, now, home.WAITING_SHOWN)
    if not upcoming and not waiting:
        return None
    return ListSection(
        template="groups/_session_list_section.html", context={"upcoming": upcoming, "waiting": waiting}
    )
