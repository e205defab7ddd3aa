import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import MentorProfile, User, UserSkill
from tests.factories import DepartmentFactory, SkillFactory, UserSkillFactory

ME_URL = "/api/v1/me/"


def test_me_returns_the_contract_fields(api_as, mentor):
    body = api_as(mentor).get(ME_URL).json()

    assert set(body) >= {
        "id",
        "email",
        "display_name",
        "timezone",
        "headline",
        "bio",
        "department",
        "is_mentor",
        "is_hr",
        "skills",
        "mentoring",
    }
    assert body["id"] == mentor.pk
    assert body["is_mentor"] is True
    assert body["is_hr"] is False
    assert set(body["mentoring"]) == {
        "session_lengths",
        "min_notice_minutes",
        "buffer_minutes",
        "weekly_minutes_cap",
        "meeting_url",
        "accepting",
    }


def test_me_of_someone_who_never_mentored_shows_the_default_settings(api_as, mentee):
    mentoring = api_as(mentee).get(ME_URL).json()["mentoring"]

    assert mentoring == {
        "session_lengths": [20, 30],
        "min_notice_minutes": 240,
        "buffer_minutes": 5,
        "weekly_minutes_cap": 60,
        "meeting_url": "",
        "accepting": True,
    }


def test_hr_admins_are_seen_as_hr_through_their_group(api_as, hr):
    assert api_as(hr).get(ME_URL).json()["is_hr"] is True


def test_me_runs_a_fixed_number_of_queries(api_as, mentor, django_assert_num_queries):
    def add_skills(count: int) -> None:
        for _ in range(count):
            UserSkillFactory(user=mentor)
            mentor.skills_wanted.add(SkillFactory())

    client = api_as(mentor)
    add_skills(2)
    client.get(ME_URL)
    with CaptureQueriesContext(connection) as few:
        assert client.get(ME_URL).status_code == 200
    add_skills(18)
    with django_assert_num_queries(len(few)):
        assert len(client.get(ME_URL).json()["skills"]) == 20
    assert len(few) <= 8


def test_patch_updates_profile_skills_and_mentoring_together(api_as, mentee):
    SkillFactory(name="Public speaking", slug="public-speaking")
    SkillFactory(name="Storytelling", slug="storytelling")
    department = DepartmentFactory(name="Product")

    response = api_as(mentee).patch(
        ME_URL,
        {
            "display_name": "Maya M.",
            "timezone": "Australia/Sydney",
            "headline": "Learning to present",
            "department": department.pk,
            "is_mentor": True,
            "skills": ["storytelling", {"slug": "public-speaking", "level": 3}],
            "mentoring": {"session_lengths": [30], "weekly_minutes_cap": 90},
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["display_name"] == "Maya M."
    assert body["timezone"] == "Australia/Sydney"
    assert body["department"] == {"id": department.pk, "name": "Product"}
    assert {(item["slug"], item["level"]) for item in body["skills"]} == {
        ("public-speaking", 3),
        ("storytelling", 2),
    }
    assert body["mentoring"]["session_lengths"] == [30]
    assert body["mentoring"]["weekly_minutes_cap"] == 90
    assert MentorProfile.objects.get(user=mentee).availability_timezone == "Australia/Sydney"
    user = User.objects.get(pk=mentee.pk)
    assert (user.display_name, user.timezone, user.headline, user.department, user.is_mentor) == (
        "Maya M.",
        "Australia/Sydney",
        "Learning to present",
        department,
        True,
    )
    assert set(UserSkill.objects.filter(user=mentee).values_list("skill__slug", "level")) == {
        ("public-speaking", 3),
        ("storytelling", 2),
    }
    profile = MentorProfile.objects.get(user=mentee)
    assert (profile.session_lengths, profile.weekly_minutes_cap) == ([30], 90)


def test_patch_accepts_the_get_body_back_unchanged(api_as, mentor):
    client = api_as(mentor)
    body = client.get(ME_URL).json()
    body["department"] = body["department"]["id"]
    body["skills"] = [item["slug"] for item in body["skills"]]
    before = client.get(ME_URL).json()

    assert client.patch(ME_URL, body, format="json").status_code == 200
    assert client.get(ME_URL).json() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": 5}, "timezone"),
        ({"is_mentor": "maybe"}, "is_mentor"),
        ({"display_name": "x" * 121}, "display_name"),
        ({"display_name": "Eve\r\nBcc: all@example.com"}, "display_name"),
        ({"display_name": "Eve\tEvil"}, "display_name"),
        ({"display_name": "Eve\u2028Evil"}, "display_name"),
        ({"display_name": "Eve\x85Evil"}, "display_name"),
        ({"skills": ["no-such-skill"]}, "skills"),
        ({"skills": [{"slug": "storytelling", "level": 5}]}, "skills"),
        ({"skills": "storytelling"}, "skills"),
        ({"skills": ["storytelling", "storytelling"]}, "skills"),
        ({"mentoring": {"session_lengths": []}}, "mentoring"),
        ({"mentoring": {"session_lengths": [25]}}, "mentoring"),
        ({"mentoring": {"session_lengths": [20, 20]}}, "mentoring"),
        ({"mentoring": {"weekly_minutes_cap": -5}}, "mentoring"),
        ({"mentoring": {"buffer_minutes": "ten"}}, "mentoring"),
        ({"mentoring": {"meeting_url": "not a url"}}, "mentoring"),
        ({"mentoring": "yes"}, "mentoring"),
        ({"department": 999999}, "department"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_patch_is_a_400_naming_the_field_and_changes_nothing(api_as, mentor, body, field):
    SkillFactory(name="Storytelling", slug="storytelling")
    client = api_as(mentor)
    client.patch(ME_URL, {"skills": ["storytelling"]}, format="json")
    before = client.get(ME_URL).json()

    response = client.patch(ME_URL, {"headline": "Changed", **body}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert client.get(ME_URL).json() == before


def test_unknown_skill_in_a_mixed_patch_leaves_every_field_as_it_was(api_as, mentor):
    client = api_as(mentor)
    response = client.patch(ME_URL, {"display_name": "Renamed", "skills": ["nope"]}, format="json")

    assert response.status_code == 400
    assert "skills" in response.json()
    assert User.objects.get(pk=mentor.pk).display_name == "Marco Mentor"


def test_patch_with_a_non_object_body_is_a_400(api_as, mentor):
    client = api_as(mentor)
    before = client.get(ME_URL).json()

    assert client.patch(ME_URL, ["a", "list"], format="json").status_code == 400
    assert client.get(ME_URL).json() == before


def test_skills_are_listed_paginated_with_category(api_as, mentee):
    SkillFactory(name="SQL", slug="sql", category="data")
    body = api_as(mentee).get("/api/v1/skills/").json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert {"slug": "sql", "name": "SQL", "category": "data"} in body["results"]
