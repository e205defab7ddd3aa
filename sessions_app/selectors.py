"""Reads of bookings, feedback and the providers marketplace's slot engine and browse pages use."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext

from marketplace import home, schedules
from marketplace.models import User
from marketplace.session_data import Commitment, Rating, TrackRecord
from marketplace.slots import Interval, bookable_slots
from matching.models import MentorRequest
from sessions_app import links
from sessions_app.models import (
    FOLLOW_UP_AFTER,
    Booking,
    Feedback,
    FollowUp,
    Moment,
    has_later_session_in_series,
)

MAX_ID = 2**63 - 1
FEED_HISTORY = timedelta(days=60)


# The busiest read of the app: every slot listing, browse page, match and booking asks it, often twice.
# Plain SQL costs a tenth of the ORM's CPU here (0.08 ms against 0.7 ms per call), which booking throughput
# feels; it reads only columns this module owns.
_BUSY_SQL = (
    'SELECT id, mentor_id, mentee_id, "start", "end" FROM sessions_app_booking '
    'WHERE status IN (%s, %s, %s) AND "start" < %s AND "end" > %s '
    "AND (mentor_id IN ({ids}) OR mentee_id IN ({ids}))"
)


# The statuses of a session that took or will take its people's time.
TAKE_TIME = [Booking.Status.CONFIRMED.value, Booking.Status.COMPLETED.value, Booking.Status.NO_SHOW.value]


def busy_commitments(
    user_ids: Collection[int], start: datetime, end: datetime
) -> dict[int, list[Commitment]]:
    """Sessions that take each person's time in [start, end), as mentor or as mentee: one query.

    Confirmed ones, and those already held or missed: the weekly budget counts this week's past sessions too
    (the sweep marks them completed or no-show once they have ended), and they can never overlap a new slot.
    """
    wanted = set(user_ids)
    if not wanted:
        return {}
    ids = list(wanted)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _BUSY_SQL.format(ids=", ".join(["%s"] * len(ids))),
            [*TAKE_TIME, adapt(end), adapt(start), *ids, *ids],
        )
        rows = cursor.fetchall()
    found: dict[int, list[Commitment]] = defaultdict(list)
    for key, mentor_id, mentee_id, session_start, session_end in rows:
        session_start, session_end = _aware(session_start), _aware(session_end)
        if mentor_id in wanted:
            found[mentor_id].append(Commitment(key, session_start, session_end, as_mentor=True))
        if mentee_id in wanted:
            found[mentee_id].append(Commitment(key, session_start, session_end, as_mentor=False))
    return dict(found)


def _aware(value: datetime) -> datetime:
    """SQLite hands plain SQL naive UTC datetimes; PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def mentor_ratings(mentor_ids: Collection[int]) -> dict[int, Rating]:
    """Average rating mentees gave each mentor (exact: marketplace.ratings rounds it for pages and the API),
    with how many ratings: one aggregate query."""
    rows = (
        Feedback.objects.filter(role=Feedback.Role.MENTEE, booking__mentor_id__in=list(mentor_ids))
        .values("booking__mentor_id")
        .annotate(average=Avg("rating"), count=Count("id"))
        .values_list("booking__mentor_id", "average", "count")
    )
    return {mentor_id: Rating(float(average), count) for mentor_id, average, count in rows}


def mentor_track_records(mentor_ids: Collection[int], since: datetime) -> dict[int, TrackRecord]:
    """Sessions each mentor held (since `since` and ever), no-shows and own cancellations: one query."""
    completed = Q(status=Booking.Status.COMPLETED)
    rows = (
        Booking.objects.filter(mentor_id__in=list(mentor_ids))
        .values("mentor_id")
        .annotate(
            held_recently=Count("id", filter=completed & Q(start__gte=since)),
            held_total=Count("id", filter=completed),
            no_shows=Count("id", filter=Q(status=Booking.Status.NO_SHOW)),
            cancelled_by_mentor=Count(
                "id", filter=Q(status=Booking.Status.CANCELLED, cancelled_by_id=F("mentor_id"))
            ),
        )
        .values_list("mentor_id", "held_recently", "held_total", "no_shows", "cancelled_by_mentor")
    )
    return {mentor_id: TrackRecord(*figures) for mentor_id, *figures in rows}


