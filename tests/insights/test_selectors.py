"""Every figure of the summary on the hand-made organisation of conftest.py, with the arithmetic."""

from datetime import date, timedelta

import pytest

from groups.models import GroupSession
from insights import rollups
from insights.regions import region_of
from insights.selectors.impact import mentor_impact
from insights.selectors.privacy import protect
from insights.selectors.scope import Scope
from insights.selectors.summary import FIGURES, summary
from marketplace.models import AvailabilityBlock
from tests.factories import BookingFactory, DepartmentFactory, MentorFactory, UserFactory
from tests.insights.conftest import JOINED, NOW, W1, W2, at

RANGE = Scope(W1, W2 + timedelta(days=6))


@pytest.fixture
def report(org):
    return summary(RANGE, now=NOW)


def test_the_range_is_widened_to_whole_weeks():
    scope = Scope(date(2025, 3, 5), date(2025, 3, 11))  # a Wednesday to a Tuesday

    assert (scope.start, scope.end) == (date(2025, 3, 3), date(2025, 3, 16))
    assert scope.week_starts() == [date(2025, 3, 3), date(2025, 3, 10)]


def test_employees_participants_and_participation_rate(report):
    # 6 + 5 + 4 people. Held sessions b1 b2 b3 b6 involve m1 e1 s1 m3 e2 s2: 6 people.
    # (b4 was a no-show, b5 cancelled, b0 the week before.) 6 / 15 = 0.4
    assert report["employees"] == 15
    assert report["participants"] == 6
    assert report["participation_rate"] == 0.4


def test_sessions_and_minutes_held(report):
    # b1 30 + b2 20 + b3 30 + b6 30 = 110 minutes in 4 sessions.
    assert report["sessions_held"] == 4
    assert report["minutes_held"] == 110


def test_no_show_and_cancellation_rates(report):
    # Due: 4 held + 1 no-show (b4) → 1/5. Booked to start in the range: b1…b6 = 6, one cancelled (b5) → 1/6.
    assert report["no_show_rate"] == 0.2
    assert report["cancellation_rate"] == round(1 / 6, 4)


def test_ratings_count_the_mentees_feedback_on_held_sessions_only(report):
    # Mentees rated b1 5 (helped), b2 3 (did not), b3 4 (helped): (5 + 3 + 4) / 3 = 4.0; helped 2 / 3.
    # m1's own 1/5 on b1 and e4's 1/5 on b0 (before the range) do not count.
    assert report["avg_rating"] == 4.0
    assert report["helpful_rate"] == round(2 / 3, 4)


def test_cross_department_share(report):
    # b2 (Sales mentee, Eng mentor) and b3 (Eng mentee, Sales mentor) cross; b1 and b6 do not: 2 / 4.
    assert report["cross_department_share"] == 0.5


def test_one_week_unblocked_rate_counts_the_mentees_answers_on_held_sessions(report):
    # Answers on sessions held in the range: b1 yes, b2 no, b3 partly (b6 none) → 3 answers, 1 yes, 1 partly.
    # b0's yes is the week before; b4's yes is on a no-show: neither counts.
    assert report["follow_ups"] == 3
    assert report["unblocked_rate"] == round(1 / 3, 4)
    assert report["partly_unblocked_rate"] == round(1 / 3, 4)


def test_moments_logged_in_the_range(report):
    # e1 twice in W1, s1 and l3 in W2: 4. m1's (W0) and e2's (W3) fall outside the range.
    assert report["moments_logged"] == 4
    assert [week["moments_logged"] for week in report["weekly"]] == [2, 2]


def test_weekly_follow_ups_by_the_week_the_session_started(report):
    # W1: b1 yes, b2 no → 1/2. W2: b3 partly → 0/1.
    assert [week["follow_ups"] for week in report["weekly"]] == [2, 1]
    assert [week["unblocked_rate"] for week in report["weekly"]] == [0.5, 0.0]


def test_median_hours_to_help_and_requests_served_before_their_deadline(report):
    # Booked requests waited 2 h (r1), 22 h (r2), 10 h (r3): the median is 10 h.
    # Served by the deadline: r1 (over at 10:30, deadline 18:00) and r3; r2's 20-minute session ends 10:20,
    # after its 10:15 deadline. Decided: the 3 booked + r4 (deadline passed, never booked); r5's deadline is
    # still ahead. 2 / 4 = 0.5.
    assert report["requests"] == 5
    assert report["median_hours_to_help"] == 10.0
    assert report["served_before_deadline_rate"] == 0.5


