from datetime import UTC, datetime, time, timedelta

import pytest

from marketplace.instants import NAIVE
from marketplace.models import MentorProfile
from marketplace.text import SINGLE_LINE_MESSAGE, UNSTORABLE_MESSAGE
from matching.models import MentorRequest
from sessions_app.models import Booking
from tests.factories import DepartmentFactory, UserFactory

LIST_URL = "/api/v1/requests/"
# Thursday 26 November 2026, 17:00 in London (GMT) = 17:00 UTC.
THURSDAY_5PM = "2026-11-26T17:00:00Z"


def ask(client, **fields):
    body = {
        "topic": "I present our Q3 plan to the board",
        "skills": ["public-speaking"],
        "needed_by": THURSDAY_5PM,
    }
    body.update(fields)
    return client.post(LIST_URL, body, format="json")


def test_asking_answers_201_with_the_contract_fields_and_explained_matches(
    api_as, mentee, make_mentor, speaking, storytelling, frozen_monday
):
    expert = make_mentor(
        display_name="Ada Expert", skills=[(speaking, 3), (storytelling, 2)], headline="Talks"
    )

    response = ask(api_as(mentee), skills=["public-speaking", "storytelling"], duration=30)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= {"id", "topic", "skills", "needed_by", "duration", "status", "matches"}
    assert body["skills"] == ["public-speaking", "storytelling"]
    assert body["needed_by"] == THURSDAY_5PM
    assert body["duration"] == 30
    assert body["status"] == "open"
    [match] = body["matches"]
    assert set(match) >= {"mentor", "score", "reasons", "next_slot"}
    assert match["mentor"]["id"] == expert.pk
    assert match["mentor"]["display_name"] == "Ada Expert"
    assert {skill["slug"] for skill in match["mentor"]["skills"]} == {"public-speaking", "storytelling"}
    assert set(match["mentor"]) >= {"id", "display_name", "headline", "department", "timezone", "rating"}
    assert isinstance(match["score"], int | float)
    # Monday 08:00 UTC: the first 30 minutes on the grid within 09:00–17:00 London is 09:00 today.
    assert match["next_slot"] == "2026-11-23T09:00:00Z"
    assert match["mentor"]["next_slot"] == match["next_slot"]
    assert match["reasons"][0] == "Knows Public speaking (expert) and Storytelling"
    assert match["reasons"][1] == "Free today 09:00 in both your working hours, 3 days before your deadline"
    assert 2 <= len(match["reasons"]) <= 4
    stored = MentorRequest.objects.get(pk=body["id"])
    assert stored.asker == mentee
    assert stored.match_count == 1
    assert (stored.topic, stored.duration, stored.needed_by) == (
        "I present our Q3 plan to the board",
        30,
        datetime(2026, 11, 26, 17, tzinfo=UTC),
    )
    assert sorted(skill.slug for skill in stored.skills.all()) == ["public-speaking", "storytelling"]


def test_the_owner_reads_the_request_back_and_anyone_else_gets_404(
    api_as, api, mentee, outsider, make_mentor, speaking, frozen_monday
):
    make_mentor(skills=[(speaking, 2)])
    created = ask(api_as(mentee)).json()

    mine = api_as(mentee).get(f"{LIST_URL}{created['id']}/")
    assert mine.status_code == 200
    assert mine.json()["matches"] == created["matches"]

    api.force_authenticate(outsider)
    assert api.get(f"{LIST_URL}{created['id']}/").status_code == 404
    assert api.get(f"{LIST_URL}999999/").status_code == 404


def test_anonymous_callers_get_401(api, db):
    assert api.post(LIST_URL, {}, format="json").status_code in (401, 403)
    assert api.get(LIST_URL).status_code in (401, 403)
    assert not MentorRequest.objects.exists()


def test_my_requests_are_listed_newest_first_and_paginated(api_as, mentee, outsider, speaking, frozen_monday):
    client = api_as(mentee)
    ask(client, topic="First")
    ask(client, topic="Second")
    ask(api_as(outsider), topic="Not mine")

    body = api_as(mentee).get(LIST_URL).json()

    assert body["count"] == 2
    assert [item["topic"] for item in body["results"]] == ["Second", "First"]
    assert body["results"][0]["status"] == "open"
    assert body["results"][0]["match_count"] == 0


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"topic": ""}, "topic", "Say in a few words what you need help with."),
        ({"topic": "   "}, "topic", "Say in a few words what you need help with."),
        ({"topic": "Salary\r\nBcc: all@example.com"}, "topic", SINGLE_LINE_MESSAGE),
        ({"topic": "Salary\x00talk"}, "topic", UNSTORABLE_MESSAGE),
        ({"skills": []}, "skills", "Pick at least one skill."),
        ({"skills": ["public-speaking", "knitting"]}, "skills", "Unknown skill: knitting."),
        ({"needed_by": "2026-11-20T17:00:00Z"}, "needed_by", "The deadline has already passed"),
        ({"needed_by": "2027-02-01T17:00:00Z"}, "needed_by", "Pick a deadline within the next 60 days."),
        ({"needed_by": "next thursday"}, "needed_by", "Give a time in ISO 8601"),
        ({"duration": 45}, "duration", "Sessions last 20 or 30 minutes."),
        ({"duration": "long"}, "duration", "Expected an integer, got a string."),
        ({"urgent": True}, "urgent", "Unknown field."),
    ],
)
def test_bad_input_answers_400_naming_the_field(
    api_as, mentee, speaking, frozen_monday, fields, field, message
):
    response = ask(api_as(mentee), **fields)

    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert body[field][0].startswith(message)
    assert not MentorRequest.objects.exists()


