"""What the home page shows (marketplace.home, filled by sessions_app's and matching's providers): the next
session, the answers waiting, the open requests, a mentor's week against their budget; each block present
and absent, the week counted in the mentor's zone (a Monday 00:30, DST changes), and a fixed query count."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from marketplace.home import REQUESTS_SHOWN, WAITING_SHOWN, home_page, mentor_week
from marketplace.models import AvailabilityBlock, MentorProfile
from marketplace.timezones import iso_week_bounds
from matching.models import MentorRequest
from sessions_app.models import Booking
from tests.factories import (
    BookingFactory,
    FeedbackFactory,
    FollowUpFactory,
    GroupSessionFactory,
    MentorFactory,
    MentorRequestFactory,
    UserFactory,
)

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)  # a Wednesday
BERLIN = ZoneInfo("Europe/Berlin")


def held(mentor, mentee, *, ended_ago: timedelta, status=Booking.Status.COMPLETED, **fields) -> Booking:
    """A 30-minute session that ended `ended_ago` before NOW."""
    start = NOW - ended_ago - timedelta(minutes=30)
    return BookingFactory(mentor=mentor, mentee=mentee, start=start, status=status, **fields)


# --- Nothing yet ---


def test_a_newcomer_has_nothing_booked_asked_or_waiting(mentee):
    page = home_page(mentee, now=NOW)

    assert page.next_session is None
    assert page.waiting == []
    assert page.open_requests == []
    assert page.mentor_week is None  # not a mentor
    assert page.is_quiet


# --- The next session ---


def test_the_next_session_is_the_soonest_confirmed_one_with_its_links(mentee, mentor):
    later = BookingFactory(mentor=mentor, mentee=mentee, start=NOW + timedelta(days=2))
    soonest = BookingFactory(
        mentor=mentor, mentee=mentee, start=NOW + timedelta(hours=3), meeting_url="https://meet.example.com/a"
    )
    BookingFactory(mentor=mentor, mentee=mentee, start=NOW + timedelta(hours=1), status="cancelled")
    held(mentor, mentee, ended_ago=timedelta(hours=1), status=Booking.Status.CONFIRMED)  # over, not swept

    session = home_page(mentee, now=NOW).next_session

    assert session is not None
    assert (session.start, session.end) == (soonest.start, soonest.end)
    assert (session.with_name, session.as_mentor, session.under_way) == ("Marco Mentor", False, False)
    assert session.meeting_url == "https://meet.example.com/a"
    assert session.url == f"/sessions/{soonest.pk}/"
    assert later.start > session.start
    assert not home_page(mentee, now=NOW).is_quiet


def test_a_session_under_way_is_the_next_one_and_the_mentor_sees_the_mentee(mentee, mentor):
    BookingFactory(mentor=mentor, mentee=mentee, start=NOW - timedelta(minutes=10), topic="Board deck")

    session = home_page(mentor, now=NOW).next_session

    assert session is not None
    assert (session.with_name, session.as_mentor, session.under_way) == ("Maya Mentee", True, True)
    assert session.topic == "Board deck"


def test_nobody_sees_someone_elses_session(mentee, mentor, outsider):
    BookingFactory(mentor=mentor, mentee=mentee, start=NOW + timedelta(hours=3))

    assert home_page(outsider, now=NOW).next_session is None


# --- Answers waiting ---


def test_feedback_waits_after_a_session_until_the_person_gives_theirs(mentee, mentor):
    booking = held(mentor, mentee, ended_ago=timedelta(hours=2))
    FeedbackFactory(booking=booking, author=mentor, role="mentor")  # the other side's feedback

    waiting = home_page(mentee, now=NOW).waiting

    assert [(item.kind, item.with_name, item.url) for item in waiting] == [
        ("feedback", "Marco Mentor", f"/sessions/{booking.pk}/feedback/")
    ]
    assert waiting[0].session_start == booking.start
    assert [item.with_name for item in home_page(mentor, now=NOW).waiting] == []  # the mentor gave theirs

    FeedbackFactory(booking=booking, author=mentee)
    assert home_page(mentee, now=NOW).waiting == []


def test_nothing_waits_for_a_session_not_held_still_running_or_long_past(mentee, mentor):
    held(mentor, mentee, ended_ago=timedelta(hours=2), status=Booking.Status.CANCELLED)
    held(mentor, mentee, ended_ago=timedelta(hours=3), status=Booking.Status.NO_SHOW)
    held(mentor, mentee, ended_ago=timedelta(days=38))  # long past asking (its follow-up too)
    BookingFactory(mentor=mentor, mentee=mentee, start=NOW - timedelta(minutes=10))  # under way

    assert home_page(mentee, now=NOW).waiting == []
    assert home_page(mentor, now=NOW).waiting == []


def test_the_follow_up_waits_for_the_mentee_from_a_week_after_the_session(mentee, mentor):
    six_days = held(mentor, mentee, ended_ago=timedelta(days=6, hours=23))
    week = held(mentor, mentee, ended_ago=timedelta(days=7, hours=1))
    for booking in (six_days, week):
        FeedbackFactory(booking=booking, author=mentee)
        FeedbackFactory(booking=booking, author=mentor, role="mentor")

    waiting = home_page(mentee, now=NOW).waiting

    assert [(item.kind, item.url) for item in waiting] == [("follow_up", f"/sessions/{week.pk}/follow-up/")]
    assert home_page(mentor, now=NOW).waiting == []  # the mentor is never asked the follow-up

    FollowUpFactory(booking=week)
    assert home_page(mentee, now=NOW).waiting == []


def test_a_session_can_wait_for_both_answers_latest_sessions_first(mentee, mentor):
    week = held(mentor, mentee, ended_ago=timedelta(days=8))
    yesterday = held(mentor, mentee, ended_ago=timedelta(days=1))

    waiting = home_page(mentee, now=NOW).waiting

    assert [(item.kind, item.session_start) for item in waiting] == [
        ("feedback", yesterday.start),
        ("follow_up", week.start),
        ("feedback", week.start),
    ]


def test_feedback_stops_waiting_a_month_after_the_session_while_its_follow_up_still_waits(mentee, mentor):
    held(mentor, mentee, ended_ago=timedelta(days=31))  # its follow-up opened 24 days ago

    assert [item.kind for item in home_page(mentee, now=NOW).waiting] == ["follow_up"]
    assert home_page(mentor, now=NOW).waiting == []


def test_the_follow_up_stops_waiting_a_month_after_it_was_asked(mentee, mentor):
    booking = held(mentor, mentee, ended_ago=timedelta(days=37, hours=1))
    FeedbackFactory(booking=booking, author=mentee)

    assert home_page(mentee, now=NOW).waiting == []


def test_at_most_a_few_answers_are_listed_and_the_page_knows_there_are_more(mentee, mentor):
    for hours in range(1, WAITING_SHOWN + 2):
        held(mentor, UserFactory(), ended_ago=timedelta(hours=hours))

    page = home_page(mentor, now=NOW)
    assert len(page.waiting) == WAITING_SHOWN
    assert page.more_waiting

    Booking.objects.filter(end__lt=NOW - timedelta(hours=WAITING_SHOWN)).delete()
    page = home_page(mentor, now=NOW)
    assert len(page.waiting) == WAITING_SHOWN
    assert not page.more_waiting


# --- Open requests ---


def test_an_open_request_shows_how_many_mentors_its_shortlist_offers(mentee):
    request = MentorRequestFactory(
        asker=mentee, created_at=NOW - timedelta(hours=1), needed_by=NOW + timedelta(days=2), match_count=3
    )

    page = home_page(mentee, now=NOW)

    assert [(item.topic, item.shortlisted, item.needed_by, item.url) for item in page.open_requests] == [
        (request.topic, 3, request.needed_by, f"/requests/{request.pk}/")
    ]
    assert not page.is_quiet


def test_booked_expired_past_deadline_and_other_peoples_requests_are_not_open(mentee, outsider):
    asked = NOW - timedelta(days=1)
    MentorRequestFactory(
        asker=mentee,
        created_at=asked,
        status=MentorRequest.Status.BOOKED,
        booked_at=asked,
        booked_session_start=NOW + timedelta(hours=5),
    )
    MentorRequestFactory(asker=mentee, created_at=asked, status=MentorRequest.Status.EXPIRED)
    MentorRequestFactory(
        asker=mentee, created_at=asked - timedelta(days=3), needed_by=NOW - timedelta(hours=1)
    )
    MentorRequestFactory(asker=outsider, created_at=asked)

    assert home_page(mentee, now=NOW).open_requests == []


def test_open_requests_come_soonest_deadline_first_and_a_few_at_most(mentee):
    for days in range(REQUESTS_SHOWN + 1, 0, -1):
        MentorRequestFactory(
            asker=mentee, created_at=NOW, needed_by=NOW + timedelta(days=days), topic=f"{days}"
        )

    page = home_page(mentee, now=NOW)

    assert [item.topic for item in page.open_requests] == ["1", "2", "3"]
    assert page.more_requests


# --- A mentor's week ---


def test_a_mentor_sees_the_minutes_they_give_this_week_against_their_budget(mentor, mentee):
    MentorProfile.objects.filter(user=mentor).update(weekly_minutes_cap=120)
    AvailabilityBlock.objects.create(mentor=mentor, weekday=0, start="09:00", end="12:00")
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)
    BookingFactory(mentor=mentor, mentee=mentee, start=monday, status="completed")  # 30, held
    BookingFactory(mentor=mentor, mentee=UserFactory(), start=monday + timedelta(hours=1), status="no_show")
    BookingFactory(mentor=mentor, mentee=mentee, start=NOW + timedelta(days=1), duration=20)  # to come
    BookingFactory(mentor=mentor, mentee=mentee, start=NOW + timedelta(days=2), status="cancelled")
    BookingFactory(mentor=mentor, mentee=mentee, start=monday - timedelta(days=1))  # last week
    BookingFactory(mentor=mentor, mentee=mentee, start=monday + timedelta(days=7))  # next week
    someone = MentorFactory()
    BookingFactory(mentor=someone, mentee=mentor, start=NOW + timedelta(hours=2))  # as mentee
    GroupSessionFactory(host=mentor, start=NOW + timedelta(days=3), duration=20)  # office hours: counted
    GroupSessionFactory(host=mentor, start=NOW + timedelta(days=3, hours=2), status="cancelled")

    week = home_page(mentor, now=NOW).mentor_week

    assert week is not None
    assert (week.used_minutes, week.cap_minutes, week.left_minutes) == (100, 120, 20)
    assert (week.week_start.isoformat(), week.week_end.isoformat()) == ("2026-03-09", "2026-03-15")
    assert week.accepting
    assert week.has_availability


def test_a_new_mentor_has_no_availability_and_a_paused_one_is_not_accepting(mentor):
    week = mentor_week(mentor, now=NOW)
    assert (week.has_availability, week.accepting, week.used_minutes) == (False, True, 0)

    MentorProfile.objects.filter(user=mentor).update(accepting=False)
    assert not mentor_week(mentor, now=NOW).accepting


def test_a_mentor_who_never_saved_their_settings_has_the_default_budget(db):
    mentor = UserFactory(is_mentor=True, timezone="Asia/Tokyo")

    week = mentor_week(mentor, now=NOW)

    assert (week.cap_minutes, week.used_minutes, week.has_availability, week.timezone) == (
        MentorProfile._meta.get_field("weekly_minutes_cap").default,
        0,
        False,
        "Asia/Tokyo",  # their own zone, until they publish blocks in one
    )


def test_on_monday_at_0030_in_the_mentors_zone_the_new_week_has_begun(mentor, mentee):
    # Monday 30 March 2026, 00:30 in Berlin (CEST since Sunday) is Sunday 22:30 UTC.
    now = datetime(2026, 3, 30, 0, 30, tzinfo=BERLIN)
    BookingFactory(
        mentor=mentor, mentee=mentee, start=datetime(2026, 3, 30, 0, 0, tzinfo=BERLIN), duration=20
    )
    BookingFactory(mentor=mentor, mentee=mentee, start=datetime(2026, 3, 29, 23, 0, tzinfo=BERLIN))  # Sunday

    week = mentor_week(mentor, now=now)

    assert week.week_start.isoformat() == "2026-03-30"
    assert week.used_minutes == 20


def test_the_week_of_a_spring_change_runs_from_monday_midnight_cet_to_monday_midnight_cest(mentor, mentee):
    now = datetime(2026, 3, 29, 22, 0, tzinfo=BERLIN)  # Sunday evening, after the clocks went forward
    inside = [
        datetime(2026, 3, 23, 0, 0, tzinfo=BERLIN),  # Sunday 22 March 23:00 UTC
        datetime(2026, 3, 29, 23, 30, tzinfo=BERLIN),  # Sunday 21:30 UTC
    ]
    outside = [
        datetime(2026, 3, 22, 23, 30, tzinfo=BERLIN),  # the Sunday before
        datetime(2026, 3, 30, 0, 0, tzinfo=BERLIN),  # Monday 30 March, Sunday 22:00 UTC
    ]
    for start in inside + outside:
        BookingFactory(mentor=mentor, mentee=UserFactory(), start=start)

    week = mentor_week(mentor, now=now)

    assert (week.week_start.isoformat(), week.used_minutes) == ("2026-03-23", 60)


def test_the_week_of_an_autumn_change_is_counted_in_the_mentors_zone(mentor, mentee):
    now = datetime(2026, 10, 26, 0, 10, tzinfo=BERLIN)  # Monday after the clocks went back: Sunday 23:10 UTC
    BookingFactory(mentor=mentor, mentee=mentee, start=datetime(2026, 10, 25, 23, 30, tzinfo=BERLIN))  # Sun
    BookingFactory(
        mentor=mentor, mentee=mentee, start=datetime(2026, 10, 26, 0, 0, tzinfo=BERLIN), duration=20
    )

    assert mentor_week(mentor, now=now).used_minutes == 20
    assert mentor_week(mentor, now=now - timedelta(minutes=11)).used_minutes == 30  # still Sunday there


def test_the_week_is_counted_in_the_zone_of_the_mentors_weekly_blocks(db, mentee):
    # A Sydney mentor's Monday 00:30 is Sunday 13:30 UTC: their week has begun while London's has not.
    sydney = ZoneInfo("Australia/Sydney")
    mentor = MentorFactory(timezone="Australia/Sydney")
    now = datetime(2026, 3, 16, 0, 30, tzinfo=sydney)
    BookingFactory(
        mentor=mentor, mentee=mentee, start=datetime(2026, 3, 16, 0, 0, tzinfo=sydney), duration=20
    )
    # Sunday 23:00 in Sydney, Sunday 12:00 in London: last week there, this week here.
    BookingFactory(mentor=mentor, mentee=mentee, start=datetime(2026, 3, 15, 23, 0, tzinfo=sydney))

    week = mentor_week(mentor, now=now)
    assert (week.used_minutes, week.week_start.isoformat(), week.timezone) == (
        20,
        "2026-03-16",
        "Australia/Sydney",
    )
    MentorProfile.objects.filter(user=mentor).update(availability_timezone="Europe/London")
    week = mentor_week(mentor, now=now)
    assert (week.used_minutes, week.week_start.isoformat(), week.timezone) == (
        50,
        "2026-03-09",
        "Europe/London",
    )


@pytest.mark.parametrize(
    ("instant", "zone", "monday", "start", "end"),
    [
        # Berlin's spring week: 168 - 1 hours long.
        (
            datetime(2026, 3, 25, 12, tzinfo=UTC),
            "Europe/Berlin",
            "2026-03-23",
            datetime(2026, 3, 22, 23, tzinfo=UTC),
            datetime(2026, 3, 29, 22, tzinfo=UTC),
        ),
        # New York's autumn week: 168 + 1 hours long.
        (
            datetime(2026, 11, 4, 12, tzinfo=UTC),
            "America/New_York",
            "2026-11-02",
            datetime(2026, 11, 2, 5, tzinfo=UTC),
            datetime(2026, 11, 9, 5, tzinfo=UTC),
        ),
        # Sunday 23:30 UTC is already Monday in Berlin.
        (
            datetime(2026, 3, 8, 23, 30, tzinfo=UTC),
            "Europe/Berlin",
            "2026-03-09",
            datetime(2026, 3, 8, 23, tzinfo=UTC),
            datetime(2026, 3, 15, 23, tzinfo=UTC),
        ),
    ],
)
def test_iso_week_bounds_are_monday_midnights_on_the_zones_wall_clock(instant, zone, monday, start, end):
    assert iso_week_bounds(instant, zone) == (datetime.fromisoformat(monday).date(), start, end)


def test_a_week_whose_monday_midnight_is_skipped_starts_when_the_clock_jumps():
    # Tehran went from Monday 22 March 2010 00:00 (+03:30) straight to 01:00 (+04:30), at 20:30 UTC.
    monday, start, end = iso_week_bounds(datetime(2010, 3, 24, 12, tzinfo=UTC), "Asia/Tehran")

    assert monday.isoformat() == "2010-03-22"
    assert start == datetime(2010, 3, 21, 20, 30, tzinfo=UTC)
    assert end == datetime(2010, 3, 28, 19, 30, tzinfo=UTC)  # the next Monday 00:00 +04:30


# --- Queries ---


def test_the_home_page_costs_the_same_queries_whatever_the_history(mentor, mentee, django_assert_num_queries):
    AvailabilityBlock.objects.create(mentor=mentor, weekday=0, start="09:00", end="12:00")

    def queries_for_home() -> None:
        # Next session and answers (of 1:1 and of group sessions), times held (waiting lists), requests,
        # mentor settings, minutes (of 1:1 and of group sessions).
        with django_assert_num_queries(9):
            home_page(mentor, now=NOW)

    queries_for_home()
    for days in range(1, 30):
        other = UserFactory()
        held(mentor, other, ended_ago=timedelta(days=days))
        BookingFactory(mentor=mentor, mentee=other, start=NOW + timedelta(days=days))
        MentorRequestFactory(asker=mentor, created_at=NOW, needed_by=NOW + timedelta(days=days))
    queries_for_home()
