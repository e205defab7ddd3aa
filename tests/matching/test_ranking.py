"""The pure ranking engine: rules no score outweighs, the terms of the score, and the reasons it gives."""

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.slots import Interval
from matching.ranking import (
    AskedSkill,
    Candidate,
    Need,
    OfferedSkill,
    Weights,
    bayesian_rating,
    pool_order_key,
    rank,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 08:00 UTC
THIS_MONDAY = date(2026, 11, 23)
SPEAKING = AskedSkill(1, "Public speaking")
STORY = AskedSkill(2, "Storytelling")
NEED = Need(
    asker_id=999,
    skills=(SPEAKING,),
    needed_by=datetime(2026, 11, 26, 17, 0, tzinfo=UTC),  # Thursday 17:00
    duration_minutes=30,
    asker_timezone="Europe/London",
)


def slot_at(start: datetime, minutes: int = 30) -> Interval:
    return Interval(start, start + timedelta(minutes=minutes))


TUESDAY_2PM = slot_at(datetime(2026, 11, 24, 14, 0, tzinfo=UTC))


def mentor(mentor_id: int, *, levels: dict[int, int] | None = None, **fields) -> Candidate:
    levels = levels if levels is not None else {SPEAKING.skill_id: 2}
    fields.setdefault("slot", TUESDAY_2PM)
    fields.setdefault("weekly_minutes_cap", 120)
    fields.setdefault("timezone", "Europe/London")
    return Candidate(
        mentor_id=mentor_id,
        skills=tuple(OfferedSkill(skill_id, level) for skill_id, level in levels.items()),
        **fields,
    )


def order(candidates, need=NEED, **kwargs) -> list[int]:
    return [match.mentor_id for match in rank(need, candidates, NOW, **kwargs)]


# --- Who is never listed ---


def test_the_asker_a_paused_mentor_and_mentors_without_a_slot_before_the_deadline_are_never_listed():
    candidates = [
        mentor(NEED.asker_id),
        mentor(2, accepting=False),
        mentor(3, slot=None),
        mentor(4, slot=slot_at(NEED.needed_by - timedelta(minutes=20))),  # ends after the deadline
        mentor(5, slot=slot_at(NOW - timedelta(hours=1))),  # in the past
        mentor(6, levels={99: 3}),  # knows nothing asked
        mentor(7),
    ]
    assert order(candidates) == [7]


def test_a_slot_ending_exactly_at_the_deadline_is_listed():
    assert order([mentor(1, slot=slot_at(NEED.needed_by - timedelta(minutes=30)))]) == [1]


def test_at_most_ten_are_listed():
    assert len(order([mentor(mentor_id) for mentor_id in range(1, 30)])) == 10


# --- The terms of the score ---


def test_among_equally_skilled_mentors_with_free_slots_the_less_loaded_ranks_higher():
    busy = mentor(1, held_recently=6)
    light = mentor(2, held_recently=0)
    middling = mentor(3, held_recently=2)
    assert order([busy, light, middling]) == [2, 3, 1]


def test_a_mentor_near_their_weekly_cap_falls_below_one_with_room():
    nearly_full = mentor(1, booked_minutes_by_week={THIS_MONDAY: 90})  # 90 + 30 of 120
    with_room = mentor(2, booked_minutes_by_week={THIS_MONDAY: 0})
    assert order([nearly_full, with_room]) == [2, 1]


def test_covering_every_asked_skill_beats_a_lighter_load():
    need = replace(NEED, skills=(SPEAKING, STORY))
    both = mentor(1, levels={1: 2, 2: 2}, held_recently=8, booked_minutes_by_week={THIS_MONDAY: 60})
    one = mentor(2, levels={1: 3}, held_recently=0)
    assert order([one, both], need=need) == [1, 2]


def test_an_expert_beats_working_knowledge_all_else_equal():
    assert order([mentor(1, levels={1: 1}), mentor(2, levels={1: 3})]) == [2, 1]


def test_a_slot_comfortably_before_the_deadline_beats_one_just_before_it():
    just_before = mentor(1, slot=slot_at(NEED.needed_by - timedelta(minutes=40)))
    comfortable = mentor(2, slot=slot_at(datetime(2026, 11, 25, 10, 0, tzinfo=UTC)))
    assert order([just_before, comfortable]) == [2, 1]


def test_a_new_mentor_is_not_ranked_below_a_mentor_with_one_bad_review():
    new = mentor(2)
    one_bad_review = mentor(1, rating_average=1.0, rating_count=1, held_total=1)
    assert order([one_bad_review, new]) == [2, 1]
    assert bayesian_rating(new) > bayesian_rating(one_bad_review)


def test_many_good_reviews_beat_none_and_no_shows_cost_points():
    praised = mentor(1, rating_average=4.9, rating_count=20, held_total=20)
    new = mentor(2)
    unreliable = mentor(
        3, rating_average=4.9, rating_count=20, held_total=20, no_shows=6, cancelled_by_mentor=4
    )
    assert order([unreliable, new, praised]) == [1, 2, 3]


def test_preferences_lift_mentors_who_meet_them():
    need = replace(NEED, asker_department_id=10, prefer_other_department=True, prefer_same_timezone=True)
    same_department = mentor(1, department_id=10, timezone="Europe/London")
    other_department = mentor(2, department_id=20, timezone="Europe/London")
    far_away = mentor(3, department_id=20, timezone="Asia/Tokyo")
    assert order([same_department, far_away, other_department], need=need) == [2, 1, 3]


def test_without_preferences_department_and_zone_do_not_matter():
    assert order([mentor(2, department_id=20), mentor(1, department_id=10)]) == [1, 2]


def test_equal_scores_are_ordered_by_mentor_id():
    assert order([mentor(5), mentor(3), mentor(4)]) == [3, 4, 5]


def test_weights_live_in_one_place_and_change_the_order():
    light_novice = mentor(1, levels={1: 1}, held_recently=0)
    busy_expert = mentor(2, levels={1: 3}, held_recently=12, booked_minutes_by_week={THIS_MONDAY: 60})
    assert order([light_novice, busy_expert]) == [1, 2]
    assert order([light_novice, busy_expert], weights=Weights(load=0.0)) == [2, 1]


def test_the_pool_order_puts_coverage_first_then_a_fair_order_seeded_by_the_request():
    need = replace(NEED, skills=(SPEAKING, STORY))

    def key(mentor_id, skills, asker=NEED.asker_id):
        return pool_order_key(
            replace(need, asker_id=asker), mentor_id, skills, department_id=None, timezone="UTC", at=NOW
        )

    assert key(50, {1, 2}) < key(1, {1})
    ids = list(range(1, 200))
    first_for = {asker: sorted(ids, key=partial(key, skills={1}, asker=asker))[:10] for asker in (7, 8)}
    assert first_for[7] != first_for[8]
    assert first_for[7] != ids[:10]


# --- Reasons ---


def test_reasons_name_the_skills_the_slot_in_the_askers_zone_and_the_rating():
    need = replace(NEED, asker_timezone="Asia/Tokyo", skills=(SPEAKING, STORY))
    candidate = mentor(
        1, levels={1: 3, 2: 2}, rating_average=4.8, rating_count=12, held_total=12, held_recently=3
    )
    [match] = rank(need, [candidate], NOW)
    # Tuesday 14:00 UTC is Tuesday 23:00 in Tokyo; the deadline is Friday 02:00 there.
    assert match.reasons[:2] == (
        "Knows Public speaking (expert) and Storytelling",
        "Free tomorrow 23:00, 2 days before your deadline",
    )
    assert "Rated 4.8 by 12 colleagues" in match.reasons
    assert 2 <= len(match.reasons) <= 4


def test_reasons_say_which_asked_skill_is_missing_and_when_the_slot_is_this_week():
    need = replace(NEED, skills=(SPEAKING, STORY))
    [match] = rank(need, [mentor(1, levels={1: 2})], NOW)
    assert match.reasons[0] == "Knows Public speaking, not Storytelling"
    assert "Has time this week" in match.reasons


def test_slot_wording_for_today_a_weekday_and_further_ahead():
    far = replace(NEED, needed_by=datetime(2026, 12, 20, 17, tzinfo=UTC))

    def slot_reason(start, need=NEED):
        return rank(need, [mentor(1, slot=slot_at(start))], NOW)[0].reasons[1]

    assert (
        slot_reason(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
        == "Free today 15:00, 3 days before your deadline"
    )
    assert (
        slot_reason(datetime(2026, 11, 26, 14, 0, tzinfo=UTC))
        == "Free Thu 14:00, 2 hours before your deadline"
    )
    assert (
        slot_reason(datetime(2026, 11, 26, 16, 0, tzinfo=UTC))
        == "Free Thu 16:00, 30 minutes before your deadline"
    )
    assert (
        slot_reason(datetime(2026, 12, 3, 9, 30, tzinfo=UTC), need=far)
        == "Free Thu 3 Dec 09:30, 17 days before your deadline"
    )


def test_a_new_mentor_is_introduced_as_such():
    [match] = rank(NEED, [mentor(1)], NOW)
    assert "New to mentoring on Sidebar" in match.reasons


# --- Properties over generated input ---

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZONES = ("Europe/London", "Asia/Tokyo", "America/New_York", "Asia/Kathmandu", "Australia/Sydney")


@st.composite
def cases(draw):
    skills = tuple(
        AskedSkill(skill_id, f"Skill {skill_id}")
        for skill_id in draw(st.sets(st.integers(1, 6), min_size=1, max_size=3))
    )
    needed_by = NOW + timedelta(minutes=draw(st.integers(30, 60 * 24 * 20)))
    duration = draw(st.sampled_from((20, 30)))
    need = Need(
        asker_id=draw(st.integers(1, 40)),
        skills=skills,
        needed_by=needed_by,
        duration_minutes=duration,
        asker_timezone=draw(st.sampled_from(ZONES)),
        asker_department_id=draw(st.none() | st.integers(1, 3)),
        prefer_other_department=draw(st.booleans()),
        prefer_same_timezone=draw(st.booleans()),
    )
    candidates = []
    for mentor_id in draw(st.sets(st.integers(1, 40), max_size=25)):
        offset = draw(st.none() | st.integers(-120, 60 * 24 * 22))
        slot = None if offset is None else slot_at(NOW + timedelta(minutes=offset), duration)
        cap = draw(st.none() | st.sampled_from((0, 30, 60, 120, 240)))
        zone = draw(st.sampled_from(ZONES))
        rating_count = draw(st.integers(0, 30))
        candidates.append(
            Candidate(
                mentor_id=mentor_id,
                skills=tuple(
                    OfferedSkill(skill_id, draw(st.integers(1, 3)))
                    for skill_id in draw(st.sets(st.integers(1, 8), max_size=4))
                ),
                slot=slot,
                accepting=draw(st.booleans()) or draw(st.booleans()),
                timezone=zone,
                department_id=draw(st.none() | st.integers(1, 3)),
                weekly_minutes_cap=cap,
                booked_minutes_by_week={THIS_MONDAY: draw(st.integers(0, 300))},
                held_recently=draw(st.integers(0, 20)),
                held_total=draw(st.integers(0, 100)),
                no_shows=draw(st.integers(0, 5)),
                cancelled_by_mentor=draw(st.integers(0, 5)),
                rating_average=draw(st.floats(1, 5)) if rating_count else None,
                rating_count=rating_count,
            )
        )
    return need, candidates


@PROPERTY_SETTINGS
@given(cases())
def test_property_never_the_asker_nor_a_paused_mentor_and_every_slot_is_before_the_deadline(case):
    need, candidates = case
    by_id = {candidate.mentor_id: candidate for candidate in candidates}
    for match in rank(need, candidates, NOW):
        assert match.mentor_id != need.asker_id
        assert by_id[match.mentor_id].accepting
        assert match.slot.start >= NOW
        assert match.slot.end <= need.needed_by
        assert match.slot == by_id[match.mentor_id].slot


@PROPERTY_SETTINGS
@given(cases())
def test_property_scores_are_sorted_ties_by_id_and_nobody_left_out_scores_higher(case):
    need, candidates = case
    matches = rank(need, candidates, NOW, top=len(candidates) + 1)
    keys = [(-match.parts.total, match.mentor_id) for match in matches]
    assert keys == sorted(keys)
    assert [match.rank for match in matches] == list(range(1, len(matches) + 1))
    top = rank(need, candidates, NOW)
    assert [match.mentor_id for match in top] == [match.mentor_id for match in matches[:10]]


@PROPERTY_SETTINGS
@given(cases())
def test_property_every_match_has_two_to_four_non_empty_reasons(case):
    need, candidates = case
    for match in rank(need, candidates, NOW):
        assert 2 <= len(match.reasons) <= 4
        assert all(isinstance(reason, str) and reason.strip() for reason in match.reasons)
        assert match.reasons[0].startswith("Knows ")
        assert match.reasons[1].startswith("Free ")


@PROPERTY_SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_property_the_same_input_in_any_order_gives_the_same_output(case, rng: random.Random):
    need, candidates = case
    shuffled = list(candidates)
    rng.shuffle(shuffled)
    assert rank(need, shuffled, NOW) == rank(need, candidates, NOW)


# --- Working hours ---

TUESDAY_0030_LONDON = slot_at(datetime(2026, 11, 24, 0, 30, tzinfo=UTC))  # GMT: London's wall clock is UTC
TUESDAY_1000_LONDON = slot_at(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


def test_a_slot_at_half_past_midnight_for_the_asker_ranks_below_one_at_ten_though_sooner():
    at_night = mentor(1, slot=TUESDAY_0030_LONDON, in_asker_hours=False, in_mentor_hours=True)
    at_ten = mentor(2, slot=TUESDAY_1000_LONDON, in_asker_hours=True, in_mentor_hours=True)

    assert order([at_night, at_ten]) == [2, 1]
    # Not by its id or by chance: the same with the ids swapped.
    assert order([replace(at_night, mentor_id=2), replace(at_ten, mentor_id=1)]) == [1, 2]


def test_inside_working_hours_outweighs_all_of_urgency():
    # Free in an hour outside hours, against a slot inside hours that ends as late as the deadline allows.
    soon = mentor(1, slot=slot_at(NOW + timedelta(hours=1)), in_asker_hours=True, in_mentor_hours=False)
    last_minute = mentor(
        2, slot=slot_at(NEED.needed_by - timedelta(minutes=30)), in_asker_hours=True, in_mentor_hours=True
    )
    [first, second] = rank(NEED, [soon, last_minute], NOW)

    assert (first.mentor_id, second.mentor_id) == (2, 1)
    assert first.parts.working_hours == Weights().working_hours
    assert second.parts.working_hours == 0
    assert second.parts.urgency > first.parts.urgency


def test_inside_working_hours_outweighs_every_other_term_together():
    # The best a candidate can be outside working hours against the worst inside them, for two asked skills.
    need = replace(NEED, skills=(SPEAKING, STORY), prefer_other_department=True, prefer_same_timezone=True)
    best_at_night = mentor(
        1,
        levels={SPEAKING.skill_id: 3, STORY.skill_id: 3},
        slot=TUESDAY_0030_LONDON,
        in_asker_hours=False,
        in_mentor_hours=True,
        department_id=7,
        rating_average=5.0,
        rating_count=50,
        held_total=50,
        weekly_minutes_cap=None,
    )
    worst_by_day = mentor(
        2,
        levels={SPEAKING.skill_id: 1},
        slot=slot_at(NEED.needed_by - timedelta(minutes=30)),
        in_asker_hours=True,
        in_mentor_hours=True,
        timezone="Asia/Tokyo",
        rating_average=1.0,
        rating_count=50,
        held_recently=50,
        held_total=50,
        no_shows=20,
        cancelled_by_mentor=20,
        weekly_minutes_cap=60,
        booked_minutes_by_week={date(2026, 11, 23): 30},
    )
    need = replace(need, asker_department_id=3)

    [first, second] = rank(need, [best_at_night, worst_by_day], NOW)

    assert (first.mentor_id, second.mentor_id) == (2, 1)
    assert first.score > second.score  # the score the API shows says so too
    weights = Weights()
    others = (
        weights.skill_coverage + weights.skill_level + weights.urgency + weights.load + weights.quality
    ) + 2 * weights.preference
    assert weights.working_hours > others


def test_among_slots_inside_working_hours_knowing_what_was_asked_still_leads():
    need = replace(NEED, skills=(SPEAKING, STORY))
    knows_both = mentor(1, levels={1: 2, 2: 2}, in_asker_hours=True, in_mentor_hours=True)
    knows_one = mentor(2, levels={1: 3}, in_asker_hours=True, in_mentor_hours=True)
    assert order([knows_one, knows_both], need=need) == [1, 2]
    # And among slots outside them alike.
    night_one, night_both = (replace(item, in_asker_hours=False) for item in (knows_one, knows_both))
    assert order([night_one, night_both], need=need) == [1, 2]


def test_the_slot_reason_says_whose_working_hours_it_is_in_or_outside():
    def slot_reason(**hours):
        return rank(NEED, [mentor(1, slot=TUESDAY_0030_LONDON, **hours)], NOW)[0].reasons[1]

    assert slot_reason(in_asker_hours=True, in_mentor_hours=True) == (
        "Free tomorrow 00:30 in both your working hours, 2 days before your deadline"
    )
    assert slot_reason(in_asker_hours=False, in_mentor_hours=True) == (
        "Free tomorrow 00:30, outside your working hours, 2 days before your deadline"
    )
    assert slot_reason(in_asker_hours=True, in_mentor_hours=False) == (
        "Free tomorrow 00:30, outside their working hours, 2 days before your deadline"
    )
    assert slot_reason(in_asker_hours=False, in_mentor_hours=False) == (
        "Free tomorrow 00:30, outside your working hours and theirs, 2 days before your deadline"
    )
    # Hours nobody gave the engine: no claim either way, and no points.
    assert slot_reason() == "Free tomorrow 00:30, 2 days before your deadline"
    assert rank(NEED, [mentor(1)], NOW)[0].parts.working_hours == 0