def test_mentor_utilisation_is_booked_minutes_over_offered_capacity(report):
    # Capacity a week: m1 min(600, 180) = 180, m2 min(30, 60) = 30, m3 min(120, 180) = 120 → 330;
    # 2 weeks → 660.
    # Booked (confirmed, completed, no-show): m1 30 + 20 + 30 (b4) = 80, m2 0 (b5 cancelled), m3 30 + 30 = 60.
    # 140 / 660 = 0.2121
    assert report["offering_mentors"] == 3
    assert report["offered_minutes"] == 660
    assert report["booked_minutes"] == 140
    assert report["mentor_utilization"] == round(140 / 660, 4)


def test_active_mentors_and_a_load_spread_over_fewer_than_5_mentors_is_not_shown(report):
    # m1 held b1 and b2, m3 held b3 and b6: 2 active mentors, too few to show who carries what.
    assert report["active_mentors"] == 2
    assert report["load_spread"]["suppressed"] == "fewer than 5"
    assert report["load_spread"]["mentors_carrying_half"] is None
    assert report["load_spread"]["slices"] == []


def test_weekly_sessions_participants_requests_and_time_to_help(report):
    # W1: b1 b2 held by m1 e1 s1; requests r1 r2 waited 2 h and 22 h → median 12 h.
    # W2: b3 b6 held by m3 e2 s2, 30 + 30 minutes, b4 a no-show, b5 cancelled; r3 r4 r5 made, r3 waited 10 h.
    assert report["weekly"] == [
        {
            "week_start": W1,
            "sessions": 2,
            "participants": 3,
            "minutes": 50,
            "no_shows": 0,
            "cancellations": 0,
            "requests": 2,
            "median_hours_to_help": 12.0,
            "follow_ups": 2,
            "unblocked_rate": 0.5,
            "moments_logged": 2,
            "group_sessions_held": 1,
            "group_seats_offered": 4,
            "group_seats_filled": 4,
            "group_fill_rate": 1.0,
            "group_attendees": 4,
            "waitlist_conversions": 1,
            "waitlist_conversion_rate": 0.5,
            "withheld": [],
        },
        {
            "week_start": W2,
            "sessions": 2,
            "participants": 3,
            "minutes": 60,
            "no_shows": 1,
            "cancellations": 1,
            "requests": 3,
            "median_hours_to_help": 10.0,
            "follow_ups": 1,
            "unblocked_rate": 0.0,
            "moments_logged": 2,
            "group_sessions_held": 1,
            "group_seats_offered": 3,
            "group_seats_filled": 2,
            "group_fill_rate": 0.6667,
            "group_attendees": 2,
            "waitlist_conversions": 0,
            "waitlist_conversion_rate": 0.0,
            "withheld": [],
        },
    ]


def test_skill_demand_against_supply_with_free_minutes(report):
    # Speaking: r1 r2 r4 asked, r4 unbooked; m1 offers it with 180 − 80 / 2 weeks = 140 free minutes a week.
    # Writing: r3 r5 asked, r5 unbooked; m3 offers it with 120 − 60 / 2 = 90 free minutes a week.
    assert report["skills"] == [
        {
            "slug": "public-speaking",
            "name": "Public speaking",
            "requested": 3,
            "unmet": 1,
            "offered": 1,
            "free_minutes_per_week": 140,
        },
        {
            "slug": "technical-writing",
            "name": "Technical writing",
            "requested": 2,
            "unmet": 1,
            "offered": 1,
            "free_minutes_per_week": 90,
        },
    ]
    assert [gap["slug"] for gap in report["skill_gaps"]] == ["public-speaking", "technical-writing"]
    assert report["skill_gaps"][0]["sentence"] == (
        "Public speaking: 3 requests, 1 without a session; 1 mentor offers it (140 free minutes a week)."
    )


