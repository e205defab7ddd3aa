import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db.models import F

from demo.group_sessions import seed_group_sessions
from demo.people import seed_people
from demo.sessions import seed_sessions
from groups.models import GroupSession, Question, Seat, Vote
from groups.selectors import minutes_hosted
from marketplace.models import MentorProfile, User
from marketplace.schedules import slot_is_bookable
from marketplace.timezones import get_zone, iso_week_bounds, iso_week_start
from sessions_app.models import Booking
from sessions_app.selectors import TAKE_TIME

MOMENTS = [
    datetime(2026, 11, 30, 0, 5, tzinfo=UTC),  # a Monday just begun
    datetime(2026, 12, 3, 13, 10, tzinfo=UTC),  # a Thursday afternoon (one once failed a test)
    datetime(2026, 12, 4, 18, 0, tzinfo=UTC),
    datetime(2026, 12, 6, 23, 50, tzinfo=UTC),  # Sunday night: only next week is left
    datetime(2026, 3, 27, 11, 0, tzinfo=UTC),  # the Friday before Europe's clocks go forward
]
NOW = MOMENTS[1]


@pytest.fixture(autouse=True)
def _debug_on(settings):
    settings.DEBUG = True


def seed(now, seed_value=3, weeks=6, mentors=24, employees=60):
    rng = random.Random(seed_value)
    people = seed_people(rng=rng, mentors=mentors, employees=employees, progress=lambda *args: None)
    seed_sessions(
        rng=rng,
        mentee_ids=people.mentee_pool,
        demo_mentor_id=people.mentor_id,
        demo_mentee_id=people.mentee_id,
        in_demand_mentor_ids=people.in_demand_mentor_ids,
        weeks_of_history=weeks,
        progress=lambda *args: None,
        now=now,
    )
    result = seed_group_sessions(
        rng=random.Random(f"group sessions {seed_value}"),
        people=people,
        weeks_of_history=weeks,
        progress=lambda *args: None,
        now=now,
    )
    return people, result


def overlapping(intervals):
    """Pairs of intervals of one person that overlap, from (person, start, end) rows."""
    found = []
    by_person = defaultdict(list)
    for person, start, end in intervals:
        by_person[person].append((start, end))
    for person, items in by_person.items():
        items.sort()
        found += [(person, a, b) for a, b in pairwise(items) if b[0] < a[1]]
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("now", MOMENTS)
@pytest.mark.parametrize("seed_value", [3, 11])
def test_the_demo_logins_host_join_and_wait_for_group_sessions(now, seed_value):
    people, result = seed(now, seed_value=seed_value)

    office_hours = GroupSession.objects.filter(host_id=people.mentor_id, series__isnull=False)
    assert office_hours.filter(end__lte=now, status="scheduled").exists()  # held: they read as completed
    assert office_hours.filter(start__gt=now, status="scheduled").exists()
    assert office_hours.values("series").distinct().count() == 1
    upcoming = Seat.objects.filter(
        person_id=people.mentee_id, session__start__gt=now, session__status="scheduled"
    )
    assert upcoming.filter(status="seated").exists()
    waiting = upcoming.filter(status="waitlisted").select_related("session").get()
    assert waiting.session.seats_taken == waiting.session.capacity
    assert waiting.position == 1  # the next seat given up is hers
    assert result.upcoming > 0


