"""The profile page and the API accept and refuse exactly the same values at every input bound.

The numbers are written out here on purpose: they are the public contract, while the code reads them from
the one place they live (marketplace/models.py).
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from marketplace.models import MentorProfile, TimeOff, User
from tests.factories import SkillFactory, UserSkillFactory

ME_URL = "/api/v1/me/"
PROFILE_PAGE = "/me/profile/"
TIME_OFF_URL = "/api/v1/me/time-off/"
TIME_OFF_PAGE = "/me/availability/time-off/"
URL_START = "https://meet.example.com/"  # 25 characters

PROFILE_FIELDS = ("display_name", "job_title", "headline", "bio")
MENTORING_FIELDS = (
    "min_notice_minutes",
    "buffer_minutes",
    "weekly_minutes_cap",
    "meeting_url",
    "session_lengths",
)

CASES = [
    ("display_name", "x" * 120, True),
    ("display_name", "x" * 121, False),
    ("job_title", "x" * 120, True),
    ("job_title", "x" * 121, False),
    ("headline", "x" * 160, True),
    ("headline", "x" * 161, False),
    ("bio", "x" * 4000, True),
    ("bio", "x" * 4001, False),
    ("min_notice_minutes", -1, False),
    ("min_notice_minutes", 0, True),
    ("min_notice_minutes", 20160, True),
    ("min_notice_minutes", 20161, False),
    ("buffer_minutes", -1, False),
    ("buffer_minutes", 0, True),
    ("buffer_minutes", 120, True),
    ("buffer_minutes", 121, False),
    ("weekly_minutes_cap", -1, False),
    ("weekly_minutes_cap", 0, True),
    ("weekly_minutes_cap", 2400, True),
    ("weekly_minutes_cap", 2401, False),
    ("meeting_url", URL_START + "a" * 175, True),
    ("meeting_url", URL_START + "a" * 176, False),
    ("session_lengths", [20], True),
    ("session_lengths", [30], True),
    ("session_lengths", [25], False),
    ("skill_level", 0, False),
    ("skill_level", 1, True),
    ("skill_level", 3, True),
    ("skill_level", 4, False),
]


@pytest.fixture
def sql(mentor):
    skill = SkillFactory(name="SQL", slug="sql", category="data")
    UserSkillFactory(user=mentor, skill=skill, level=2)
    return skill


def stored(user: User) -> dict:
    user = User.objects.get(pk=user.pk)
    profile = MentorProfile.objects.get(user=user)
    return {
        **{name: getattr(user, name) for name in (*PROFILE_FIELDS, "department_id", "timezone", "is_mentor")},
        **{name: getattr(profile, name) for name in (*MENTORING_FIELDS, "accepting")},
        "skill_level": list(user.skills_offered.values_list("level", flat=True)),
    }


def page_post(client, user: User, field: str, value):
    """The profile page as the browser sends it: everything as stored, `field` changed to `value`."""
    now = stored(user)
    data = {
        **{name: now[name] for name in PROFILE_FIELDS},
        "department": now["department_id"] or "",
        "timezone": now["timezone"],
        "job_level": "",
        "is_mentor": "on",
        "accepting": "on",
        "session_lengths": [str(length) for length in now["session_lengths"]],
        **{name: str(now[name]) for name in ("min_notice_minutes", "buffer_minutes", "weekly_minutes_cap")},
        "meeting_url": now["meeting_url"],
        "offer_sql": str(now["skill_level"][0]),
    }
    if field == "skill_level":
        data["offer_sql"] = str(value)
    elif field == "session_lengths":
        data[field] = [str(length) for length in value]
    else:
        data[field] = str(value)
    client.force_login(user)
    return client.post(PROFILE_PAGE, data)


def api_patch(api_as, user: User, field: str, value):
    body: dict[str, object]
    if field == "skill_level":
        body = {"skills": [{"slug": "sql", "level": value}]}
    elif field in MENTORING_FIELDS:
        body = {"mentoring": {field: value}}
    else:
        body = {field: value}
    return api_as(user).patch(ME_URL, body, format="json")


def api_error_names(field: str, body: dict) -> bool:
    if field == "skill_level":
        return "skills" in body
    if field in MENTORING_FIELDS:
        return field in body.get("mentoring", {})
    return field in body


@pytest.mark.parametrize(("field", "value", "accepted"), CASES)
def test_the_profile_page_and_the_api_draw_the_same_line(client, api_as, mentor, sql, field, value, accepted):
    expected_when_stored = [value] if field == "skill_level" else value

    before = stored(mentor)
    page = page_post(client, mentor, field, value)
    after_page = stored(mentor)
    if accepted:
        assert page.status_code == 302, page.context["form"].errors
        assert after_page[field] == expected_when_stored
    else:
        assert page.status_code == 200
        page_field = "offer_sql" if field == "skill_level" else field
        assert page_field in page.context["form"].errors
        assert after_page == before

    api = api_patch(api_as, mentor, field, value)
    after_api = stored(mentor)
    if accepted:
        assert api.status_code == 200, api.json()
        assert after_api[field] == expected_when_stored
    else:
        assert api.status_code == 400
        assert api_error_names(field, api.json()), api.json()
        assert after_api == before


def test_a_value_set_through_the_api_stays_when_the_page_is_saved(client, api_as, mentor, sql):
    """The page offers the usual notice and buffer choices, plus what is stored when it is none of them."""
    api_as(mentor).patch(
        ME_URL, {"mentoring": {"min_notice_minutes": 10080, "buffer_minutes": 45}}, format="json"
    )
    client.force_login(mentor)

    html = client.get(PROFILE_PAGE).content.decode()

    assert '<option value="10080" selected>10080 minutes</option>' in html
    assert '<option value="45" selected>45 minutes</option>' in html
    assert page_post(client, mentor, "headline", "Still here").status_code == 302
    assert (stored(mentor)["min_notice_minutes"], stored(mentor)["buffer_minutes"]) == (10080, 45)


# Time off: the page takes whole days (the last one included) in the mentor's zone (Berlin, UTC+1 in
# winter), the API instants; both allow 366 days at most, and a note of 200 characters.
FIRST_DAY = date(2030, 1, 1)
FIRST_START = datetime(2029, 12, 31, 23, tzinfo=UTC)  # 1 January 2030, 00:00 in Berlin
TIME_OFF_CASES = [
    ("note", "x" * 200, True),
    ("note", "x" * 201, False),
    ("days", 366, True),
    ("days", 367, False),
]


def stored_time_off(mentor: User) -> tuple[datetime, datetime, str]:
    period = TimeOff.objects.get(mentor=mentor)
    return period.start, period.end, period.note


@pytest.mark.parametrize(("field", "value", "accepted"), TIME_OFF_CASES)
def test_time_off_on_the_page_and_through_the_api_draws_the_same_line(
    client, api_as, mentor, field, value, accepted
):
    days = value if field == "days" else 1
    note = value if field == "note" else ""
    last_day = FIRST_DAY + timedelta(days=days - 1)
    client.force_login(mentor)

    page = client.post(
        TIME_OFF_PAGE, {"start_date": FIRST_DAY.isoformat(), "end_date": last_day.isoformat(), "note": note}
    )

    assert page.status_code == (302 if accepted else 400)  # a success goes back to the page
    assert TimeOff.objects.filter(mentor=mentor).count() == (1 if accepted else 0)
    if accepted:
        assert stored_time_off(mentor) == (FIRST_START, FIRST_START + timedelta(days=days), note)
    else:
        assert ("note" if field == "note" else "end_date") in page.context["time_off_form"].errors
    TimeOff.objects.filter(mentor=mentor).delete()

    api = api_as(mentor).post(
        TIME_OFF_URL,
        {
            "start": f"{FIRST_DAY.isoformat()}T00:00:00+01:00",
            "end": f"{(last_day + timedelta(days=1)).isoformat()}T00:00:00+01:00",
            "note": note,
        },
        format="json",
    )

    assert api.status_code == (201 if accepted else 400), api.json()
    assert TimeOff.objects.filter(mentor=mentor).count() == (1 if accepted else 0)
    if accepted:
        assert stored_time_off(mentor) == (FIRST_START, FIRST_START + timedelta(days=days), note)
    else:
        assert ("note" if field == "note" else "end") in api.json()