def test_a_department_of_4_is_never_broken_down_and_the_next_smallest_is_hidden_with_it(report):
    by_department = {row["label"]: row for row in report["equity"]["department"]}

    # Legal (4) is under 5. Alone it could be worked out as total − Engineering − Sales, so Sales (the next
    # smallest) is hidden too; Engineering is shown: m1 e1 e2 took part, 3 / 6.
    assert by_department["Legal"]["suppressed"] == "fewer than 5"
    assert by_department["Sales"]["suppressed"] == "hidden to protect a smaller group"
    assert set(by_department["Legal"]) == set(by_department["Sales"]) == {"key", "label", "suppressed"}
    engineering = by_department["Engineering"]
    assert engineering["suppressed"] is None
    assert engineering["employees"] == 6
    assert engineering["participation_rate"] == 0.5
    # Engineering asked r1 (2 h), r3 (10 h) and r5 (open): median 6 h; r1 and r3 served of 2 decided.
    assert engineering["requests"] == 3
    assert engineering["median_hours_to_help"] == 6.0
    assert engineering["served_before_deadline_rate"] == 1.0
    # Its mentees' feedback: b1 helped, b3 helped. One-week answers: b1 yes, b3 partly → 1 / 2.
    assert engineering["helpful_rate"] == 1.0
    assert engineering["unblocked_rate"] == 0.5


def test_job_levels_and_regions(report):
    levels = {row["label"]: row for row in report["equity"]["job_level"]}
    regions = {row["label"]: row for row in report["equity"]["region"]}

    # Two seniors (Legal) are under 5; hiding them alone would let 15 − 13 professionals give them away.
    assert levels["Senior"]["suppressed"] == "fewer than 5"
    assert levels["Professional"]["suppressed"] == "hidden to protect a smaller group"
    # Everyone is in London: one region of 15, 6 of whom took part.
    assert list(regions) == ["Europe, Middle East and Africa"]
    assert regions["Europe, Middle East and Africa"]["participation_rate"] == 0.4


def test_a_department_filter_counts_what_its_people_received_and_gave(org):
    report = summary(Scope(W1, W2, department_id=org.eng.pk), now=NOW)

    # Engineering's mentees received b1 and b3 (held) and b4 (no-show): 2 held, 1 / 3 no-shows.
    assert report["employees"] == 6
    assert report["participants"] == 3  # m1, e1, e2
    assert report["sessions_held"] == 2
    assert report["no_show_rate"] == round(1 / 3, 4)
    # Its mentors: m1 held b1 b2; m2 none. Capacity (180 + 30) × 2 = 420; booked m1 80 → 0.1905.
    assert report["active_mentors"] == 1
    assert report["mentor_utilization"] == round(80 / 420, 4)
    # Requests of its people: r1 r3 r5; the weekly participants are its people only.
    assert report["requests"] == 3
    assert [week["participants"] for week in report["weekly"]] == [2, 1]  # W1 m1 e1; W2 e2
    # Follow-ups of its mentees: b1 yes, b3 partly. Moments by its people: e1's two in W1.
    assert (report["follow_ups"], report["unblocked_rate"], report["partly_unblocked_rate"]) == (2, 0.5, 0.5)
    assert report["moments_logged"] == 2
    assert "department" not in report["equity"]


def test_a_department_filter_that_leaves_4_people_shows_nothing(org):
    report = summary(Scope(W1, W2, department_id=org.legal.pk), now=NOW)

    assert report["suppressed"] == "fewer than 5"
    assert all(report[name] is None for name in FIGURES)
    assert report["weekly"] == report["skills"] == []
    assert report["equity"] == {}


def test_a_department_filter_on_the_group_hiding_a_smaller_one_shows_nothing_either(org):
    # Sales (5) protects Legal: its figures subtracted from the company's would give Legal's away.
    report = summary(Scope(W1, W2, department_id=org.sales.pk), now=NOW)

    assert report["suppressed"] == "hidden to protect a smaller group"
    assert report["employees"] is None


def test_a_company_of_fewer_than_5_people_shows_nothing(db, frozen_now):
    department = DepartmentFactory(name="Tiny")
    for _ in range(4):
        UserFactory(department=department, date_joined=JOINED)
    rollups.refresh(now=NOW, full=True)

    assert summary(RANGE, now=NOW)["suppressed"] == "fewer than 5"


def test_complementary_suppression():
    assert protect({"a": 10, "b": 7, "c": 4}) == {
        "c": "fewer than 5",
        "b": "hidden to protect a smaller group",
    }
    assert protect({"a": 10, "b": 7, "c": 4, "d": 3}) == {"c": "fewer than 5", "d": "fewer than 5"}
    assert protect({"a": 10, "b": 7}) == {}
    assert protect({"a": 10, "b": 0}) == {}