@pytest.mark.django_db
@pytest.mark.parametrize("now", MOMENTS)
def test_seats_respect_capacity_and_waiting_positions_run_one_to_n(now):
    seed(now)

    sessions = GroupSession.objects.all()
    assert sessions.filter(seats_taken=F("capacity"), waitlist_length__gt=0).exists(), "some are full"
    for session in sessions:
        seats = list(session.seats.all())
        seated = [seat for seat in seats if seat.status == "seated"]
        waiting = sorted(
            (seat for seat in seats if seat.status == "waitlisted"), key=lambda seat: seat.position or 0
        )
        numbers = [seat.seat_number or 0 for seat in seated]
        assert len(seated) == session.seats_taken <= session.capacity
        assert sorted(numbers) == sorted(set(numbers))
        assert all(1 <= number <= session.capacity for number in numbers)
        assert [seat.position for seat in waiting] == list(range(1, len(waiting) + 1))
        assert len(waiting) == session.waitlist_length
        assert [seat.joined_at for seat in waiting] == sorted(seat.joined_at for seat in waiting)
        if waiting:  # nobody waits while a seat is free
            assert session.seats_taken == session.capacity
        for seat in seats:
            assert session.created_at <= seat.joined_at <= min(now, session.start)
            assert seat.left_at is None or seat.joined_at <= seat.left_at <= min(now, session.start)
            if seat.from_waitlist:  # seated after waiting (and perhaps gone since)
                assert seat.status != "waitlisted"
                assert seat.seated_at is not None
                assert seat.joined_at < seat.seated_at <= (seat.left_at or min(now, session.start))


@pytest.mark.django_db
@pytest.mark.parametrize("now", MOMENTS)
def test_no_seat_overlaps_its_persons_1_1_sessions_or_other_seats(now):
    seed(now)

    bookings = Booking.objects.filter(status__in=TAKE_TIME)
    seats = Seat.objects.filter(status="seated", session__status="scheduled").values_list(
        "person_id", "session__start", "session__end"
    )
    assert seats.exists()
    assert overlapping([*bookings.values_list("mentee_id", "start", "end"), *seats]) == []
    # The host's one place in each session is their own (status host), never a seat or a waiting place.
    assert not Seat.objects.filter(person_id=F("session__host_id")).exclude(status="host").exists()
    hosts = Seat.objects.filter(status="host")
    assert hosts.count() == GroupSession.objects.count()
    assert not hosts.exclude(person_id=F("session__host_id")).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("now", MOMENTS)
def test_hosts_group_sessions_never_meet_their_1_1_sessions_and_count_toward_their_weekly_cap(now):
    seed(now)

    profiles = {profile.user_id: profile for profile in MentorProfile.objects.all()}
    hosted = GroupSession.objects.filter(status="scheduled")
    assert hosted.exists()
    rows = [
        *Booking.objects.filter(status__in=TAKE_TIME).values_list("mentor_id", "start", "end"),
        *hosted.values_list("host_id", "start", "end"),
    ]
    buffered = [
        (person, start - timedelta(minutes=profiles[person].buffer_minutes), end)
        for person, start, end in rows
    ]
    assert overlapping(buffered) == []
    minutes: Counter[tuple[int, object]] = Counter()
    for person, start, end in rows:
        minutes[person, iso_week_start(start, profiles[person].availability_timezone)] += int(
            (end - start).total_seconds() // 60
        )
    for (person, _week), used in minutes.items():
        assert used <= profiles[person].weekly_minutes_cap
    first = hosted.values_list("host_id", "start").first()
    assert first is not None
    host_id, start = first
    _monday, week_start, week_end = iso_week_bounds(start, profiles[host_id].availability_timezone)
    assert minutes_hosted(host_id, week_start, week_end) > 0


@pytest.mark.django_db
@pytest.mark.parametrize("now", MOMENTS)
def test_every_upcoming_1_1_session_is_still_one_the_slot_engine_would_offer(now):
    seed(now)

    assert GroupSession.objects.filter(start__gt=now).exists()
    for booking in Booking.objects.filter(status="confirmed"):
        assert slot_is_bookable(
            booking.mentor_id,
            asker_id=booking.mentee_id,
            start=booking.start,
            duration_minutes=booking.duration,
            now=now,
            ignore_keys={booking.pk},
        ), booking


