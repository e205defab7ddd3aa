"""Candidate generation against the database: real schedules, real bookings, fixed query counts."""

from datetime import UTC, datetime, time, timedelta

import pytest

from marketplace.models import AvailabilityBlock, MentorProfile, TimeOff, User, UserSkill
from marketplace.schedules import slot_is_bookable
from matching import candidates
from matching.ranking import AskedSkill, Need, pool_order_key
from sessions_app.models import Booking
from tests.factories import BookingFactory, SkillFactory, UserFactory

THURSDAY_5PM = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


def need_of(asker, skills, *, needed_by=THURSDAY_5PM, duration=30, **preferences) -> Need:
    return Need(
        asker_id=asker.pk,
        skills=tuple(AskedSkill(skill.pk, skill.name) for skill in skills),
        needed_by=needed_by,
        duration_minutes=duration,
        asker_timezone=asker.timezone,
        asker_department_id=asker.department_id,
        **preferences,
    )


def matched_ids(need, now) -> list[int]:
    return [match.mentor_id for match in candidates.find_matches(need, now=now).matches]


def test_every_match_is_bookable_at_that_moment_by_the_booking_check(
    mentee, make_mentor, speaking, storytelling, frozen_monday
):
    sydney = make_mentor(skills=[(speaking, 3)], timezone="Australia/Sydney", hours=(time(8), time(10)))
    kathmandu = make_mentor(skills=[(speaking, 2), (storytelling, 2)], timezone="Asia/Kathmandu")
    noticed = make_mentor(skills=[(storytelling, 1)], timezone="America/New_York")
    MentorProfile.objects.filter(user=noticed).update(min_notice_minutes=60 * 24, buffer_minutes=15)
    buffered = make_mentor(skills=[(speaking, 1)])
    MentorProfile.objects.filter(user=buffered).update(buffer_minutes=30)
    BookingFactory(mentor=buffered, start=datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    away = make_mentor(skills=[(speaking, 3)])
    TimeOff.objects.create(mentor=away, start=frozen_monday, end=frozen_monday + timedelta(days=2))
    # The asker is busy on Monday morning with someone else.
    BookingFactory(mentee=mentee, start=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    need = need_of(mentee, [speaking, storytelling])

    matches = candidates.find_matches(need, now=frozen_monday).matches

    assert {match.mentor_id for match in matches} == {
        sydney.pk,
        kathmandu.pk,
        noticed.pk,
        buffered.pk,
        away.pk,
    }
    for match in matches:
        assert match.slot.end <= need.needed_by
        assert slot_is_bookable(
            match.mentor_id,
            asker_id=mentee.pk,
            start=match.slot.start,
            duration_minutes=30,
            now=frozen_monday,
        ), match
    by_id = {match.mentor_id: match for match in matches}
    assert by_id[buffered.pk].slot.start == datetime(
        2026, 11, 23, 10, 30, tzinfo=UTC
    )  # after 09:30–10:00 + 30
    assert by_id[away.pk].slot.start == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # back on Wednesday
    assert by_id[kathmandu.pk].slot.start.minute % 10 == 5  # Kathmandu's grid is :05, :15 ... in UTC


def test_the_slot_is_over_by_the_deadline_and_a_slot_crossing_it_is_not_offered(
    mentee, make_mentor, speaking, frozen_monday
):
    mentor = make_mentor(skills=[(speaking, 2)], weekdays=[0], hours=(time(16, 0), time(17, 0)))
    just_fits = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)

    assert matched_ids(need_of(mentee, [speaking], needed_by=just_fits), frozen_monday) == [mentor.pk]
    assert (
        matched_ids(need_of(mentee, [speaking], needed_by=just_fits - timedelta(minutes=1)), frozen_monday)
        == []
    )


def test_the_asker_paused_mentors_and_mentors_without_the_length_are_left_out(
    make_mentor, speaking, frozen_monday
):
    asker = make_mentor(skills=[(speaking, 3)])
    paused = make_mentor(skills=[(speaking, 3)])
    MentorProfile.objects.filter(user=paused).update(accepting=False)
    twenty_only = make_mentor(skills=[(speaking, 3)])
    MentorProfile.objects.filter(user=twenty_only).update(session_lengths=[20])
    former = make_mentor(skills=[(speaking, 3)])
    User.objects.filter(pk=former.pk).update(is_mentor=False)
    ok = make_mentor(skills=[(speaking, 1)])

    assert matched_ids(need_of(asker, [speaking]), frozen_monday) == [ok.pk]
    assert set(matched_ids(need_of(asker, [speaking], duration=20), frozen_monday)) == {ok.pk, twenty_only.pk}


def test_among_equally_skilled_mentors_the_one_with_less_recent_load_ranks_higher(
    mentee, make_mentor, speaking, frozen_monday
):
    busy, light, middling = (make_mentor(skills=[(speaking, 2)]) for _ in range(3))
    for mentor, held in ((busy, 5), (middling, 2)):
        for days_ago in range(1, held + 1):
            BookingFactory(
                mentor=mentor,
                start=frozen_monday - timedelta(days=days_ago * 4),
                status=Booking.Status.COMPLETED,
            )
    # Held long ago: does not count as recent load.
    BookingFactory(mentor=light, start=frozen_monday - timedelta(weeks=10), status=Booking.Status.COMPLETED)

    assert matched_ids(need_of(mentee, [speaking]), frozen_monday) == [light.pk, middling.pk, busy.pk]


def test_booked_minutes_this_week_push_a_mentor_down(mentee, make_mentor, speaking, frozen_monday):
    booked, free = make_mentor(skills=[(speaking, 2)]), make_mentor(skills=[(speaking, 2)])
    for profile in MentorProfile.objects.filter(user__in=[booked, free]):
        profile.weekly_minutes_cap = 120
        profile.save()
    BookingFactory(mentor=booked, start=datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
    BookingFactory(mentor=booked, start=datetime(2026, 11, 26, 14, 0, tzinfo=UTC))

    assert matched_ids(need_of(mentee, [speaking]), frozen_monday) == [free.pk, booked.pk]


def test_a_mentor_at_their_weekly_cap_is_not_offered_for_that_week(
    mentee, make_mentor, speaking, frozen_monday
):
    capped = make_mentor(skills=[(speaking, 3)])
    MentorProfile.objects.filter(user=capped).update(weekly_minutes_cap=60)
    BookingFactory(mentor=capped, start=datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    BookingFactory(mentor=capped, start=datetime(2026, 11, 25, 10, 0, tzinfo=UTC))

    assert matched_ids(need_of(mentee, [speaking]), frozen_monday) == []

    next_wednesday = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    [match] = candidates.find_matches(
        need_of(mentee, [speaking], needed_by=next_wednesday), now=frozen_monday
    ).matches
    assert match.mentor_id == capped.pk
    assert match.slot.start == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday of the next week


def test_the_shortlist_is_widened_when_too_few_of_its_mentors_have_a_slot(
    mentee, make_mentor, speaking, frozen_monday, monkeypatch
):
    mentors = [make_mentor(skills=[(speaking, 2)], weekdays=[]) for _ in range(5)]
    need = need_of(mentee, [speaking])

    def pool_key(user):
        return pool_order_key(
            need, user.pk, {speaking.pk}, department_id=user.department_id, timezone="UTC", at=frozen_monday
        )

    last_in_pool = max(mentors, key=pool_key)  # the only one with time
    AvailabilityBlock.objects.create(mentor=last_in_pool, weekday=1, start=time(9), end=time(17))
    monkeypatch.setattr(candidates, "SHORTLIST", 2)

    assert matched_ids(need, frozen_monday) == [last_in_pool.pk]


def test_the_shortlist_is_widened_when_its_mentors_are_free_only_outside_working_hours(
    mentee, make_mentor, speaking, frozen_monday, monkeypatch
):
    # Everyone is free, but only at night in London except one mentor far down the pool.
    mentors = [make_mentor(skills=[(speaking, 2)], hours=(time(0, 30), time(2))) for _ in range(5)]
    need = need_of(mentee, [speaking])

    def pool_key(user):
        return pool_order_key(
            need, user.pk, {speaking.pk}, department_id=user.department_id, timezone="UTC", at=frozen_monday
        )

    last_in_pool = max(mentors, key=pool_key)
    AvailabilityBlock.objects.filter(mentor=last_in_pool).update(start=time(10), end=time(12))
    monkeypatch.setattr(candidates, "SHORTLIST", 2)
    monkeypatch.setattr(candidates.ranking, "TOP_N", 2)  # the shortlist alone would be "enough" at night

    found = candidates.find_matches(need, now=frozen_monday)

    assert found.matches[0].mentor_id == last_in_pool.pk
    assert found.slots[last_in_pool.pk].in_working_hours


def test_slots_are_computed_only_for_the_shortlist_when_it_has_enough(
    mentee, make_mentor, speaking, frozen_monday, monkeypatch
):
    for _ in range(14):
        make_mentor(skills=[(speaking, 2)])
    calls = []
    real = candidates.first_bookable_slot

    def counting(schedule, **kwargs):
        calls.append(schedule)
        return real(schedule, **kwargs)

    monkeypatch.setattr(candidates, "first_bookable_slot", counting)
    monkeypatch.setattr(candidates, "SHORTLIST", 11)

    assert len(matched_ids(need_of(mentee, [speaking]), frozen_monday)) == 10
    # Each mentor's schedule is asked for the first slot inside working hours, then for a sooner one outside.
    assert len({id(schedule) for schedule in calls}) == 11


def test_mentors_covering_more_asked_skills_enter_the_pool_first(
    mentee, make_mentor, speaking, storytelling, frozen_monday, monkeypatch
):
    both = make_mentor(skills=[(speaking, 1), (storytelling, 1)])
    for _ in range(4):
        make_mentor(skills=[(speaking, 3)])
    monkeypatch.setattr(candidates, "POOL_SIZE", 1)

    assert matched_ids(need_of(mentee, [speaking, storytelling]), frozen_monday) == [both.pk]


def _org(count: int, skill) -> list[User]:
    """`count` mentors with the skill, in four zones, some with bookings: bulk-inserted to stay fast."""
    zones = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo")
    mentors = User.objects.bulk_create(
        User(email=f"bulk{n}@example.com", is_mentor=True, timezone=zones[n % len(zones)])
        for n in range(count)
    )
    MentorProfile.objects.bulk_create(
        MentorProfile(user=user, availability_timezone=user.timezone, min_notice_minutes=0, buffer_minutes=5)
        for user in mentors
    )
    UserSkill.objects.bulk_create(
        UserSkill(user=user, skill=skill, level=1 + n % 3) for n, user in enumerate(mentors)
    )
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=user, weekday=weekday, start=time(9), end=time(12))
        for user in mentors
        for weekday in range(5)
    )
    for n, mentor in enumerate(mentors[:30]):
        BookingFactory(mentor=mentor, start=datetime(2026, 11, 24, 9 + n % 3, 0, tzinfo=UTC))
    return mentors


@pytest.mark.parametrize("count", [30, 300])
def test_matching_runs_ten_queries_whatever_the_number_of_mentors(
    count, mentee, speaking, frozen_monday, django_assert_num_queries
):
    _org(count, speaking)
    need = need_of(mentee, [speaking], needed_by=datetime(2026, 11, 24, 12, 0, tzinfo=UTC))

    # Mentors by skill, blocks, time off, the mentors' and the asker's busy time read in one round (one query
    # per busy provider: bookings, group sessions, own calendars, slots held for waiting lists), everybody's
    # working hours, ratings, track records.
    with django_assert_num_queries(10):
        found = candidates.find_matches(need, now=frozen_monday)

    assert len(found.matches) == 10


def test_a_skill_nobody_offers_costs_one_query(mentee, speaking, frozen_monday, django_assert_num_queries):
    lonely = SkillFactory(name="Origami", slug="origami")
    with django_assert_num_queries(1):
        assert candidates.find_matches(need_of(mentee, [lonely]), now=frozen_monday).matches == []


def test_a_deadline_too_close_for_any_session_costs_no_query(
    mentee, speaking, frozen_monday, django_assert_num_queries
):
    need = need_of(mentee, [speaking], needed_by=frozen_monday + timedelta(minutes=25))
    with django_assert_num_queries(0):
        assert candidates.find_matches(need, now=frozen_monday).matches == []


def test_an_inactive_asker_still_gets_matched_only_with_active_mentors(make_mentor, speaking, frozen_monday):
    asker = UserFactory()
    left = make_mentor(skills=[(speaking, 3)])
    User.objects.filter(pk=left.pk).update(is_active=False)
    stayed = make_mentor(skills=[(speaking, 1)])

    assert matched_ids(need_of(asker, [speaking]), frozen_monday) == [stayed.pk]
