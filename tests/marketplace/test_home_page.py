"""The signed-in home page through HTTP: what matters now, in the viewer's zone and language, with the links
each block needs; the empty states a newcomer reads; the same queries whatever the history."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext, ngettext

from marketplace.models import AvailabilityBlock, MentorProfile, User
from marketplace.services import make_hr_admin
from tests.factories import (
    PASSWORD,
    BookingFactory,
    FeedbackFactory,
    MentorFactory,
    MentorRequestFactory,
    UserFactory,
)

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)  # Wednesday; London is on GMT, Berlin on CET


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def home_as(client, user: User, **headers) -> str:
    client.login(email=user.email, password=PASSWORD)
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_newcomer_is_told_to_ask_for_help_or_browse_mentors(client, mentee):
    html = home_as(client, mentee)

    assert "Nothing is booked yet. Describe what you are stuck on and by when" in html
    assert '<a href="/requests/new/" role="button">Ask for help</a>' in html
    assert 'href="/mentors/"' in html
    for absent in (
        "Your next session",
        "Waiting for your answer",
        "Your open requests",
        "Your week as a mentor",
    ):
        assert absent not in html
    assert "/insights/" not in html  # not HR


def test_the_next_session_shows_in_the_viewers_zone_with_the_meeting_and_session_links(
    client, mentee, mentor
):
    booking = BookingFactory(
        mentor=mentor,
        mentee=mentee,
        start=NOW + timedelta(hours=3),
        meeting_url="https://meet.example.com/x1",
    )

    html = home_as(client, mentee)  # London: 15:00

    assert "Your next session" in html
    assert '<time datetime="2026-03-11T15:00:00Z">Wednesday 11 March, 15:00</time>' in html
    assert "Marco Mentor is your mentor." in html
    assert '<a href="https://meet.example.com/x1" role="button" rel="noopener">Join the meeting</a>' in html
    assert f'<a href="/sessions/{booking.pk}/" role="button"' in html
    assert "Nothing is booked yet" not in html

    html = home_as(client, mentor)  # Berlin: 16:00
    assert "Wednesday 11 March, 16:00" in html
    assert "You are mentoring Maya Mentee." in html


def test_a_session_under_way_says_so(client, mentee, mentor):
    BookingFactory(mentor=mentor, mentee=mentee, start=NOW - timedelta(minutes=10))

    assert "Your session, now" in home_as(client, mentee)


def test_feedback_and_follow_ups_waiting_link_to_their_pages(client, mentee, mentor):
    yesterday = BookingFactory(
        mentor=mentor, mentee=mentee, start=NOW - timedelta(days=1), status="completed"
    )
    last_week = BookingFactory(
        mentor=mentor, mentee=mentee, start=NOW - timedelta(days=8), status="completed"
    )
    FeedbackFactory(booking=last_week, author=mentee)

    html = home_as(client, mentee)

    assert "Waiting for your answer" in html
    assert (
        f'<a href="/sessions/{yesterday.pk}/feedback/">How was your session with Marco Mentor on '
        "Tue 10 Mar?</a>" in html
    )
    assert (
        f'<a href="/sessions/{last_week.pk}/follow-up/">A week on: did your session with Marco Mentor on '
        "Tue 3 Mar unblock you?</a>" in html
    )
    assert f"/sessions/{last_week.pk}/feedback/" not in html


def test_an_open_request_says_how_many_mentors_are_shortlisted_and_links_to_them(client, mentee):
    three = MentorRequestFactory(asker=mentee, topic="Board deck", match_count=3)
    one = MentorRequestFactory(asker=mentee, topic="Budget talk", match_count=1)
    nobody = MentorRequestFactory(asker=mentee, topic="Rust macros", match_count=0)

    html = home_as(client, mentee)

    assert "Your open requests" in html
    assert f'<a href="/requests/{three.pk}/">Board deck</a>' in html
    assert "3 mentors shortlisted, none booked." in html
    assert f'<a href="/requests/{one.pk}/">Budget talk</a>' in html
    assert "1 mentor shortlisted, none booked." in html
    assert f'<a href="/requests/{nobody.pk}/">Rust macros</a>' in html
    assert "Nobody is free before your deadline yet: you will get an e-mail when someone is." in html
    assert '<time datetime="2026-03-14T12:00:00Z">Sat 14 Mar, 12:00</time>' in html
    assert "Nothing is booked yet" not in html


def test_a_mentor_sees_this_weeks_minutes_against_the_budget(client, mentor):
    MentorProfile.objects.filter(user=mentor).update(weekly_minutes_cap=120)
    AvailabilityBlock.objects.create(mentor=mentor, weekday=0, start="09:00", end="12:00")
    BookingFactory(mentor=mentor, start=NOW - timedelta(days=1), status="completed", duration=20)
    BookingFactory(mentor=mentor, start=NOW + timedelta(days=1), duration=20)
    BookingFactory(mentor=mentor, start=NOW + timedelta(days=1, hours=2), duration=20)

    html = home_as(client, mentor)

    assert '<p class="home-budget" id="budget-used">60 of 120 minutes this week</p>' in html
    assert '<progress value="60" max="120" aria-labelledby="budget-used"></progress>' in html
    assert "Week of Mon 9 Mar to Sun 15 Mar, Europe/Berlin time." in html
    assert 'href="/me/availability/"' in html
    assert "Publish your availability" not in html


def test_a_mentor_without_weekly_blocks_is_told_to_publish_them(client, mentor):
    html = home_as(client, mentor)

    assert "Colleagues cannot book you until you publish the times you are free each week." in html
    assert '<a href="/me/availability/" role="button">Publish your availability</a>' in html
    assert "Your week as a mentor" not in html  # no budget to count yet


def test_a_paused_mentor_or_one_whose_budget_is_used_up_is_told_so(client, mentor):
    AvailabilityBlock.objects.create(mentor=mentor, weekday=0, start="09:00", end="12:00")
    MentorProfile.objects.filter(user=mentor).update(weekly_minutes_cap=30)
    BookingFactory(mentor=mentor, start=NOW + timedelta(days=1))

    assert "budget is fully booked: new sessions go into next week." in home_as(client, mentor)

    MentorProfile.objects.filter(user=mentor).update(accepting=False)
    html = home_as(client, mentor)
    assert "You are paused: nobody can book you until you accept sessions again" in html
    assert '<a href="/me/profile/">Open your profile</a>' in html

    MentorProfile.objects.filter(user=mentor).update(accepting=True, weekly_minutes_cap=0)
    html = home_as(client, mentor)
    assert "Your weekly budget is 0 minutes: nobody can book you." in html
    assert "<progress" not in html


def test_only_hr_admins_get_the_dashboard_link(client, hr, mentee):
    assert (
        '<a href="/insights/" role="button" class="secondary outline">Open the HR dashboard</a>'
        in home_as(client, hr)
    )
    assert "Open the HR dashboard" not in home_as(client, mentee)


def test_the_page_is_in_the_viewers_language_and_zone(client, mentor):
    User.objects.filter(pk=mentor.pk).update(language="fr", timezone="America/Sao_Paulo")
    AvailabilityBlock.objects.create(mentor=mentor, weekday=0, start="09:00", end="12:00")
    MentorProfile.objects.filter(user=mentor).update(weekly_minutes_cap=120)
    BookingFactory(mentor=mentor, start=NOW + timedelta(hours=3), duration=30)
    MentorRequestFactory(asker=mentor, match_count=3)

    html = home_as(client, mentor)

    assert '<html lang="fr"' in html
    assert "mercredi 11 mars, 12:00" in html  # 15:00 UTC, São Paulo time
    with translation.override("fr"):
        # The French from the catalogs (English until a string is translated there: check_translations
        # keeps the catalogs complete).
        expected = [
            gettext("Your next session"),
            ngettext(
                "%(used)s of %(counter)s minute this week", "%(used)s of %(counter)s minutes this week", 120
            )
            % {"used": 30, "counter": 120},
            ngettext(
                "%(counter)s mentor shortlisted, none booked.",
                "%(counter)s mentors shortlisted, none booked.",
                3,
            )
            % {"counter": 3},
        ]
    for text in expected:
        assert text in html


def test_the_page_costs_the_same_queries_whatever_the_history(client, mentor, django_assert_num_queries):
    make_hr_admin(user=mentor)
    AvailabilityBlock.objects.create(mentor=mentor, weekday=0, start="09:00", end="12:00")
    client.login(email=mentor.email, password=PASSWORD)

    def home_in_thirteen_queries() -> None:
        # The session and the person; the next session and the answers waiting (1:1 and group), the times
        # held (waiting lists), the open requests, the mentor's settings and their minutes this week (1:1
        # and group sessions); the person's and their groups' permissions (HR?).
        with django_assert_num_queries(13):
            assert client.get("/").status_code == 200

    home_in_thirteen_queries()
    for days in range(1, 25):
        other = UserFactory()
        BookingFactory(mentor=mentor, mentee=other, start=NOW - timedelta(days=days), status="completed")
        BookingFactory(mentor=mentor, mentee=other, start=NOW + timedelta(days=days))
        BookingFactory(mentor=MentorFactory(), mentee=mentor, start=NOW + timedelta(days=days, hours=2))
        MentorRequestFactory(asker=mentor, needed_by=NOW + timedelta(days=days))
    home_in_thirteen_queries()
