from datetime import UTC, datetime, time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import AvailabilityBlock, MentorProfile, TimeOff, User
from tests.factories import (
    PASSWORD,
    AvailabilityBlockFactory,
    MentorFactory,
    SkillFactory,
    UserFactory,
    UserSkillFactory,
)

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture
def frozen_monday():
    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY


def logged_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def sydney_mentor(db):
    mentor = MentorFactory(display_name="Sid Sydney", timezone="Australia/Sydney")
    AvailabilityBlockFactory(mentor=mentor, weekday=0, start=time(9), end=time(10))
    UserSkillFactory(user=mentor, skill=SkillFactory(name="Public speaking", slug="public-speaking"), level=3)
    return mentor


def test_a_sydney_mentor_seen_from_new_york_shows_sunday_evening(client, sydney_mentor, frozen_monday):
    viewer = UserFactory(timezone="America/New_York")
    html = (
        logged_in(client, viewer)
        .get(f"/mentors/{sydney_mentor.pk}/?duration=30&all_times=1")
        .content.decode()
    )

    # Outside the viewer's working hours, hence all_times.
    # Monday 30 November 09:00 AEDT (UTC+11) = Sunday 29 November 22:00 UTC = 17:00 EST (UTC-5).
    assert "<h3>Sunday 29 November</h3>" in html
    assert 'value="2026-11-29T22:00:00Z"' in html
    assert 'aria-label="Book Sunday 29 November at 17:00">17:00</button>' in html
    assert "Monday 30 November" not in html


def test_mentor_page_offers_both_lengths_and_each_slot_is_a_labelled_button(
    client, sydney_mentor, mentee, frozen_monday
):
    html = logged_in(client, mentee).get(f"/mentors/{sydney_mentor.pk}/?all_times=1").content.decode()

    assert "Book a 20-minute session" in html
    assert 'href="?duration=30&amp;all_times=1"' in html
    # London viewer: 22:00 UTC is 22:00 GMT on Sunday.
    assert 'aria-label="Book Sunday 29 November at 22:00">22:00</button>' in html
    # 22:00 … 22:40 for 20 minutes inside 09:00–10:00 Sydney, on both Mondays within the 14 days.
    assert html.count('class="outline slot"') == 10