@pytest.mark.django_db
def test_questions_have_votes_some_anonymous_and_those_of_held_sessions_some_answered():
    seed(NOW)

    questions = Question.objects.select_related("session")
    assert questions.filter(anonymous=True).exists()
    assert questions.filter(anonymous=False).exists()
    assert questions.filter(answered_at__isnull=False).exists()
    assert not questions.filter(answered_at__isnull=False, session__end__gt=NOW).exists()
    assert Vote.objects.exists()
    assert not Vote.objects.filter(voter_id=F("question__author_id")).exists()
    for question in questions:
        assert Seat.objects.filter(session=question.session, person_id=question.author_id).exists()
        assert question.created_at <= min(NOW, question.session.start)
        if question.answered_at:
            assert question.session.start <= question.answered_at <= question.session.end
    assert not Vote.objects.filter(created_at__lt=F("question__created_at")).exists()
    kinds = set(GroupSession.objects.values_list("title", flat=True))
    assert any(title.startswith("AMA") for title in kinds)
    assert any(title.startswith("Skill-share") for title in kinds)
    assert any(title.startswith("Office hours") for title in kinds)


@pytest.mark.django_db
def test_the_same_seed_and_clock_give_the_same_group_sessions():
    fields = ("host__email", "title", "start", "capacity", "seats_taken", "waitlist_length", "status", "uid")
    seat_fields = ("session__uid", "person__email", "status", "seat_number", "position", "from_waitlist")
    seed(NOW)
    first = (
        list(GroupSession.objects.order_by("start", "host__email").values_list(*fields)),
        list(Seat.objects.order_by("session__uid", "person__email", "joined_at").values_list(*seat_fields)),
        list(
            Question.objects.order_by("created_at", "text").values_list("text", "anonymous", "author__email")
        ),
    )
    User.objects.all().delete()
    seed(NOW)

    assert (
        list(GroupSession.objects.order_by("start", "host__email").values_list(*fields)),
        list(Seat.objects.order_by("session__uid", "person__email", "joined_at").values_list(*seat_fields)),
        list(
            Question.objects.order_by("created_at", "text").values_list("text", "anonymous", "author__email")
        ),
    ) == first


@pytest.mark.django_db
def test_seed_demo_reports_group_sessions_and_nobody_joined_one_before_joining_sidebar():
    out = StringIO()
    call_command("seed_demo", mentors=20, employees=50, stdout=out)

    assert "group sessions" in out.getvalue()
    assert "group seats: " in out.getvalue()
    assert GroupSession.objects.exists()
    assert not Seat.objects.filter(joined_at__lt=F("person__date_joined")).exists()
    assert not GroupSession.objects.filter(created_at__lt=F("host__date_joined")).exists()
    assert not Seat.objects.filter(session__start__lt=F("person__date_joined")).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("mentors", "employees"), [(0, 0), (1, 3)])
def test_a_tiny_organisation_still_gets_group_sessions_that_keep_the_rules(mentors, employees):
    call_command("seed_demo", mentors=mentors, employees=employees, weeks_of_history=2, stdout=StringIO())

    assert GroupSession.objects.filter(host__email="mentor@example.com").exists()
    for session in GroupSession.objects.all():
        assert session.seats.filter(status="seated").count() == session.seats_taken <= session.capacity


@pytest.mark.django_db
def test_weekly_office_hours_keep_the_hosts_wall_clock_across_a_dst_change():
    now = MOMENTS[-1]  # Friday 27 March 2026: Europe's clocks go forward on Sunday 29 March
    people, _ = seed(now)

    host = User.objects.get(pk=people.mentor_id)
    starts = list(
        GroupSession.objects.filter(host=host, series__isnull=False)
        .order_by("start")
        .values_list("start", flat=True)
    )
    zone = get_zone(host.timezone)
    assert {start.astimezone(zone).utcoffset() for start in starts} == {
        timedelta(hours=1),
        timedelta(hours=2),
    }
    assert len({(start.astimezone(zone).weekday(), start.astimezone(zone).time()) for start in starts}) == 1