def _with_people(queryset: QuerySet[Booking]) -> QuerySet[Booking]:
    return queryset.select_related("mentor", "mentee")


def with_series(queryset: QuerySet[Booking]) -> QuerySet[Booking]:
    """The bookings with their series and its sessions (ids and positions): one query more, for any number
    of bookings, and none when no booking is part of a series."""
    sessions = Booking.objects.only("id", "series_id", "series_position", "status", "start", "end").order_by(
        "series_position"
    )
    return queryset.select_related("series").prefetch_related(Prefetch("series__bookings", queryset=sessions))


def participant_bookings(user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(Q(mentor=user) | Q(mentee=user))


def booking_for_participant(booking_id: int, user: User) -> Booking:
    """The booking if `user` takes part in it, with the request it answers; 404 otherwise, so nobody learns
    that it exists."""
    if not 0 < booking_id <= MAX_ID:
        raise Http404(gettext("No such session."))
    try:
        return _with_people(participant_bookings(user)).select_related("request", "series").get(pk=booking_id)
    except Booking.DoesNotExist:
        raise Http404(gettext("No such session.")) from None


def bookings_for(
    user: User,
    *,
    role: str | None = None,
    status: str | None = None,
    upcoming: bool | None = None,
    now: datetime,
) -> QuerySet[Booking]:
    """The person's own bookings: `role` mentor|mentee, `upcoming` True = not yet ended, False = ended."""
    if role == "mentor":
        queryset = Booking.objects.filter(mentor=user)
    elif role == "mentee":
        queryset = Booking.objects.filter(mentee=user)
    else:
        queryset = participant_bookings(user)
    if status:
        queryset = queryset.filter(status=status)
    if upcoming is True:
        queryset = queryset.filter(end__gt=now).order_by("start", "id")
    elif upcoming is False:
        queryset = queryset.filter(end__lte=now).order_by("-start", "-id")
    else:
        queryset = queryset.order_by("-start", "-id")
    return with_series(_with_people(queryset))


def upcoming_sessions(user: User, *, now: datetime) -> QuerySet[Booking]:
    """Confirmed sessions that have not ended yet, soonest first, with their series."""
    return with_series(
        _with_people(
            participant_bookings(user)
            .filter(status=Booking.Status.CONFIRMED, end__gt=now)
            .order_by("start", "id")
        )
    )


def past_sessions(user: User, *, now: datetime) -> QuerySet[Booking]:
    """Everything that is not an upcoming confirmed session, latest first; `mentee_rated` says whether the
    mentee gave feedback (a rated session cannot be marked a no-show)."""
    mentee_feedback = Feedback.objects.filter(booking=OuterRef("pk"), role=Feedback.Role.MENTEE)
    return _with_people(
        participant_bookings(user)
        .exclude(status=Booking.Status.CONFIRMED, end__gt=now)
        .select_related("series")
        .annotate(mentee_rated=Exists(mentee_feedback))
        .order_by("-start", "-id")
    )


def calendar_feed_sessions(user: User, *, now: datetime) -> QuerySet[Booking]:
    """What the personal calendar feed shows: confirmed sessions, and those held in the last 60 days (with
    the requests they answer, whose context each event describes, and their series)."""
    return _with_people(
        participant_bookings(user)
        .filter(
            Q(status=Booking.Status.CONFIRMED)
            | Q(status=Booking.Status.COMPLETED, end__gte=now - FEED_HISTORY)
        )
        .select_related("request", "series")
        .order_by("start", "id")
    )


def request_being_booked(user: User, request_id: int | None) -> MentorRequest | None:
    """The person's own request a booking answers (its topic and context go with the booking); None for no
    id or someone else's request (the booking service refuses that one on "request")."""
    if request_id is None:
        return None
    return MentorRequest.objects.filter(pk=request_id, asker=user).first()


def user_by_calendar_token(token: str) -> User:
    user = User.objects.filter(calendar_token=token, is_active=True).first()
    if user is None or not token:
        raise Http404(gettext("No such calendar."))
    return user


def reschedule_slots(booking: Booking, *, now: datetime, days: int = 14) -> list[Interval]:
    """Where a session can move in the next `days` days: the slot engine, leaving the session itself out
    (its own time is not offered).

    The same loading as marketplace.schedules.slot_is_bookable with ignore_keys, so every slot offered here
    passes the check in services.bookings.reschedule_booking (barring a race).
    """
    start, end = now, now + timedelta(days=days)
    ignore = {booking.pk}
    found, asker_busy = schedules.schedules_with_asker_busy(
        [booking.mentor_id], asker_id=booking.mentee_id, start=start, end=end, ignore_keys=ignore
    )
    schedule = found.get(booking.mentor_id)
    if schedule is None:
        return []
    slots = bookable_slots(
        schedule,
        start=start,
        end=end,
        duration_minutes=booking.duration,
        now=now,
        asker_busy=asker_busy,
    )
    return [slot for slot in slots if slot.start != booking.start]  # where it is now is no move


def bookable_starts(
    mentor_id: int, *, asker_id: int, starts: Collection[datetime], minutes: int, now: datetime
) -> set[datetime]:
    """Which of `starts` the asker could book with the mentor, each taken on its own (the sessions of a
    series are not counted toward each other's cap here): one listing by the slot engine, a fixed number of
    queries however many starts."""
    if not starts:
        return set()
    offered = schedules.slots_for_mentor(
        mentor_id,
        asker_id=asker_id,
        start=min(starts),
        end=max(starts) + timedelta(minutes=1),
        duration_minutes=minutes,
        now=now,
    )
    return set(starts) & {slot.start for slot in offered}


def feedback_given(booking: Booking, user: User) -> bool:
    return Feedback.objects.filter(booking=booking, author=user).exists()


def feedback_of(booking: Booking, user: User) -> Feedback | None:
    return Feedback.objects.filter(booking=booking, author=user).first()


def session_feedback(booking: Booking) -> list[Feedback]:
    """Both participants' feedback on a session, with authors (the session page shows it to the mentor)."""
    return list(Feedback.objects.filter(booking=booking).select_related("author"))


def series_sessions(booking: Booking) -> list[Booking]:
    """Every session of the booking's series, soonest first (none outside a series)."""
    if booking.series_id is None:
        return []
    return list(Booking.objects.filter(series_id=booking.series_id).order_by("start", "id"))


def follow_up_of(booking: Booking) -> FollowUp | None:
    return FollowUp.objects.filter(booking=booking).first()


def booking_for_link(booking_id: int, token: str, *, purpose: str) -> tuple[Booking, User]:
    """The booking and person a signed email link is for; links.BadLink if tampered, expired or for another
    booking, Http404 if the booking is gone or the person no longer takes part."""
    grant = links.read_token(token, booking_id=booking_id, purpose=purpose)
    user = User.objects.filter(pk=grant.user_id, is_active=True).first()
    if user is None:
        raise Http404(gettext("No such session."))
    return booking_for_participant(booking_id, user), user


MOMENTS_WEEKLY_GOAL = 3


@dataclass(frozen=True, slots=True)
class MomentProgress:
    """This week's moments toward "three moments this week", and the streak of weeks that met the goal."""

    this_week: int
    goal: int
    streak_weeks: int  # weeks in a row that met the goal (up to this week, or last week while it is open)
    week_start: date

    @property
    def reached(self) -> bool:
        return self.this_week >= self.goal


def moments_of(user: User) -> QuerySet[Moment]:
    return Moment.objects.filter(author=user).select_related("with_person").order_by("-happened_on", "-id")


def moment_progress(user: User, *, today: date, goal: int = MOMENTS_WEEKLY_GOAL) -> MomentProgress:
    """Weeks start on Monday (weekday 0); one query over the last year of the person's moments."""
    week_start = today - timedelta(days=today.weekday())
    days = Moment.objects.filter(
        author=user, happened_on__gte=week_start - timedelta(weeks=52), happened_on__lte=today
    ).values_list("happened_on", flat=True)
    per_week: dict[date, int] = defaultdict(int)
    for day in days:
        per_week[day - timedelta(days=day.weekday())] += 1
    streak = 0
    week = week_start if per_week[week_start] >= goal else week_start - timedelta(weeks=1)
    while per_week.get(week, 0) >= goal:
        streak += 1
        week -= timedelta(weeks=1)
    return MomentProgress(
        this_week=per_week[week_start], goal=goal, streak_weeks=streak, week_start=week_start
    )


# --- The home page (marketplace.home's providers, registered in apps.py) ---

# How long the home page keeps asking for an answer after the question opened.
ANSWER_WAITS_FOR = timedelta(days=30)
MINUTES_GIVEN_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def next_session_for_home(user_id: int, now: datetime) -> home.NextSession | None:
    """The person's next confirmed session, or the one under way: one query."""
    booking = (
        _with_people(Booking.objects.filter(Q(mentor_id=user_id) | Q(mentee_id=user_id)))
        .filter(status=Booking.Status.CONFIRMED, end__gt=now)
        .order_by("start", "id")
        .first()
    )
    if booking is None:
        return None
    as_mentor = booking.mentor_id == user_id
    return home.NextSession(
        start=booking.start,
        end=booking.end,
        under_way=booking.start <= now,
        with_name=(booking.mentee if as_mentor else booking.mentor).name,
        as_mentor=as_mentor,
        topic=booking.topic,
        meeting_url=booking.meeting_url,
        url=reverse("session-detail", args=[booking.pk]),
    )


def answers_waiting(user_id: int, now: datetime, limit: int) -> list[home.Waiting]:
    """Feedback the person has not given on a session that ended, and (mentee) the follow-up not answered a
    week on (of a series, only its last session's), while each question is at most ANSWER_WAITS_FOR old;
    latest sessions first, from at most `limit` sessions: one query."""
    feedback_opened_since = now - ANSWER_WAITS_FOR
    follow_up_opened_by = now - FOLLOW_UP_AFTER  # the session ended by then
    bookings = (
        _with_people(Booking.objects.filter(Q(mentor_id=user_id) | Q(mentee_id=user_id)))
        # A session the sweep has not marked completed yet was held all the same.
        .filter(status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED], end__lte=now)
        .annotate(
            has_feedback=Exists(Feedback.objects.filter(booking=OuterRef("pk"), author_id=user_id)),
            has_follow_up=Exists(FollowUp.objects.filter(booking=OuterRef("pk"))),
            follow_up_comes_later=has_later_session_in_series(),
        )
        .filter(
            Q(has_feedback=False, end__gt=feedback_opened_since)
            | Q(
                mentee_id=user_id,
                has_follow_up=False,
                follow_up_comes_later=False,
                end__lte=follow_up_opened_by,
                end__gt=follow_up_opened_by - ANSWER_WAITS_FOR,
            )
        )
        .order_by("-end", "-id")[:limit]
    )
    waiting = []
    for booking in bookings:
        other = booking.mentee if booking.mentor_id == user_id else booking.mentor
        if (
            booking.mentee_id == user_id
            and not booking.has_follow_up
            and not booking.follow_up_comes_later
            and booking.end <= follow_up_opened_by
        ):
            waiting.append(
                home.Waiting(
                    kind="follow_up",
                    with_name=other.name,
                    session_start=booking.start,
                    url=reverse("session-follow-up", args=[booking.pk]),
                )
            )
        if not booking.has_feedback and booking.end > feedback_opened_since:
            waiting.append(
                home.Waiting(
                    kind="feedback",
                    with_name=other.name,
                    session_start=booking.start,
                    url=reverse("session-feedback", args=[booking.pk]),
                )
            )
    return waiting


def minutes_given(mentor_id: int, start: datetime, end: datetime) -> int:
    """Minutes of the sessions the mentor gives starting in [start, end), held or still to come: one query."""
    total = Booking.objects.filter(
        mentor_id=mentor_id, status__in=MINUTES_GIVEN_STATUSES, start__gte=start, start__lt=end
    ).aggregate(total=Sum("duration"))["total"]
    return int(total or 0)