def test_load_spread_counts_the_fewest_mentors_carrying_half_of_the_sessions(db, frozen_now):
    # Six mentors held 6, 2, 1, 1, 1, 1 sessions (12): the busiest alone carries half.
    department = DepartmentFactory(name="Everyone")
    mentee = UserFactory(department=department, date_joined=JOINED)
    for index, count in enumerate((6, 2, 1, 1, 1, 1)):
        mentor = MentorFactory(department=department, date_joined=JOINED)
        for n in range(count):
            BookingFactory(mentor=mentor, mentee=mentee, start=at(W1, n % 5, 8 + index), status="completed")
    rollups.refresh(now=NOW, full=True)

    spread = summary(RANGE, now=NOW)["load_spread"]

    assert spread["active_mentors"] == 6
    assert spread["mentors_carrying_half"] == 1
    assert spread["share_of_mentors_carrying_half"] == round(1 / 6, 4)
    assert spread["suppressed"] is None
    assert spread["slices"] == []  # slices hold at least 5 mentors: 6 make one slice, nothing to compare


def test_the_load_spread_comes_in_slices_of_at_least_5_mentors(db, frozen_now):
    # Ten mentors held 5, 4, 3, 3, 3 and 1, 1, 1, 1, 1 sessions (23): the busiest half held 18 of them.
    department = DepartmentFactory(name="Everyone")
    mentee = UserFactory(department=department, date_joined=JOINED)
    for index, count in enumerate((5, 4, 3, 3, 3, 1, 1, 1, 1, 1)):
        mentor = MentorFactory(department=department, date_joined=JOINED)
        for n in range(count):
            BookingFactory(mentor=mentor, mentee=mentee, start=at(W1, n, 8 + index), status="completed")
    rollups.refresh(now=NOW, full=True)

    spread = summary(RANGE, now=NOW)["load_spread"]

    # Half of 23 is 11.5: 5 + 4 + 3 = 12 reaches it with 3 mentors.
    assert spread["mentors_carrying_half"] == 3
    assert spread["slices"] == [
        {"from_percent": 0, "to_percent": 50, "mentors": 5, "sessions": 18, "share": round(18 / 23, 4)},
        {"from_percent": 50, "to_percent": 100, "mentors": 5, "sessions": 5, "share": round(5 / 23, 4)},
    ]


def test_regions_follow_the_standard_utc_offset():
    assert region_of("America/Sao_Paulo") == "americas"
    assert region_of("Europe/Berlin") == "emea"
    assert region_of("Asia/Dubai") == "emea"
    assert region_of("Asia/Kolkata") == "apac"
    assert region_of("Australia/Sydney") == "apac"  # January is summer there: standard is July
    assert region_of("UTC") == "utc"
    assert region_of("Not/AZone") == "utc"


def test_mentor_impact_is_the_mentors_own_record(org):
    impact = mentor_impact(org.m1.pk, now=NOW)

    # m1 held b0, b1, b2 (b4 was a no-show) with e4, e1, s1: 3 sessions, 3 people, 30 + 30 + 20 minutes.
    # Mentees rated b0 1 (no), b1 5 (yes), b2 3 (no): 9 / 3 = 3.0, helped 1 / 3.
    assert impact["sessions_given"] == 3
    assert impact["people_helped"] == 3
    assert impact["minutes_given"] == 80
    assert impact["avg_rating"] == 3.0
    assert impact["helpful_rate"] == round(1 / 3, 4)
    assert [item["comment"] for item in impact["comments"]] == ["Too rushed.", "Clear and kind."]
    # One-week answers on m1's held sessions: b0 yes, b1 yes, b2 no (b4's is on a no-show) → 2 / 3 yes.
    assert impact["follow_ups"] == 3
    assert impact["unblocked_rate"] == round(2 / 3, 4)
    assert [(row["outcome"], row["count"]) for row in impact["follow_up_outcomes"]] == [
        ("yes", 2),
        ("partly", 0),
        ("no", 1),
    ]
    assert [item["note"] for item in impact["changes"]] == ["Gave the talk; the opening landed."]


def test_mentor_impact_never_shows_another_mentors_follow_ups(org):
    impact = mentor_impact(org.m3.pk, now=NOW)

    # m3 held b3 (partly) and b6 (no answer).
    assert impact["follow_ups"] == 1
    assert [(row["outcome"], row["count"]) for row in impact["follow_up_outcomes"]] == [
        ("yes", 0),
        ("partly", 1),
        ("no", 0),
    ]
    assert impact["changes"] == []