def test_a_request_body_that_is_not_an_object_answers_400(api_as, mentee, frozen_monday):
    response = api_as(mentee).post(LIST_URL, ["public-speaking"], format="json")
    assert response.status_code == 400
    assert not MentorRequest.objects.exists()


def test_needed_by_defaults_to_three_working_days_ahead_at_five_pm_in_the_askers_zone(
    api_as, speaking, frozen_monday
):
    tokyo = UserFactory(timezone="Asia/Tokyo")
    body = (
        api_as(tokyo).post(LIST_URL, {"topic": "Pitch", "skills": ["public-speaking"]}, format="json").json()
    )

    # Monday 17:00 in Tokyo; three working days ahead is Thursday 17:00 JST = 08:00 UTC.
    assert body["needed_by"] == "2026-11-26T08:00:00Z"
    assert body["duration"] == 30
    stored = MentorRequest.objects.get(pk=body["id"])
    assert (stored.needed_by, stored.duration) == (datetime(2026, 11, 26, 8, tzinfo=UTC), 30)


def test_default_deadline_skips_the_weekend(api_as, speaking):
    from matching.services import default_needed_by

    friday_noon = datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert default_needed_by(now=friday_noon, zone_name="Europe/London") == datetime(
        2026, 12, 2, 17, tzinfo=UTC
    )


def test_nobody_fits_answers_201_with_no_matches_and_the_request_stays_open(
    api_as, mentee, make_mentor, speaking, frozen_monday
):
    make_mentor(skills=[(speaking, 3)], weekdays=[5])  # Saturdays only: nothing before Thursday

    body = ask(api_as(mentee)).json()

    assert body["matches"] == []
    assert body["status"] == "open"
    assert MentorRequest.objects.get(pk=body["id"]).status == MentorRequest.Status.OPEN


def test_preferences_are_stored_and_shape_the_reasons(api_as, make_mentor, speaking, frozen_monday):
    finance = DepartmentFactory(name="Finance")
    asker = UserFactory(department=DepartmentFactory(name="Engineering"), timezone="Europe/London")
    make_mentor(skills=[(speaking, 2)], department=finance, timezone="Europe/London")

    body = ask(api_as(asker), prefer_other_department=True, prefer_same_timezone=True).json()

    assert body["prefer_other_department"] is True
    assert body["prefer_same_timezone"] is True
    stored = MentorRequest.objects.get(pk=body["id"])
    assert (stored.prefer_other_department, stored.prefer_same_timezone) == (True, True)
    reasons = body["matches"][0]["reasons"]
    assert "Works in another department (Finance)" in reasons
    assert "Works in your time zone" in reasons
    assert len(reasons) == 4


def test_the_asker_and_paused_mentors_are_never_matched(api_as, make_mentor, speaking, frozen_monday):
    asker = make_mentor(skills=[(speaking, 3)])
    paused = make_mentor(skills=[(speaking, 3)])
    MentorProfile.objects.filter(user=paused).update(accepting=False)
    active = make_mentor(skills=[(speaking, 1)])

    body = ask(api_as(asker)).json()

    assert [match["mentor"]["id"] for match in body["matches"]] == [active.pk]


def test_every_match_slot_ends_before_the_deadline(api_as, mentee, make_mentor, speaking, frozen_monday):
    for _ in range(3):
        make_mentor(skills=[(speaking, 2)], hours=(time(16), time(18)))
    deadline = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)

    body = ask(api_as(mentee), needed_by=deadline.isoformat(), duration=20).json()

    assert len(body["matches"]) == 3
    for match in body["matches"]:
        start = datetime.fromisoformat(match["next_slot"])
        assert start + timedelta(minutes=20) <= deadline


def test_booking_with_the_request_marks_it_booked_and_a_foreign_request_is_refused(
    api_as, api, mentee, outsider, make_mentor, speaking, frozen_monday
):
    mentor = make_mentor(skills=[(speaking, 2)])
    created = ask(api_as(mentee)).json()
    slot = created["matches"][0]["next_slot"]

    api.force_authenticate(outsider)
    foreign = api.post(
        "/api/v1/bookings/",
        {"mentor": mentor.pk, "start": slot, "duration": 30, "topic": "Board", "request": created["id"]},
        format="json",
    )
    assert foreign.status_code == 400
    assert list(foreign.json()) == ["request"]
    assert not Booking.objects.exists()
    assert MentorRequest.objects.get(pk=created["id"]).status == MentorRequest.Status.OPEN

    api.force_authenticate(mentee)
    booked = api.post(
        "/api/v1/bookings/",
        {"mentor": mentor.pk, "start": slot, "duration": 30, "topic": "Board", "request": created["id"]},
        format="json",
    )
    assert booked.status_code == 201, booked.json()
    body = api.get(f"{LIST_URL}{created['id']}/").json()
    assert body["status"] == "booked"
    assert body["booked_session_start"] == slot
    assert body["booked_at"] == "2026-11-23T08:00:00Z"


@pytest.mark.parametrize("needed_by", ["2026-11-26T17:00:00", "2026-11-26"])
def test_a_deadline_without_an_offset_is_a_400_not_read_as_utc(
    api_as, mentee, speaking, frozen_monday, needed_by
):
    response = ask(api_as(mentee), needed_by=needed_by)

    assert response.status_code == 400
    assert response.json() == {"needed_by": [NAIVE]}
    assert not MentorRequest.objects.exists()
