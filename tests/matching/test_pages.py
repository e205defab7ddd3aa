"""The request pages: ask for help, the explained shortlist, my requests."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from matching import services
from matching.models import MentorRequest
from tests.factories import PASSWORD, MentorRequestFactory, UserFactory


def logged_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def form_data(**fields):
    data = {
        "topic": "I present our Q3 plan to the board",
        "skills": ["public-speaking"],
        "needed_by": "2026-11-26T17:00",
        "duration": "30",
    }
    data.update(fields)
    return data


def test_the_form_offers_every_skill_and_defaults_to_three_working_days_at_five_pm(
    client, speaking, storytelling, frozen_monday
):
    tokyo = UserFactory(timezone="Asia/Tokyo")
    html = logged_in(client, tokyo).get("/requests/new/").content.decode()

    assert 'value="2026-11-26T17:00"' in html  # Thursday 17:00 in Tokyo
    assert "(your time, Asia/Tokyo)" in html
    assert 'value="public-speaking"' in html
    assert 'value="storytelling"' in html
    assert re.search(r'value="30"[^>]*checked', html)
    assert 'id="skill-filter"' in html


def test_asking_redirects_to_the_shortlist_with_reasons_and_a_booking_button(
    client, mentee, make_mentor, speaking, frozen_monday
):
    mentor = make_mentor(display_name="Ada Expert", skills=[(speaking, 3)], headline="Talks and pitches")

    response = logged_in(client, mentee).post("/requests/new/", form_data())

    request = MentorRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{request.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Who can help before your deadline" in html
    assert "Ada Expert" in html
    assert "<li>Knows Public speaking (expert)</li>" in html
    assert "<li>Free today 09:00 in both your working hours, 3 days before your deadline</li>" in html
    assert 'action="/sessions/book/"' in html
    assert f'name="mentor" value="{mentor.pk}"' in html
    assert 'name="duration" value="30"' in html
    assert f'name="request" value="{request.pk}"' in html
    assert 'name="start" value="2026-11-23T09:00:00Z"' in html
    assert 'Book Mon 23 Nov, 09:00<span class="visually-hidden"> with Ada Expert</span>' in html
    assert f'href="/mentors/{mentor.pk}/?duration=30&amp;request={request.pk}"' in html
    assert "score" not in html.lower()


def test_the_deadline_is_read_in_the_askers_zone(client, speaking, frozen_monday):
    tokyo = UserFactory(timezone="Asia/Tokyo")
    logged_in(client, tokyo).post("/requests/new/", form_data(needed_by="2026-11-26T17:00"))

    assert MentorRequest.objects.get().needed_by == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"topic": ""}, "Say in a few words what you need help with."),
        ({"skills": []}, "Pick at least one skill."),
        ({"skills": ["knitting"]}, "Unknown skill: knitting."),
        ({"needed_by": "2026-11-20T17:00"}, "The deadline has already passed: pick a time in the future."),
        ({"needed_by": "2027-02-01T17:00"}, "Pick a deadline within the next 60 days."),
        ({"needed_by": "soon"}, "Enter a date and time."),
        ({"duration": "45"}, "Sessions last 20 or 30 minutes."),
    ],
)
def test_mistakes_are_shown_next_to_their_field(client, mentee, speaking, frozen_monday, fields, message):
    response = logged_in(client, mentee).post("/requests/new/", form_data(**fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MentorRequest.objects.exists()


def test_when_nobody_fits_the_page_says_so_and_suggests_what_to_change(
    client, mentee, speaking, storytelling, frozen_monday
):
    logged_in(client, mentee).post("/requests/new/", form_data(skills=["public-speaking", "storytelling"]))
    request = MentorRequest.objects.get()

    html = client.get(f"/requests/{request.pk}/").content.decode()

    assert "Nobody is free before your deadline yet" in html
    assert "Your request stays open" in html
    assert "a later deadline" in html
    assert "fewer skills" in html
    assert "20 minutes instead of 30" in html
    assert f'href="/requests/new/?from={request.pk}"' in html
    assert MentorRequest.objects.get().status == MentorRequest.Status.OPEN


def test_changing_a_request_starts_from_a_copy_of_it(client, mentee, speaking, frozen_monday):
    earlier = MentorRequestFactory(asker=mentee, topic="Budget pitch", duration=20, skills=[speaking])

    html = logged_in(client, mentee).get(f"/requests/new/?from={earlier.pk}").content.decode()

    assert 'value="Budget pitch"' in html
    assert re.search(r'value="public-speaking"[^>]*checked', html)
    assert re.search(r'value="20"[^>]*checked', html)


def test_someone_elses_request_answers_404(client, mentee, outsider, frozen_monday):
    request = MentorRequestFactory(asker=mentee)

    assert logged_in(client, outsider).get(f"/requests/{request.pk}/").status_code == 404
    html = client.get(f"/requests/new/?from={request.pk}").content.decode()
    assert request.topic not in html


def test_pages_need_a_login(client, db):
    assert client.get("/requests/new/").status_code == 302
    assert client.get("/requests/").status_code == 302


def test_an_expired_request_says_the_deadline_passed_and_offers_to_ask_again(client, mentee, frozen_monday):
    request = MentorRequestFactory(
        asker=mentee,
        created_at=frozen_monday - timedelta(days=3),
        needed_by=frozen_monday - timedelta(hours=1),
    )

    html = logged_in(client, mentee).get(f"/requests/{request.pk}/").content.decode()

    assert "The deadline has passed" in html
    assert "Ask again" in html
    assert MentorRequest.objects.get().status == MentorRequest.Status.EXPIRED


def test_a_booked_request_shows_with_whom_and_when_the_session_is(client, mentee, mentor, frozen_monday):
    request = MentorRequestFactory(asker=mentee)
    services.mark_request_booked(
        request_id=request.pk,
        asker_id=mentee.pk,
        booking_start=datetime(2026, 11, 24, 14, 0, tzinfo=UTC),
        booked_at=frozen_monday,
        mentor_id=mentor.pk,
    )

    html = logged_in(client, mentee).get(f"/requests/{request.pk}/").content.decode()

    assert "Booked: your session with Marco Mentor starts" in html
    assert "Tuesday 24 November, 14:00" in html
    assert 'href="/sessions/"' in html


def test_my_requests_lists_mine_with_their_status(client, mentee, outsider, frozen_monday):
    MentorRequestFactory(asker=mentee, topic="Open one", created_at=frozen_monday)
    MentorRequestFactory(
        asker=mentee,
        topic="Late one",
        created_at=frozen_monday - timedelta(days=5),
        needed_by=frozen_monday - timedelta(days=1),
    )
    booked = MentorRequestFactory(
        asker=mentee, topic="Booked one", created_at=frozen_monday - timedelta(days=1)
    )
    services.mark_request_booked(
        request_id=booked.pk, asker_id=mentee.pk, booking_start=frozen_monday, booked_at=frozen_monday
    )
    MentorRequestFactory(asker=outsider, topic="Not mine")

    html = logged_in(client, mentee).get("/requests/").content.decode()

    assert "Not mine" not in html
    rows = re.findall(r'<a href="/requests/\d+/">([^<]+)</a>.*?status-(\w+)', html, re.S)
    assert rows == [("Open one", "open"), ("Booked one", "booked"), ("Late one", "expired")]
    assert "nobody free yet" in html


def test_my_requests_page_runs_the_same_queries_for_few_or_many(
    client, mentee, speaking, frozen_monday, django_assert_max_num_queries, django_assert_num_queries
):
    logged_in(client, mentee)
    MentorRequestFactory(asker=mentee, skills=[speaking])
    client.get("/requests/")
    with django_assert_max_num_queries(8) as few:
        assert client.get("/requests/").status_code == 200
    for _ in range(15):
        MentorRequestFactory(asker=mentee, skills=[speaking])
    with django_assert_num_queries(len(few)):
        response = client.get("/requests/")
    assert len(re.findall(r'<a href="/requests/\d+/">', response.content.decode())) == 16


def test_the_admin_lists_and_shows_requests(client, mentee, frozen_monday):
    request = MentorRequestFactory(asker=mentee, topic="Admin sees this")
    admin = UserFactory(is_staff=True, is_superuser=True)

    logged_in(client, admin)
    listing = client.get("/admin/matching/mentorrequest/?status__exact=open")
    detail = client.get(f"/admin/matching/mentorrequest/{request.pk}/change/")

    assert listing.status_code == 200
    assert "Admin sees this" in listing.content.decode()
    assert detail.status_code == 200


def test_request_pages_load_their_stylesheet(client, mentee, frozen_monday):
    html = logged_in(client, mentee).get("/requests/").content.decode()
    assert "css/matching.css" in html
