"""Hosting: publishing once or weekly (DST-correct on the host's clock), changing, cancelling; a group session
as busy time for its host and the weekly minute cap."""

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from groups.models import GroupSession, Seat
from groups.recurrence import weekly_starts
from groups.services.seats import join_session
from groups.services.sessions import Changes, cancel_group_session, create_group_session, update_group_session
from marketplace.errors import Conflict, InvalidInput
from marketplace.models import AvailabilityBlock, MentorProfile
from marketplace.schedules import slot_is_bookable, slots_for_mentor
from sessions_app.models import OutboundMessage
from tests.factories import BookingFactory, MentorFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, before the March DST changes


def publish(host, start, **extra) -> GroupSession:
    values: dict[str, Any] = {"title": "Office hours", "duration": 30, "capacity": 10, "now": NOW} | extra
    return create_group_session(host=host, start=start, **values)


@pytest.mark.parametrize(
    ("zone", "wall"),
    [
        ("America/New_York", time(9, 30)),  # clocks go forward on 8 March 2026
        ("Europe/Berlin", time(17, 0)),  # on 29 March 2026
        ("Australia/Sydney", time(12, 0)),  # back on 5 April 2026 (southern autumn)
        ("Asia/Kolkata", time(10, 0)),  # no DST at all
    ],
)
def test_weekly_office_hours_stay_at_the_hosts_local_time_across_a_clock_change(zone, wall):
    host = MentorFactory(timezone=zone)
    local_first = datetime.combine(datetime(2026, 3, 4).date(), wall, tzinfo=ZoneInfo(zone))

    first = publish(host, local_first.astimezone(UTC), repeat_weeks=6)

    sessions = list(GroupSession.objects.filter(series=first.series).order_by("start"))
    assert len(sessions) == 7
    for week, session in enumerate(sessions):
        local = session.start.astimezone(ZoneInfo(zone))
        assert local.date() == local_first.date() + timedelta(weeks=week)
        assert (local.hour, local.minute) == (wall.hour, wall.minute)
        assert session.end - session.start == timedelta(minutes=30)
    offsets = {session.start.astimezone(ZoneInfo(zone)).utcoffset() for session in sessions}
    assert len(offsets) == (1 if zone == "Asia/Kolkata" else 2)  # the UTC instant moved with the clock


def test_a_weekly_time_the_clock_skips_starts_when_the_clock_jumps():
    first = datetime(2026, 3, 1, 7, 30, tzinfo=UTC)  # 02:30 in New York on 1 March
    starts = weekly_starts(first, "America/New_York", 1)
    assert starts[1] == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT: 02:30 does not exist that day


def test_only_mentors_publish_and_every_bound_is_a_400_naming_its_field():
    with pytest.raises(PermissionDenied):
        publish(UserFactory(), NOW + timedelta(days=1))
    host = MentorFactory()
    cases: list[tuple[str, dict[str, Any]]] = [
        ("duration", {"duration": 25}),
        ("duration", {"duration": 100}),
        ("capacity", {"capacity": 1}),
        ("capacity", {"capacity": 201}),
        ("repeat_weeks", {"repeat_weeks": 13}),
        ("title", {"title": "  "}),
        ("title", {"title": "Line\nbreak"}),
        ("start", {"start": NOW - timedelta(minutes=1)}),
        ("skills", {"skills": [SkillFactory() for _ in range(6)]}),
    ]
    for field, extra in cases:
        values = {"start": NOW + timedelta(days=1)} | extra
        with pytest.raises(InvalidInput) as error:
            publish(host, **values)
        assert error.value.field == field, extra
    assert not GroupSession.objects.exists()


def test_publishing_over_the_hosts_own_session_is_a_time_conflict_and_publishes_nothing():
    host = MentorFactory(timezone="UTC")
    BookingFactory(mentor=host, start=datetime(2026, 3, 18, 10, 0, tzinfo=UTC))

    with pytest.raises(Conflict) as error:
        publish(host, datetime(2026, 3, 4, 10, 0, tzinfo=UTC), repeat_weeks=4)

    assert error.value.code == "time_conflict"
    assert "2026-03-18T10:00:00Z" in error.value.message
    assert not GroupSession.objects.exists()


def test_a_group_session_is_busy_time_for_its_host_and_counts_toward_the_weekly_cap():
    host = MentorFactory(timezone="UTC")
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=host, weekday=day, start=time(8), end=time(18)) for day in range(7)
    )
    MentorProfile.objects.filter(user=host).update(weekly_minutes_cap=60)
    start = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # Wednesday
    publish(host, start, duration=40)
    asker = UserFactory()

    assert not slot_is_bookable(host.pk, asker_id=asker.pk, start=start, duration_minutes=30, now=NOW)
    # 40 of 60 minutes are taken that week: a 20-minute session still fits, a 30-minute one does not.
    later = start + timedelta(hours=3)
    assert slot_is_bookable(host.pk, asker_id=asker.pk, start=later, duration_minutes=20, now=NOW)
    assert not slot_is_bookable(host.pk, asker_id=asker.pk, start=later, duration_minutes=30, now=NOW)
    next_week = slots_for_mentor(
        host.pk,
        asker_id=asker.pk,
        start=start + timedelta(days=7),
        end=start + timedelta(days=7, hours=1),
        duration_minutes=30,
        now=NOW,
    )
    assert next_week  # the cap is per week


