import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from demo.people import seed_people
from demo.reflections import seed_moments
from demo.sessions import seed_sessions
from marketplace.models import MentorProfile, User
from marketplace.schedules import slot_is_bookable
from marketplace.timezones import get_zone
from sessions_app.models import Booking, Feedback, FollowUp, Moment
from sessions_app.selectors import MOMENTS_WEEKLY_GOAL, moment_progress


@pytest.fixture(autouse=True)
def _debug_on(settings):
    settings.DEBUG = True


def seed(now, seed_value=3, weeks=6, mentors=15):
    rng = random.Random(seed_value)
    people = seed_people(rng=rng, mentors=mentors, employees=40, progress=lambda *args: None)
    result = seed_sessions(
        rng=rng,
        mentee_ids=people.mentee_pool,
        demo_mentor_id=people.mentor_id,
        demo_mentee_id=people.mentee_id,
        in_demand_mentor_ids=people.in_demand_mentor_ids,
        weeks_of_history=weeks,
        progress=lambda *args: None,
        now=now,
    )
    return people, result


@pytest.mark.django_db
def test_history_has_every_outcome_and_upcoming_sessions_are_confirmed():
    now = timezone.now()
    _, result = seed(now)

    by_status = dict(Booking.objects.values_list("status").annotate(n=Count("id")))
    assert set(by_status) == {"completed", "cancelled", "no_show", "confirmed"}
    assert result.sessions == sum(by_status.values())
    assert result.upcoming == by_status["confirmed"] > 0
    assert not Booking.objects.filter(status="confirmed", start__lte=now).exists()
    assert not Booking.objects.exclude(status="confirmed").filter(end__gt=now).exists()
    assert Booking.objects.filter(start__lt=now - timedelta(weeks=5)).exists()
    assert not Booking.objects.filter(start__lt=now - timedelta(weeks=7, days=1)).exists()


@pytest.mark.django_db
def test_every_upcoming_demo_session_is_one_the_slot_engine_would_have_offered():
    now = timezone.now()
    seed(now)

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
def test_no_person_is_in_two_demo_sessions_at_once():
    seed(timezone.now())

    for field in ("mentor_id", "mentee_id"):
        rows = sorted(Booking.objects.values_list(field, "start", "end"))
        for (person, _, end), (next_person, next_start, _) in pairwise(rows):
            assert person != next_person or end <= next_start


@pytest.mark.django_db
def test_feedback_is_only_on_completed_sessions_by_their_participants():
    seed(timezone.now())

    assert Feedback.objects.exists()
    assert not Feedback.objects.exclude(booking__status="completed").exists()
    for feedback in Feedback.objects.select_related("booking"):
        expected = feedback.booking.mentee_id if feedback.role == "mentee" else feedback.booking.mentor_id
        assert feedback.author_id == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 30, 0, 5, tzinfo=UTC),  # a Monday just begun
        datetime(2026, 12, 3, 13, 10, tzinfo=UTC),  # the Thursday afternoon that once had none
        datetime(2026, 12, 4, 18, 0, tzinfo=UTC),
        datetime(2026, 12, 6, 23, 50, tzinfo=UTC),  # Sunday night: only next week is left
    ],
)
@pytest.mark.parametrize("seed_value", [3, 11])
def test_the_demo_logins_have_sessions_together_past_and_upcoming(now, seed_value):
    people, _ = seed(now, seed_value=seed_value)

    together = Booking.objects.filter(mentor_id=people.mentor_id, mentee_id=people.mentee_id)
    assert together.filter(status="confirmed").exists()
    assert together.filter(status="completed").exists()


@pytest.mark.django_db
def test_the_same_seed_and_clock_give_the_same_sessions():
    now = timezone.now()
    fields = ("mentor__email", "mentee__email", "start", "duration", "status", "topic", "uid")
    seed(now)
    first = list(Booking.objects.order_by("start", "mentor__email").values_list(*fields))
    User.objects.all().delete()
    seed(now)

    assert list(Booking.objects.order_by("start", "mentor__email").values_list(*fields)) == first


@pytest.mark.django_db
def test_seed_demo_reports_sessions_and_respects_weeks_of_history():
    out = StringIO()
    call_command("seed_demo", mentors=8, employees=20, weeks_of_history=0, stdout=out)

    assert "sessions" in out.getvalue()
    assert (
        not Booking.objects.exclude(status="confirmed")
        .exclude(start__gte=timezone.now() - timedelta(days=7))
        .exists()
    )


@pytest.mark.django_db
def test_mentors_in_demand_are_booked_close_to_their_cap_every_past_week():
    now = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # mid-week: each zone's past weeks are all seeded
    people, _ = seed(now, mentors=40, weeks=4)

    assert len(people.in_demand_mentor_ids) == 2  # 5% of 40
    for mentor_id in people.in_demand_mentor_ids:
        profile = MentorProfile.objects.get(user_id=mentor_id)
        zone = get_zone(profile.availability_timezone)
        minutes: Counter[tuple[int, int]] = Counter()
        for start, duration in Booking.objects.filter(mentor_id=mentor_id).values_list("start", "duration"):
            minutes[start.astimezone(zone).isocalendar()[:2]] += duration
        past_weeks = [(now.astimezone(zone) - timedelta(weeks=n)).isocalendar()[:2] for n in range(1, 5)]
        assert all(0.7 * profile.weekly_minutes_cap <= minutes[week] for week in past_weeks), minutes
        assert max(minutes.values()) <= profile.weekly_minutes_cap


@pytest.mark.django_db
def test_follow_ups_come_a_week_after_completed_sessions_and_never_sooner():
    now = timezone.now()
    _, result = seed(now)

    follow_ups = FollowUp.objects.select_related("booking")
    assert result.follow_ups == follow_ups.count() > 0
    assert not follow_ups.exclude(booking__status="completed").exists()
    for follow_up in follow_ups:
        assert follow_up.booking.end + timedelta(days=7) <= follow_up.created_at <= now
    FollowUp.objects.all().delete()
    User.objects.all().delete()
    _, recent = seed(now, weeks=0)
    assert recent.sessions > 0
    assert recent.follow_ups == FollowUp.objects.count() == 0


@pytest.mark.django_db
def test_seeded_moments_stay_in_the_past_and_give_the_demo_mentee_a_streak():
    now = timezone.now()
    people, _ = seed(now, weeks=3)

    made = seed_moments(
        rng=random.Random(4),
        demo_mentee_id=people.mentee_id,
        weeks_of_history=3,
        progress=lambda *a: None,
        now=now,
    )

    assert made == Moment.objects.count() > 0
    assert not Moment.objects.filter(happened_on__lt=(now - timedelta(weeks=4, days=1)).date()).exists()
    assert not Moment.objects.exclude(author_id=people.mentee_id).filter(happened_on__gte=now.date()).exists()
    mentee = User.objects.get(pk=people.mentee_id)
    progress = moment_progress(mentee, today=now.astimezone(get_zone(mentee.timezone)).date())
    assert progress.this_week >= MOMENTS_WEEKLY_GOAL
    assert progress.streak_weeks >= 3
