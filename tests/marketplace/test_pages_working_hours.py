"""Pages list times inside both people's working hours by default, with "show all times"; the profile edits
the working hours. Monday 23 November 2026 00:00 UTC (GMT: London's clock is UTC)."""

import re
from datetime import UTC, datetime, time

import pytest
import time_machine

from marketplace.models import User, WorkingHours
from tests.factories import PASSWORD, AvailabilityBlockFactory, MentorFactory, SkillFactory, UserFactory

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture
def frozen_monday():
    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY


@pytest.fixture
def early_mentor(db):
    """A London mentor free on Mondays 07:00–10:00: 07:00–09:00 is before everybody's working day."""
    mentor = MentorFactory(display_name="Erin Early", timezone="Europe/London")
    AvailabilityBlockFactory(mentor=mentor, weekday=0, start=time(7), end=time(10))
    return mentor


def page(client, user, url: str) -> str:
    assert client.login(email=user.email, password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_mentor_page_offers_only_times_inside_both_working_hours_by_default(
    client, mentee, early_mentor, frozen_monday
):
    html = page(client, mentee, f"/mentors/{early_mentor.pk}/?duration=30")

    assert ">09:00</button>" in html
    assert ">09:30</button>" in html
    assert ">07:00</button>" not in html
    assert ">08:50</button>" not in html
    assert 'href="?duration=30&amp;all_times=1">Show all times</a>' in html


def test_show_all_times_on_the_mentor_page_lists_the_times_outside_working_hours(
    client, mentee, early_mentor, frozen_monday
):
    html = page(client, mentee, f"/mentors/{early_mentor.pk}/?duration=30&all_times=1")

    assert ">07:00</button>" in html
    assert ">09:30</button>" in html
    assert 'href="?duration=30">Only times inside both working hours</a>' in html
    assert 'href="?duration=20&amp;all_times=1"' in html  # the other length keeps the choice


def test_the_mentor_page_says_when_every_free_time_is_outside_working_hours(client, mentee, frozen_monday):
    # Monday 09:00–10:00 in Sydney is Sunday 22:00–23:00 in London.
    sydney = MentorFactory(display_name="Sid Sydney", timezone="Australia/Sydney")
    AvailabilityBlockFactory(mentor=sydney, weekday=0, start=time(9), end=time(10))
    html = page(client, mentee, f"/mentors/{sydney.pk}/")

    assert 'class="outline slot"' not in html
    assert "No free time inside both your working hours and Sid Sydney's in the next two weeks." in html
    assert 'href="?all_times=1">Show times outside working hours</a>' in html


def test_the_viewers_own_working_hours_decide(client, mentee, early_mentor, frozen_monday):
    WorkingHours.objects.create(person=mentee, weekday=0, start=time(7), end=time(9))
    WorkingHours.objects.create(person=early_mentor, weekday=0, start=time(6), end=time(12))
    html = page(client, mentee, f"/mentors/{early_mentor.pk}/?duration=30")

    assert ">07:00</button>" in html
    assert ">08:30</button>" in html
    assert ">08:40</button>" not in html  # would end after 09:00
    assert ">09:00</button>" not in html


def test_browse_cards_offer_times_inside_both_working_hours_unless_all_are_asked_for(
    client, mentee, early_mentor, frozen_monday
):
    default = page(client, mentee, "/mentors/")
    everything = page(client, mentee, "/mentors/?all_times=1")

    assert "Mon 23 Nov, 09:00" in default
    assert "Mon 23 Nov, 07:00" not in default
    assert 'href="?all_times=1">Show all times</a>' in default
    assert "Mon 23 Nov, 07:00" in everything
    assert 'name="all_times" value="1"' in everything  # filtering keeps the choice
    assert f'href="/mentors/{early_mentor.pk}/?all_times=1"' in everything


def test_free_before_on_browse_counts_only_times_inside_working_hours_by_default(
    client, mentee, early_mentor, frozen_monday
):
    # Free before Monday 08:45 London: only with times outside working hours.
    assert "0 mentors found" in page(client, mentee, "/mentors/?available_before=2026-11-23T08:45")
    assert "1 mentor found" in page(client, mentee, "/mentors/?available_before=2026-11-23T08:45&all_times=1")


def test_browse_runs_the_same_queries_for_few_or_many_mentors_with_working_hours(
    client, mentee, frozen_monday, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make_mentors(count: int) -> None:
        for _ in range(count):
            mentor = MentorFactory()
            AvailabilityBlockFactory(mentor=mentor, weekday=3, start=time(9), end=time(12))
            WorkingHours.objects.create(person=mentor, weekday=3, start=time(10), end=time(11))

    assert client.login(email=mentee.email, password=PASSWORD)
    make_mentors(2)
    client.get("/mentors/")
    with CaptureQueriesContext(connection) as few:
        assert "Thu 26 Nov, 10:00" in client.get("/mentors/").content.decode()
    make_mentors(18)
    with django_assert_num_queries(len(few)):
        assert "20 mentors found" in client.get("/mentors/").content.decode()


# --- The profile's working hours ---


def profile_post(**overrides) -> dict:
    data = {
        "display_name": "Maya M",
        "timezone": "Europe/London",
        "min_notice_minutes": "240",
        "buffer_minutes": "5",
        "weekly_minutes_cap": "60",
        **{f"hours_{day}": "09:00–17:00" if day < 5 else "" for day in range(7)},
    }
    data.update(overrides)
    return data


def test_the_profile_shows_the_default_working_week_when_none_was_set(client, mentee):
    html = page(client, mentee, "/me/profile/")

    assert 'id="working-hours"' in html
    assert 'name="hours_0" value="09:00–17:00"' in html
    assert 'name="hours_4" value="09:00–17:00"' in html
    saturday = re.search(r'<input[^>]*name="hours_5"[^>]*>', html)
    assert saturday is not None
    assert "value=" not in saturday.group(0)  # not working on Saturdays


def test_the_profile_saves_working_hours_with_several_intervals_a_day(client, mentee):
    SkillFactory()
    assert client.login(email=mentee.email, password=PASSWORD)
    response = client.post(
        "/me/profile/", profile_post(hours_0="08:00-12:00, 13:00 - 16:30", hours_1="", hours_5="10:00–12:00")
    )

    assert response.status_code == 302
    stored = list(WorkingHours.objects.filter(person=mentee).values_list("weekday", "start", "end"))
    assert sorted(stored) == [
        (0, time(8), time(12)),
        (0, time(13), time(16, 30)),
        (2, time(9), time(17)),
        (3, time(9), time(17)),
        (4, time(9), time(17)),
        (5, time(10), time(12)),
    ]
    html = client.get("/me/profile/").content.decode()
    assert 'name="hours_0" value="08:00–12:00, 13:00–16:30"' in html


@pytest.mark.parametrize(
    ("hours", "field", "message"),
    [
        ({"hours_2": "nine to five"}, "hours_2", "Write each interval as"),
        ({"hours_2": "17:00–09:00"}, "hours_2", "17:00–09:00 ends before it starts"),
        ({"hours_2": "09:00–13:00, 12:00–17:00"}, "hours_2", "09:00–13:00 and 12:00–17:00 overlap"),
        ({"hours_6": "25:00–26:00"}, "hours_6", "Write each interval as"),
        ({f"hours_{day}": "" for day in range(7)}, "hours_0", "Give your working hours on at least one day."),
    ],
)
def test_bad_working_hours_on_the_profile_are_shown_on_the_day_and_nothing_is_saved(
    client, mentee, hours, field, message
):
    assert client.login(email=mentee.email, password=PASSWORD)
    response = client.post("/me/profile/", profile_post(**hours))

    assert response.status_code == 200
    html = response.content.decode().replace("&quot;", '"')
    # On the day's own field (weekday 0 = Monday), announced, and that field marked invalid.
    error = re.search(rf'<small class="field-error" role="alert" id="id_{field}_error">([^<]*)</small>', html)
    assert error is not None
    assert message in error.group(1)
    day_input = re.search(rf'<input[^>]*name="{field}"[^>]*>', html)
    assert day_input is not None
    assert 'aria-invalid="true"' in day_input.group(0)
    assert html.count('class="field-error"') == 1
    day = {"hours_0": "Monday", "hours_2": "Wednesday", "hours_6": "Sunday"}[field]
    assert re.search(rf'<label for="id_{field}">{day}', html)
    assert WorkingHours.objects.filter(person=mentee).count() == 0
    assert User.objects.get(pk=mentee.pk).display_name == "Maya Mentee"


def test_a_profile_post_without_the_working_hours_section_keeps_them(client, mentee):
    WorkingHours.objects.create(person=mentee, weekday=6, start=time(10), end=time(14))
    assert client.login(email=mentee.email, password=PASSWORD)
    data = {key: value for key, value in profile_post().items() if not key.startswith("hours_")}

    assert client.post("/me/profile/", data).status_code == 302
    assert list(WorkingHours.objects.filter(person=mentee).values_list("weekday", flat=True)) == [6]


def test_a_viewer_elsewhere_sees_the_overlap_in_their_own_zone(client, early_mentor, frozen_monday):
    # Kolkata (UTC+05:30) works 13:00–17:00 there: 07:30–11:30 UTC; the mentor 09:00–17:00 London (UTC).
    viewer = UserFactory(timezone="Asia/Kolkata")
    WorkingHours.objects.create(person=viewer, weekday=0, start=time(13), end=time(17))
    html = page(client, viewer, f"/mentors/{early_mentor.pk}/?duration=30")

    assert ">14:30</button>" in html  # 09:00 UTC
    assert ">15:00</button>" in html  # 09:30 UTC, the last start ending by 10:00 London
    assert ">13:30</button>" not in html  # 08:00 UTC, before the mentor's working day
