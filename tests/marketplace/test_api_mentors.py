from datetime import UTC, datetime, time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import MentorProfile, TimeOff
from tests.factories import (
    AvailabilityBlockFactory,
    DepartmentFactory,
    MentorFactory,
    SkillFactory,
    UserFactory,
    UserSkillFactory,
)

LIST_URL = "/api/v1/mentors/"
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday, 00:00 UTC


@pytest.fixture
def frozen_monday():
    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY


@pytest.fixture
def sydney_mentor(db):
    mentor = MentorFactory(
        display_name="Sid Sydney", timezone="Australia/Sydney", bio="Twenty years of talks."
    )
    AvailabilityBlockFactory(mentor=mentor, weekday=0, start=time(9), end=time(10))
    UserSkillFactory(user=mentor, skill=SkillFactory(name="Public speaking", slug="public-speaking"), level=3)
    return mentor


def slots(client, mentor, **params):
    return client.get(f"/api/v1/mentors/{mentor.pk}/slots/", params)


def test_list_shows_only_accepting_mentors_with_the_contract_fields(
    api_as, mentee, sydney_mentor, frozen_monday
):
    paused = MentorFactory(display_name="Paused Pat")
    MentorProfile.objects.filter(user=paused).update(accepting=False)
    UserFactory(display_name="Not A Mentor")

    body = api_as(mentee).get(LIST_URL).json()

    assert body["count"] == 1
    item = body["results"][0]
    assert set(item) >= {
        "id",
        "display_name",
        "headline",
        "department",
        "timezone",
        "skills",
        "rating",
        "next_slot",
    }
    assert item["id"] == sydney_mentor.pk
    assert item["skills"] == [{"slug": "public-speaking", "name": "Public speaking", "level": 3}]
    assert item["rating"] is None


def test_next_slot_of_a_sydney_mentor_is_the_right_instant(api_as, mentee, sydney_mentor, frozen_monday):
    # Monday 09:00 in Sydney (AEDT, UTC+11) on 30 November is 29 November 22:00 UTC; 23 November's has passed.
    item = api_as(mentee).get(LIST_URL).json()["results"][0]
    assert item["next_slot"] == "2026-11-29T22:00:00Z"


def test_filters_by_skill_department_and_free_text(api_as, mentee, sydney_mentor, frozen_monday):
    product = DepartmentFactory(name="Product")
    other = MentorFactory(display_name="Rhea Roadmap", department=product, headline="Roadmaps and OKRs")
    UserSkillFactory(user=other, skill=SkillFactory(name="Roadmapping", slug="roadmapping"))
    client = api_as(mentee)

    def names(**params):
        return [item["display_name"] for item in client.get(LIST_URL, params).json()["results"]]

    assert names(skill="public-speaking") == ["Sid Sydney"]
    assert names(skill="roadmapping") == ["Rhea Roadmap"]
    assert names(department=product.pk) == ["Rhea Roadmap"]
    assert names(q="okrs") == ["Rhea Roadmap"]
    assert names(q="public speak") == ["Sid Sydney"]
    assert names(q="sid roadmap") == []