def test_mentor_capacity_ignores_mentors_who_paused(org):
    org.m2.mentor_profile.accepting = False
    org.m2.mentor_profile.save()

    report = summary(RANGE, now=NOW)

    # (180 + 120) × 2 = 600 minutes offered; booked 80 + 60.
    assert report["offered_minutes"] == 600
    assert report["mentor_utilization"] == round(140 / 600, 4)
    assert AvailabilityBlock.objects.filter(mentor=org.m2).exists()  # blocks kept, but not offered


def test_group_sessions_held_seats_filled_and_waiting_list_conversions(report):
    # g1 (W1) and g2 (W2) were held; g3 was cancelled and g4 is after NOW. Seats: 4 + 3 offered, 4 + 2
    # filled. Attendees e1 e2 s1 s2 | e4 s3. Waiting places: s1 (seated from the list), l1, l2 → 1 of 3.
    assert report["group_sessions_held"] == 2
    assert report["group_seats_offered"] == 7
    assert report["group_seats_filled"] == 6
    assert report["group_fill_rate"] == round(6 / 7, 4)
    assert report["group_attendees"] == 6
    assert report["waitlist_conversions"] == 1
    assert report["waitlist_conversion_rate"] == round(1 / 3, 4)


def test_group_session_attendees_by_group_of_people(report):
    departments = {row["label"]: row for row in report["equity"]["department"]}
    regions = {row["label"]: row for row in report["equity"]["region"]}

    # Engineering's people seated: e1 e2 (g1), e4 (g2); nobody from its waiting lists.
    engineering = departments["Engineering"]
    assert (engineering["group_attendees"], engineering["group_seats_filled"]) == (3, 3)
    assert engineering["waitlist_conversions"] == 0
    assert set(departments["Sales"]) == {"key", "label", "suppressed"}  # hidden with Legal: no figures
    everyone = regions["Europe, Middle East and Africa"]
    assert (everyone["group_attendees"], everyone["waitlist_conversions"]) == (6, 1)


def test_a_department_filter_counts_the_group_sessions_its_people_hosted_and_attended(org):
    report = summary(Scope(W1, W2, department_id=org.eng.pk), now=NOW)

    # Hosted by its mentors: g1 (m1), all 4 seats filled. Its people's seats: e1 e2 e4, none from a list,
    # and none of them waited: no conversion rate.
    assert report["group_sessions_held"] == 1
    assert report["group_fill_rate"] == 1.0
    assert report["group_seats_filled"] == report["group_attendees"] == 3
    assert report["waitlist_conversions"] == 0
    assert report["waitlist_conversion_rate"] is None


def test_a_group_session_counts_once_it_has_been_held(org):
    later = Scope(W2 + timedelta(weeks=1), W2 + timedelta(weeks=1))  # W3: g4, Thursday 15:00, after NOW
    assert summary(later, now=NOW)["group_sessions_held"] == 0

    after = NOW + timedelta(days=2)
    rollups.refresh(now=after)
    report = summary(later, now=after)
    assert (report["group_sessions_held"], report["group_seats_filled"], report["group_attendees"]) == (
        1,
        1,
        1,
    )


def test_mentor_impact_counts_the_group_sessions_hosted_and_the_people_helped_in_them(org):
    # m1 hosted g1 (held, 60 minutes: e1 e2 s2 seated, s1 from the waiting list; e3 left) and g3 (cancelled).
    impact = mentor_impact(org.m1.pk, now=NOW)
    assert (impact["group_sessions_hosted"], impact["group_people_helped"], impact["group_minutes"]) == (
        1,
        4,
        60,
    )
    assert impact["group_upcoming"] == 0
    assert impact["people_helped"] == 3  # the 1:1 sessions' own figure is as it was

    # m2's g4 is after NOW: coming up, not held; held once it is over.
    upcoming = mentor_impact(org.m2.pk, now=NOW)
    assert (upcoming["group_sessions_hosted"], upcoming["group_upcoming"]) == (0, 1)
    later = mentor_impact(org.m2.pk, now=NOW + timedelta(days=2))
    assert (later["group_sessions_hosted"], later["group_people_helped"]) == (1, 1)


def test_a_group_session_the_sweep_stored_as_completed_still_counts_as_held(org):
    GroupSession.objects.filter(start__lt=NOW, status=GroupSession.Status.SCHEDULED).update(
        status=GroupSession.Status.COMPLETED
    )
    rollups.refresh(now=NOW, full=True)
    report = summary(Scope(W1, W2), now=NOW)

    assert (report["group_sessions_held"], report["group_seats_filled"]) == (2, 6)
    assert mentor_impact(org.m1.pk, now=NOW)["group_sessions_hosted"] == 1
