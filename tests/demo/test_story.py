"""The story the default demo history tells on the HR dashboard (issue 8): groups large enough to show, real
differences between them, skill gaps, unmet requests on those gaps, a few overloaded mentors, follow-ups and
moments. Every test seeds the default size (60 mentors, 240 employees, 12 weeks) at a fixed clock."""

import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q

from demo.story import SCARCE_SKILLS, ZONES_SHORT_OF_MENTORS
from insights.regions import region_of
from marketplace.models import Department, JobLevel, MentorProfile, User, UserSkill
from marketplace.timezones import get_zone
from matching.models import MentorRequest
from sessions_app.models import Booking, FollowUp, Moment
from sessions_app.selectors import MOMENTS_WEEKLY_GOAL, moment_progress

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def _debug_on(settings):
    settings.DEBUG = True


def seed_default(seed: int = 1) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", seed=seed, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db) -> str:
    return seed_default()


def requests_per_skill() -> Counter:
    through = MentorRequest.skills.through
    return Counter(through.objects.values_list("skill__slug", flat=True))


def accepting_mentors_per_skill() -> Counter:
    return Counter(
        UserSkill.objects.filter(user__is_mentor=True, user__mentor_profile__accepting=True).values_list(
            "skill__slug", flat=True
        )
    )


def test_every_department_level_and_region_has_at_least_five_people(demo):
    people = User.objects.filter(is_active=True)
    departments = Counter(people.values_list("department__name", flat=True))
    levels = Counter(people.values_list("job_level", flat=True))
    regions = Counter(region_of(zone) for zone in people.values_list("timezone", flat=True))

    assert set(departments) == set(Department.objects.values_list("name", flat=True))
    assert len(departments) >= 8
    assert set(levels) == set(JobLevel.values)
    assert {"americas", "emea", "apac"} <= set(regions)
    for counts in (departments, levels, regions):
        assert min(counts.values()) >= 5, counts


def test_a_handful_of_skills_are_asked_for_far_more_than_offered_and_some_offered_but_rarely_asked(demo):
    requested = requests_per_skill()
    offered = accepting_mentors_per_skill()

    gaps = {slug for slug, asks in requested.items() if asks >= 8 and asks >= 4 * max(offered[slug], 1)}
    assert len(gaps) >= 3, (requested.most_common(8), offered)
    assert len(gaps & set(SCARCE_SKILLS)) >= 3
    idle = [slug for slug, mentors in offered.items() if mentors >= 5 and requested[slug] <= 1]
    assert len(idle) >= 3, offered


def test_unmet_requests_are_mostly_for_the_scarce_skills(demo):
    scarce = Q(skills__slug__in=SCARCE_SKILLS)
    expired = MentorRequest.objects.filter(status="expired")
    open_ = MentorRequest.objects.filter(status="open")

    assert expired.count() >= 10
    assert expired.filter(scarce).distinct().count() >= 0.6 * expired.count()
    assert open_.filter(needed_by__gt=NOW).count() == open_.count() > 0
    decided = MentorRequest.objects.filter(needed_by__lte=NOW)
    scarce_ids = set(decided.filter(scarce).values_list("pk", flat=True))
    booked = set(decided.filter(status="booked").values_list("pk", flat=True))
    others = set(decided.values_list("pk", flat=True)) - scarce_ids
    assert len(booked & scarce_ids) / len(scarce_ids) < 0.5 * len(booked & others) / len(others)


def test_people_far_from_mentors_wait_longer_for_help(demo):
    waits: dict[bool, list[float]] = defaultdict(list)
    for zone, made, start in MentorRequest.objects.filter(status="booked").values_list(
        "asker__timezone", "created_at", "booked_session_start"
    ):
        assert start is not None
        waits[zone in ZONES_SHORT_OF_MENTORS].append((start - made).total_seconds() / 3600)

    assert len(waits[True]) >= 10
    assert len(waits[False]) >= 10
    assert statistics.median(waits[True]) > 1.2 * statistics.median(waits[False])


def test_one_department_takes_part_much_less_than_the_others(demo):
    held = Booking.objects.filter(status="completed")
    took_part = set(held.values_list("mentee_id", flat=True)) | set(held.values_list("mentor_id", flat=True))
    rates = {}
    for name, members in _members_by_department().items():
        rates[name] = len(took_part & members) / len(members)

    overall = len(took_part) / User.objects.count()
    assert 0.4 < overall < 0.85
    assert min(rates.values()) < 0.6 * overall, rates
    assert max(rates.values()) > 1.2 * overall, rates


def _members_by_department() -> dict[str, set[int]]:
    members: dict[str, set[int]] = defaultdict(set)
    for person, name in User.objects.values_list("pk", "department__name"):
        members[name].add(person)
    return members