def test_a_paused_mentor_page_says_so_and_offers_no_slot(client, sydney_mentor, mentee, frozen_monday):
    MentorProfile.objects.filter(user=sydney_mentor).update(accepting=False)
    response = logged_in(client, mentee).get(f"/mentors/{sydney_mentor.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sid Sydney is not taking sessions at the moment." in html
    assert 'class="outline slot"' not in html


def test_browse_filters_stay_in_the_url_across_pages(client, mentee, frozen_monday):
    skill = SkillFactory(name="Storytelling", slug="storytelling")
    for number in range(23):
        mentor = MentorFactory(display_name=f"Mentor {number:02d}")
        UserSkillFactory(user=mentor, skill=skill)
    html = logged_in(client, mentee).get("/mentors/?skill=storytelling&q=mentor").content.decode()

    assert "23 mentors found" in html
    assert 'href="?skill=storytelling&amp;q=mentor&amp;page=2"' in html
    page_two = client.get("/mentors/?q=mentor&skill=storytelling&page=2").content.decode()
    assert "Mentor 22" in page_two
    assert "Mentor 00" not in page_two


def test_browse_shows_next_free_times_in_the_viewers_zone(client, sydney_mentor, frozen_monday):
    viewer = UserFactory(timezone="Asia/Tokyo")  # UTC+9: 22:00 UTC Sunday is 07:00 Monday
    html = logged_in(client, viewer).get("/mentors/?all_times=1").content.decode()
    assert "Mon 30 Nov, 07:00" in html
    assert "New mentor: no ratings yet" in html


def test_browse_page_runs_a_fixed_number_of_queries(client, mentee, frozen_monday, django_assert_num_queries):
    def make_mentors(count: int) -> None:
        for _ in range(count):
            mentor = MentorFactory()
            AvailabilityBlockFactory(mentor=mentor, weekday=3)
            UserSkillFactory(user=mentor)

    logged_in(client, mentee)
    make_mentors(2)
    client.get("/mentors/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/mentors/").status_code == 200
    make_mentors(23)
    with django_assert_num_queries(len(few)):
        assert "25 mentors found" in client.get("/mentors/").content.decode()
    assert len(few) <= 18  # the mentors' and the viewer's busy time: one query per busy provider each


def test_bad_browse_filter_shows_a_message_not_an_error(client, mentee):
    response = logged_in(client, mentee).get("/mentors/?available_before=yesterday-ish&department=abc")
    assert response.status_code == 200
    assert "Free before: Enter a valid date/time." in response.content.decode()


def test_profile_saves_fields_skills_and_mentoring_settings(client, mentee):
    SkillFactory(name="SQL", slug="sql", category="data")
    SkillFactory(name="Python", slug="python", category="engineering")
    response = logged_in(client, mentee).post(
        "/me/profile/",
        {
            "display_name": "Maya M",
            "timezone": "Asia/Kolkata",
            "headline": "Data person",
            "bio": "",
            "job_title": "Analyst",
            "job_level": "senior",
            "department": "",
            "is_mentor": "on",
            "accepting": "on",
            "session_lengths": ["30"],
            "min_notice_minutes": "120",
            "buffer_minutes": "10",
            "weekly_minutes_cap": "90",
            "meeting_url": "",
            "offer_sql": "3",
            "offer_python": "",
            "want_python": "on",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(pk=mentee.pk)
    assert (user.display_name, user.timezone, user.is_mentor, user.job_level) == (
        "Maya M",
        "Asia/Kolkata",
        True,
        "senior",
    )
    assert list(user.skills_offered.values_list("skill__slug", "level")) == [("sql", 3)]
    assert list(user.skills_wanted.values_list("slug", flat=True)) == ["python"]
    profile = MentorProfile.objects.get(user=user)
    assert (
        profile.session_lengths,
        profile.min_notice_minutes,
        profile.buffer_minutes,
        profile.weekly_minutes_cap,
    ) == ([30], 120, 10, 90)


def test_profile_with_bad_input_shows_errors_and_stores_nothing(client, mentor):
    response = logged_in(client, mentor).post(
        "/me/profile/",
        {
            "display_name": "",
            "timezone": "Nowhere/Land",
            "is_mentor": "on",
            "min_notice_minutes": "240",
            "buffer_minutes": "5",
            "weekly_minutes_cap": "-3",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="field-error"') >= 4  # name, zone, session lengths, weekly cap
    user = User.objects.get(pk=mentor.pk)
    assert (user.display_name, user.timezone) == ("Marco Mentor", "Europe/Berlin")
    profile = MentorProfile.objects.get(user=mentor)
    assert (profile.min_notice_minutes, profile.buffer_minutes, profile.weekly_minutes_cap) == (0, 0, 600)


def test_profile_refuses_a_name_with_a_line_break(client, mentor):
    response = logged_in(client, mentor).post(
        "/me/profile/",
        {
            "display_name": "Marco\r\nBcc: all@example.com",
            "timezone": "Europe/Berlin",
            "is_mentor": "on",
            "session_lengths": ["30"],
            "min_notice_minutes": "240",
            "buffer_minutes": "5",
            "weekly_minutes_cap": "60",
        },
    )

    assert response.status_code == 200
    assert "Use letters, not line breaks or control characters." in response.content.decode()
    assert User.objects.get(pk=mentor.pk).display_name == "Marco Mentor"


def test_availability_editor_saves_through_htmx_and_updates_the_preview(client, mentor, frozen_monday):
    logged_in(client, mentor)
    response = client.post(
        "/me/availability/",
        {
            "timezone": "Europe/Berlin",
            "day-1-count": "1",
            "day-1-0-start": "10:00",
            "day-1-0-end": "11:00",
            "action": "save",
        },
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="week-editor"')
    assert "Saved." in html
    assert "<strong>Tue 24 Nov</strong>:\n        10:00–10:40" in html  # 20-minute starts from 10:00 to 10:40
    assert list(AvailabilityBlock.objects.filter(mentor=mentor).values_list("weekday", "start", "end")) == [
        (1, time(10), time(11))
    ]


def test_overlapping_blocks_in_the_editor_show_the_problem_and_keep_the_stored_week(client, mentor):
    AvailabilityBlockFactory(mentor=mentor, weekday=4, start=time(8), end=time(9))
    logged_in(client, mentor)
    response = client.post(
        "/me/availability/",
        {
            "timezone": "Europe/Berlin",
            "day-0-count": "3",
            "day-0-0-start": "09:00",
            "day-0-0-end": "11:00",
            "day-0-1-start": "10:00",
            "day-0-1-end": "12:00",
            "day-0-2-start": "13:00",
            "day-0-2-end": "12:00",
            "action": "save",
        },
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "On Monday, 09:00–11:00 and 10:00–12:00 overlap." in html
    assert "The block must end after it starts." in html
    assert 'value="13:00"' in html  # what was typed stays in the form
    assert list(AvailabilityBlock.objects.filter(mentor=mentor).values_list("weekday", flat=True)) == [4]


def test_adding_and_removing_rows_does_not_save(client, mentor):
    AvailabilityBlockFactory(mentor=mentor, weekday=0, start=time(9), end=time(10))
    logged_in(client, mentor)
    added = client.post(
        "/me/availability/",
        {
            "timezone": "Europe/Berlin",
            "day-0-count": "1",
            "day-0-0-start": "09:00",
            "day-0-0-end": "10:00",
            "action": "add-0",
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'name="day-0-1-start" value="10:00"' in added
    removed = client.post(
        "/me/availability/",
        {
            "timezone": "Europe/Berlin",
            "day-0-count": "1",
            "day-0-0-start": "09:00",
            "day-0-0-end": "10:00",
            "action": "remove-0-0",
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'name="day-0-0-start"' not in removed
    assert AvailabilityBlock.objects.filter(mentor=mentor).count() == 1


def test_bad_time_zone_in_the_editor_is_named(client, mentor):
    AvailabilityBlockFactory(mentor=mentor, weekday=2, start=time(9), end=time(10))
    response = logged_in(client, mentor).post(
        "/me/availability/", {"timezone": "Atlantis/Capital", "action": "save"}, HTTP_HX_REQUEST="true"
    )
    assert "Choose a time zone from the list." in response.content.decode()
    assert MentorProfile.objects.get(user=mentor).availability_timezone == "Europe/Berlin"
    assert list(AvailabilityBlock.objects.filter(mentor=mentor).values_list("weekday", flat=True)) == [2]


def test_time_off_from_the_page_covers_whole_days_in_the_mentors_zone(client, mentor, frozen_monday):
    logged_in(client, mentor)
    response = client.post(
        "/me/availability/time-off/",
        {"start_date": "2026-12-24", "end_date": "2026-12-26", "note": "Holidays"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    period = TimeOff.objects.get(mentor=mentor)
    # Berlin is UTC+1 in December: 24 Dec 00:00 local → 23 Dec 23:00 UTC; the end is 27 Dec 00:00 local.
    assert period.start == datetime(2026, 12, 23, 23, tzinfo=UTC)
    assert period.end == datetime(2026, 12, 26, 23, tzinfo=UTC)
    assert "Holidays" in response.content.decode()

    client.post(f"/me/availability/time-off/{period.pk}/delete/", HTTP_HX_REQUEST="true")
    assert not TimeOff.objects.exists()


def test_time_off_ending_before_it_starts_is_refused_on_the_page(client, mentor):
    response = logged_in(client, mentor).post(
        "/me/availability/time-off/",
        {"start_date": "2030-05-10", "end_date": "2030-05-01"},
        HTTP_HX_REQUEST="true",
    )
    assert "The last day off cannot be before the first." in response.content.decode()
    assert not TimeOff.objects.exists()


def test_pages_need_a_login(client, db):
    for url in ("/mentors/", "/me/profile/", "/me/availability/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