def test_a_cancelled_group_session_frees_the_hosts_time():
    host = MentorFactory(timezone="UTC")
    AvailabilityBlock.objects.create(mentor=host, weekday=2, start=time(8), end=time(18))
    start = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    session = publish(host, start)
    asker = UserFactory()
    assert not slot_is_bookable(host.pk, asker_id=asker.pk, start=start, duration_minutes=30, now=NOW)

    cancel_group_session(session=session, by=host, now=NOW)

    assert slot_is_bookable(host.pk, asker_id=asker.pk, start=start, duration_minutes=30, now=NOW)


def test_raising_the_capacity_seats_the_waiting_list_at_once():
    host = MentorFactory()
    session = publish(host, timezone.now() + timedelta(days=2), capacity=2, now=None)
    people = [UserFactory() for _ in range(5)]
    for person in people:
        join_session(session=session, person=person)

    update_group_session(session=session, by=host, changes=Changes(capacity=4))

    session.refresh_from_db()
    assert (session.capacity, session.seats_taken, session.waitlist_length) == (4, 4, 1)
    seated = set(Seat.objects.filter(session=session, status="seated").values_list("person_id", flat=True))
    assert seated == {person.pk for person in people[:4]}
    assert OutboundMessage.objects.filter(kind="group_seated", group_seat__from_waitlist=True).count() == 2


def test_lowering_the_capacity_below_the_seats_taken_is_refused_and_above_it_renumbers_seats():
    host = MentorFactory()
    session = publish(host, timezone.now() + timedelta(days=2), capacity=6, now=None)
    people = [UserFactory() for _ in range(4)]
    for person in people:
        join_session(session=session, person=person)
    from groups.services.seats import leave_session

    leave_session(session=session, person=people[0])  # seat 1 is free; seats 2, 3, 4 are taken

    with pytest.raises(InvalidInput) as error:
        update_group_session(session=session, by=host, changes=Changes(capacity=2))
    assert error.value.field == "capacity"
    update_group_session(session=session, by=host, changes=Changes(capacity=3))
    seated = Seat.objects.filter(session=session, status="seated")
    numbers = sorted(number or 0 for number in seated.values_list("seat_number", flat=True))
    assert numbers == [1, 2, 3]


def test_moving_this_and_later_sessions_keeps_the_weekly_wall_clock_and_tells_the_seated():
    host = MentorFactory(timezone="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    first = publish(host, datetime(2026, 3, 17, 9, 0, tzinfo=berlin), repeat_weeks=3)
    sessions = list(GroupSession.objects.filter(series=first.series).order_by("start"))
    person = UserFactory()
    seat = join_session(session=sessions[2], person=person, now=NOW)

    update_group_session(
        session=sessions[1],
        by=host,
        changes=Changes(start=datetime(2026, 3, 24, 11, 30, tzinfo=berlin)),
        scope="later",
        now=NOW,
    )

    moved = [session.start.astimezone(berlin) for session in GroupSession.objects.filter(series=first.series)]
    assert [(moment.day, moment.hour, moment.minute) for moment in sorted(moved)] == [
        (17, 9, 0),
        (24, 11, 30),
        (31, 11, 30),  # after the clock change of 29 March: still 11:30 in Berlin
        (7, 11, 30),
    ]
    assert OutboundMessage.objects.filter(group_seat=seat, kind="group_changed").count() == 1


def test_only_the_host_changes_or_cancels():
    session = publish(MentorFactory(), NOW + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        update_group_session(session=session, by=UserFactory(), changes=Changes(title="Mine"), now=NOW)
    with pytest.raises(PermissionDenied):
        cancel_group_session(session=session, by=UserFactory(), now=NOW)


def test_cancelling_this_and_later_tells_everyone_seated_or_waiting_and_leaves_earlier_ones():
    host = MentorFactory()
    first = publish(host, timezone.now() + timedelta(days=1), repeat_weeks=2, capacity=2, now=None)
    sessions = list(GroupSession.objects.filter(series=first.series).order_by("start"))
    people = [UserFactory() for _ in range(3)]
    for person in people:
        join_session(session=sessions[1], person=person)

    cancelled = cancel_group_session(session=sessions[1], by=host, scope="later")

    assert [session.pk for session in cancelled] == [sessions[1].pk, sessions[2].pk]
    statuses = dict(GroupSession.objects.values_list("pk", "status"))
    assert statuses == {sessions[0].pk: "scheduled", sessions[1].pk: "cancelled", sessions[2].pk: "cancelled"}
    told = set(OutboundMessage.objects.filter(kind="group_cancelled").values_list("recipient_id", flat=True))
    assert told == {person.pk for person in people}
