"""Reads of bookings, feedback and the providers marketplace's slot engine and browse pages use."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from marketplace import schedules
from marketplace.models import User
from marketplace.session_data import Commitment, Rating, TrackRecord
from marketplace.slots import Interval, bookable_slots
from sessions_app import links
from sessions_app.models import Booking, Feedback, FollowUp, Moment

MAX_ID = 2**63 - 1
FEED_HISTORY = timedelta(days=60)


# The busiest read of the app: every slot listing, browse page, match and booking asks it, often twice.
# Plain SQL costs a tenth of the ORM's CPU here (0.08 ms against 0.7 ms per call), which booking throughput
# feels; it reads only columns this module owns.
_BUSY_SQL = (
    'SELECT id, mentor_id, mentee_id, "start", "end" FROM sessions_app_booking '
    'WHERE status = %s AND "start" < %s AND "end" > %s AND (mentor_id IN ({ids}) OR mentee_id IN ({ids}))'
)


def busy_commitments(
    user_ids: Collection[int], start: datetime, end: datetime
) -> dict[int, list[Commitment]]:
    """Confirmed sessions overlapping [start, end) of each person, as mentor or as mentee: one query."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    ids = list(wanted)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _BUSY_SQL.format(ids=", ".join(["%s"] * len(ids))),
            [Booking.Status.CONFIRMED.value, adapt(end), adapt(start), *ids, *ids],
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


def participant_bookings(user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(Q(mentor=user) | Q(mentee=user))


def booking_for_participant(booking_id: int, user: User) -> Booking:
    """The booking if `user` takes part in it; 404 otherwise, so nobody learns that it exists."""
    if not 0 < booking_id <= MAX_ID:
        raise Http404(gettext("No such session."))
    try:
        return _with_people(participant_bookings(user)).get(pk=booking_id)
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
    return _with_people(queryset)


def upcoming_sessions(user: User, *, now: datetime) -> QuerySet[Booking]:
    """Confirmed sessions that have not ended yet, soonest first."""
    return _with_people(
        participant_bookings(user)
        .filter(status=Booking.Status.CONFIRMED, end__gt=now)
        .order_by("start", "id")
    )


def past_sessions(user: User, *, now: datetime) -> QuerySet[Booking]:
    """Everything that is not an upcoming confirmed session, latest first; `mentee_rated` says whether the
    mentee gave feedback (a rated session cannot be marked a no-show)."""
    mentee_feedback = Feedback.objects.filter(booking=OuterRef("pk"), role=Feedback.Role.MENTEE)
    return _with_people(
        participant_bookings(user)
        .exclude(status=Booking.Status.CONFIRMED, end__gt=now)
        .annotate(mentee_rated=Exists(mentee_feedback))
        .order_by("-start", "-id")
    )


def calendar_feed_sessions(user: User, *, now: datetime) -> QuerySet[Booking]:
    """What the personal calendar feed shows: confirmed sessions, and those held in the last 60 days."""
    return _with_people(
        participant_bookings(user)
        .filter(
            Q(status=Booking.Status.CONFIRMED)
            | Q(status=Booking.Status.COMPLETED, end__gte=now - FEED_HISTORY)
        )
        .order_by("start", "id")
    )


def user_by_calendar_token(token: str) -> User:
    user = User.objects.filter(calendar_token=token, is_active=True).first()
    if user is None or not token:
        raise Http404(gettext("No such calendar."))
    return user


def reschedule_slots(booking: Booking, *, now: datetime, days: int = 14) -> list[Interval]:
    """Where a session can move in the next `days` days: the slot engine, leaving the session itself out.

    The same loading as marketplace.schedules.slot_is_bookable with ignore_keys, so every slot offered here
    passes the check in services.bookings.reschedule_booking (barring a race).
    """
    start, end = now, now + timedelta(days=days)
    ignore = {booking.pk}
    schedule = schedules.mentor_schedules([booking.mentor_id], start=start, end=end, ignore_keys=ignore).get(
        booking.mentor_id
    )
    if schedule is None:
        return []
    asker_busy = schedules.asker_busy(
        booking.mentee_id, start=start, end=end + timedelta(minutes=booking.duration), ignore_keys=ignore
    )
    return bookable_slots(
        schedule,
        start=start,
        end=end,
        duration_minutes=booking.duration,
        now=now,
        asker_busy=asker_busy,
    )


def feedback_given(booking: Booking, user: User) -> bool:
    return Feedback.objects.filter(booking=booking, author=user).exists()


def feedback_of(booking: Booking, user: User) -> Feedback | None:
    return Feedback.objects.filter(booking=booking, author=user).first()


def session_feedback(booking: Booking) -> list[Feedback]:
    """Both participants' feedback on a session, with authors (the session page shows it to the mentor)."""
    return list(Feedback.objects.filter(booking=booking).select_related("author"))


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
