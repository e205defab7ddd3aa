"""When each demo person joined (User.date_joined): the HR dashboard counts as employees of a range only those
who joined before it ended, so the history needs people who were there.

Most joined at the launch, a few weeks before the history begins; the others over the history, as the
programme is adopted (demo.story). Nobody did anything before they joined: a person's join date is moved
before their first session (booked as mentee or mentor), request, moment, or request they were booked for,
before they hosted or joined a group session, and before they wrote an answer or a reply.
Run last, after everything else is seeded, with its own draws, so the rest of the data is as without it.
"""

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Min, QuerySet
from psycopg2.extras import execute_values

from answers.models import Answer, Reply
from demo.bulk import Progress, timestamp_formatter
from demo.story import JOINED_AT_LAUNCH_SHARE, LAUNCH_WEEKS_BEFORE_HISTORY
from groups.models import GroupSeries, GroupSession, Seat
from marketplace.models import User
from matching.models import MentorRequest
from sessions_app.models import Booking, Moment

UPDATE_BATCH_SIZE = 5000
# How long before their first activity a person signed up at the latest: a day to a fortnight.
FIRST_ACTIVITY_AFTER_JOINING = (timedelta(days=1), timedelta(days=14))


def seed_join_dates(
    *,
    rng: random.Random,
    now: datetime,
    weeks_of_history: int,
    launch_people: Iterable[int],
    progress: Progress,
) -> int:
    """Gives every person a join date across the history; `launch_people` (the demo logins) joined at the
    launch. Returns how many people were dated."""
    history_start = now - timedelta(weeks=weeks_of_history)
    launch = history_start - timedelta(weeks=LAUNCH_WEEKS_BEFORE_HISTORY)
    first_activity = earliest_activity()
    at_launch = set(launch_people)
    people = list(User.objects.order_by("pk").values_list("pk", flat=True))
    earliest_gap, latest_gap = (int(gap.total_seconds()) for gap in FIRST_ACTIVITY_AFTER_JOINING)
    joined: list[tuple[str, int]] = []
    stamp = timestamp_formatter(connection.vendor == "postgresql")
    for person in people:
        if person in at_launch or rng.random() < JOINED_AT_LAUNCH_SHARE:
            planned = launch + timedelta(seconds=rng.randrange(7 * 86_400))  # the launch week
        else:
            planned = history_start + (now - history_start) * rng.random()
        first = first_activity.get(person)
        if first is not None:
            planned = min(planned, first - timedelta(seconds=rng.randrange(earliest_gap, latest_gap)))
        joined.append((stamp(int(planned.timestamp())), person))
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        for offset in range(0, len(joined), UPDATE_BATCH_SIZE):
            batch = joined[offset : offset + UPDATE_BATCH_SIZE]
            if connection.vendor == "postgresql":  # one statement per batch, not one per person
                execute_values(
                    cursor.cursor,
                    f"UPDATE {table} AS person SET date_joined = dated.joined::timestamptz "
                    "FROM (VALUES %s) AS dated (joined, id) WHERE person.id = dated.id",
                    batch,
                    page_size=UPDATE_BATCH_SIZE,
                )
            else:
                cursor.executemany(f"UPDATE {table} SET date_joined = %s WHERE id = %s", batch)
            progress("join dates", offset + len(batch), len(joined))
    return len(joined)


def earliest_activity() -> dict[int, datetime]:
    """Per person, the first moment they took part in anything seeded: one query per kind of activity."""
    found: dict[int, datetime] = {}
    for queryset in (
        _first_by(Booking.objects.all(), "mentee_id", "created_at"),
        _first_by(Booking.objects.all(), "mentor_id", "created_at"),
        _first_by(MentorRequest.objects.all(), "asker_id", "created_at"),
        _first_by(
            MentorRequest.objects.filter(booked_mentor__isnull=False), "booked_mentor_id", "created_at"
        ),
        _first_by(Moment.objects.all(), "author_id", "created_at"),
        _first_by(Moment.objects.filter(with_person__isnull=False), "with_person_id", "created_at"),
        _first_by(GroupSeries.objects.all(), "host_id", "created_at"),
        _first_by(GroupSession.objects.all(), "host_id", "created_at"),
        _first_by(Seat.objects.all(), "person_id", "joined_at"),
        _first_by(Answer.objects.all(), "author_id", "created_at"),
        _first_by(Reply.objects.all(), "author_id", "created_at"),
    ):
        for person, first in queryset:
            first = first.astimezone(UTC)
            if person not in found or first < found[person]:
                found[person] = first
    # A moment's day (its author's own calendar date) may begin before its created_at: a day before it.
    for person, day in _first_by(Moment.objects.all(), "author_id", "happened_on"):
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
        if start < found[person]:
            found[person] = start
    return found


def _first_by(queryset: QuerySet, person: str, moment: str) -> QuerySet:
    return queryset.values_list(person).annotate(first=Min(moment)).order_by()