def test_available_before_keeps_mentors_free_in_time_soonest_first(
    api_as, mentee, sydney_mentor, frozen_monday
):
    early = MentorFactory(display_name="Early Eve", timezone="UTC")
    AvailabilityBlockFactory(mentor=early, weekday=1, start=time(9), end=time(10))  # Tuesday 24 Nov 09:00 UTC
    client = api_as(mentee)

    def names(before):
        return [
            item["display_name"]
            for item in client.get(LIST_URL, {"available_before": before}).json()["results"]
        ]

    assert names("2026-11-25T00:00:00Z") == ["Early Eve"]
    assert names("2026-12-01T00:00:00Z") == ["Early Eve", "Sid Sydney"]
    assert names("2026-11-24T09:10:00Z") == []  # a 20-minute slot from 09:00 is not over by 09:10


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"skill": "no-such-skill"}, "skill"),
        ({"department": "sales"}, "department"),
        ({"available_before": "tomorrow"}, "available_before"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(api_as, mentee, params, field):
    response = api_as(mentee).get(LIST_URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_list_runs_the_same_number_of_queries_for_3_or_25_mentors(
    api_as, mentee, frozen_monday, django_assert_num_queries
):
    def make_mentors(count):
        for _ in range(count):
            mentor = MentorFactory(timezone="Europe/Paris")
            AvailabilityBlockFactory(mentor=mentor, weekday=2)
            UserSkillFactory(user=mentor)
            TimeOff.objects.create(mentor=mentor, start="2026-11-23T00:00Z", end="2026-11-24T00:00Z")

    client = api_as(mentee)
    free_before = {"available_before": "2026-12-01T00:00Z"}
    make_mentors(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST_URL).json()["count"] == 3
    with CaptureQueriesContext(connection) as few_free_before:
        assert client.get(LIST_URL, free_before).json()["count"] == 3
    make_mentors(22)
    with django_assert_num_queries(len(few)):
        assert len(client.get(LIST_URL).json()["results"]) == 20
    with django_assert_num_queries(len(few_free_before)):
        assert client.get(LIST_URL, free_before).json()["count"] == 25
    assert len(few) <= 11  # busy time is read twice (mentors, asker), one query per busy provider each
    assert len(few_free_before) <= 16  # the slot engine picks the ids, then the page's cards are built


def test_detail_adds_bio_and_session_lengths(api_as, mentee, sydney_mentor, frozen_monday):
    body = api_as(mentee).get(f"{LIST_URL}{sydney_mentor.pk}/").json()
    assert body["bio"] == "Twenty years of talks."
    assert body["session_lengths"] == [20, 30]
    assert body["next_slot"] == "2026-11-29T22:00:00Z"


def test_detail_of_a_paused_mentor_or_a_non_mentor_is_404(api_as, mentee, sydney_mentor):
    MentorProfile.objects.filter(user=sydney_mentor).update(accepting=False)
    client = api_as(mentee)
    assert client.get(f"{LIST_URL}{sydney_mentor.pk}/").status_code == 404
    assert client.get(f"{LIST_URL}{mentee.pk}/").status_code == 404
    assert client.get(f"{LIST_URL}999999/").status_code == 404


def test_slots_list_every_start_on_the_grid_in_the_range(api_as, mentee, sydney_mentor, frozen_monday):
    response = slots(
        api_as(mentee), sydney_mentor, start="2026-11-29T00:00:00Z", end="2026-11-30T00:00:00Z", duration=30
    )

    assert response.status_code == 200
    assert response.json() == {
        "slots": [
            {"start": "2026-11-29T22:00:00Z", "end": "2026-11-29T22:30:00Z"},
            {"start": "2026-11-29T22:10:00Z", "end": "2026-11-29T22:40:00Z"},
            {"start": "2026-11-29T22:20:00Z", "end": "2026-11-29T22:50:00Z"},
            {"start": "2026-11-29T22:30:00Z", "end": "2026-11-29T23:00:00Z"},
        ]
    }


def test_slots_skip_time_off(api_as, mentee, sydney_mentor, frozen_monday):
    TimeOff.objects.create(mentor=sydney_mentor, start="2026-11-29T22:20Z", end="2026-11-30T00:00Z")
    response = slots(
        api_as(mentee), sydney_mentor, start="2026-11-29T00:00:00Z", end="2026-11-30T00:00:00Z", duration=20
    )
    assert [slot["start"] for slot in response.json()["slots"]] == ["2026-11-29T22:00:00Z"]


def test_slots_accept_any_offset(api_as, mentee, sydney_mentor, frozen_monday):
    response = slots(
        api_as(mentee),
        sydney_mentor,
        start="2026-11-30T08:00:00+11:00",
        end="2026-11-30T09:15:00+11:00",
        duration=30,
    )
    assert [slot["start"] for slot in response.json()["slots"]] == [
        "2026-11-29T22:00:00Z",
        "2026-11-29T22:10:00Z",
    ]


def test_a_new_york_block_stays_at_nine_local_across_the_spring_change(api_as, mentee):
    mentor = MentorFactory(timezone="America/New_York")
    AvailabilityBlockFactory(mentor=mentor, weekday=0, start=time(9), end=time(9, 30))
    with time_machine.travel(datetime(2027, 3, 1, tzinfo=UTC), tick=False):
        response = slots(
            api_as(mentee), mentor, start="2027-03-05T00:00:00Z", end="2027-03-20T00:00:00Z", duration=30
        )
    # Monday 8 March: EST (UTC-5) → 14:00 UTC; Monday 15 March, after the 14 March change: EDT → 13:00 UTC.
    assert [slot["start"] for slot in response.json()["slots"]] == [
        "2027-03-08T14:00:00Z",
        "2027-03-15T13:00:00Z",
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-12-01T00:00:00Z", "end": "2027-01-02T00:00:01Z"}, "end"),
        ({"start": "2026-12-01T00:00:00Z", "end": "2026-11-30T00:00:00Z"}, "end"),
        ({"start": "soon"}, "start"),
        ({"end": "2026-13-01T00:00:00Z"}, "end"),
        ({"duration": "25"}, "duration"),
        ({"duration": "half an hour"}, "duration"),
    ],
)
def test_bad_slot_queries_are_a_400_naming_the_field(api_as, mentee, sydney_mentor, params, field):
    response = slots(api_as(mentee), sydney_mentor, **params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_duration_the_mentor_does_not_offer_is_a_400(api_as, mentee, sydney_mentor):
    MentorProfile.objects.filter(user=sydney_mentor).update(session_lengths=[30])
    response = slots(api_as(mentee), sydney_mentor, duration=20)
    assert response.status_code == 400
    assert "30" in response.json()["duration"][0]


def test_slots_endpoint_runs_a_fixed_number_of_queries(
    api_as, mentee, sydney_mentor, frozen_monday, django_assert_num_queries
):
    client = api_as(mentee)
    AvailabilityBlockFactory(mentor=sydney_mentor, weekday=1, start=time(14), end=time(18))
    with CaptureQueriesContext(connection) as few:
        assert len(slots(client, sydney_mentor).json()["slots"]) > 20
    for weekday in range(2, 7):
        AvailabilityBlockFactory(mentor=sydney_mentor, weekday=weekday, start=time(14), end=time(18))
        TimeOff.objects.create(
            mentor=sydney_mentor, start=f"2026-12-0{weekday}T03:00Z", end=f"2026-12-0{weekday}T04:00Z"
        )
    with django_assert_num_queries(len(few)):
        assert len(slots(client, sydney_mentor).json()["slots"]) > 50
    assert len(few) <= 8


def test_touching_blocks_form_one_stretch_so_a_session_may_cross_the_seam(api_as, mentee, frozen_monday):
    mentor = MentorFactory(timezone="UTC")
    AvailabilityBlockFactory(mentor=mentor, weekday=1, start=time(9), end=time(10))
    AvailabilityBlockFactory(mentor=mentor, weekday=1, start=time(10), end=time(11))

    response = slots(
        api_as(mentee), mentor, start="2026-11-24T09:40:00Z", end="2026-11-24T10:00:00Z", duration=30
    )

    assert [slot["start"] for slot in response.json()["slots"]] == [
        "2026-11-24T09:40:00Z",
        "2026-11-24T09:50:00Z",
    ]