def test_a_few_mentors_carry_a_clearly_larger_share_and_stay_within_their_caps(demo):
    held = Counter(Booking.objects.filter(status="completed").values_list("mentor_id", flat=True))
    counts = sorted(held.values(), reverse=True)
    busiest_tenth = counts[: max(1, len(counts) // 10)]

    assert sum(busiest_tenth) / sum(counts) >= 0.18  # twice their share of the headcount, give or take

    minutes: dict[tuple, int] = defaultdict(int)
    caps = dict(MentorProfile.objects.values_list("user_id", "weekly_minutes_cap"))
    zones = dict(MentorProfile.objects.values_list("user_id", "availability_timezone"))
    for mentor_id, start, duration in Booking.objects.exclude(status="cancelled").values_list(
        "mentor_id", "start", "duration"
    ):
        local = start.astimezone(get_zone(zones[mentor_id]))
        minutes[mentor_id, local.isocalendar()[:2]] += duration
    assert all(used <= caps[mentor_id] for (mentor_id, _week), used in minutes.items())
    full_weeks = [(NOW - timedelta(weeks=n)).isocalendar()[:2] for n in range(2, 12)]
    near_cap_every_week = [
        mentor_id
        for mentor_id, cap in caps.items()
        if all(minutes[mentor_id, week] >= 0.6 * cap for week in full_weeks)
    ]
    assert 2 <= len(near_cap_every_week) <= 6  # about 5% of 61 mentors


def test_follow_ups_answer_completed_sessions_a_week_after_they_ended(demo):
    follow_ups = list(FollowUp.objects.select_related("booking"))
    eligible = Booking.objects.filter(status="completed", end__lte=NOW - timedelta(days=7))

    assert 0.45 <= len(follow_ups) / eligible.count() <= 0.75
    for follow_up in follow_ups:
        booking = follow_up.booking
        assert booking.status == "completed"
        assert booking.end + timedelta(days=7) <= follow_up.created_at <= NOW
        assert follow_up.outcome in FollowUp.Outcome.values
    outcomes = Counter(follow_up.outcome for follow_up in follow_ups)
    assert outcomes["yes"] > outcomes["partly"] > outcomes["no"] > 0
    assert any(follow_up.note for follow_up in follow_ups)
    assert not all(follow_up.note for follow_up in follow_ups)


def test_the_demo_logins_have_follow_ups_on_their_sessions_together(demo):
    together = FollowUp.objects.filter(
        booking__mentee__email="mentee@example.com", booking__mentor__email="mentor@example.com"
    )
    assert together.exists()


def test_some_people_log_moments_mostly_with_colleagues_and_the_demo_mentee_keeps_a_streak(demo):
    moments = Moment.objects.select_related("author", "with_person")
    authors = set(moments.values_list("author_id", flat=True))

    assert 0.12 <= len(authors) / User.objects.count() <= 0.3
    assert len(set(moments.values_list("kind", flat=True))) >= 4
    with_colleague = 0
    per_author_week: Counter = Counter()
    for moment in moments:
        per_author_week[moment.author_id, moment.happened_on.isocalendar()[:2]] += 1
        assert bool(moment.with_person_id) != bool(moment.with_name), moment
        assert moment.with_person_id != moment.author_id
        assert moment.happened_on <= NOW.astimezone(get_zone(moment.author.timezone)).date()
        with_colleague += (
            moment.with_person is not None and moment.with_person.department_id == moment.author.department_id
        )
    assert with_colleague >= 0.5 * moments.count()
    assert max(per_author_week.values()) <= 3

    mentee = User.objects.get(email="mentee@example.com")
    today = NOW.astimezone(get_zone(mentee.timezone)).date()
    progress = moment_progress(mentee, today=today)
    assert progress.this_week >= MOMENTS_WEEKLY_GOAL
    assert progress.streak_weeks >= 3


@pytest.mark.django_db
def test_the_same_seed_tells_the_same_story_and_another_seed_another():
    def snapshot() -> list[tuple]:
        return [
            *MentorRequest.objects.order_by("created_at", "asker__email", "topic").values_list(
                "asker__email", "created_at", "status", "needed_by", "booked_session_start"
            ),
            *FollowUp.objects.order_by("booking__start", "booking__mentor__email").values_list(
                "booking__mentor__email", "booking__start", "outcome", "note", "created_at"
            ),
            *Moment.objects.order_by("author__email", "happened_on", "created_at").values_list(
                "author__email", "kind", "with_person__email", "with_name", "note", "happened_on"
            ),
        ]

    seed_default(seed=5)
    first = snapshot()
    User.objects.all().delete()
    seed_default(seed=5)
    assert snapshot() == first
    User.objects.all().delete()
    seed_default(seed=6)
    assert snapshot() != first
