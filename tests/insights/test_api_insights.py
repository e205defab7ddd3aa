"""The insights API (docs/api.md "Insights"): HR only, its fields, privacy in JSON and CSV, queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import rollups
from marketplace.models import Department
from sessions_app.models import Booking
from tests.factories import (
    BookingFactory,
    DepartmentFactory,
    FeedbackFactory,
    FollowUpFactory,
    MentorFactory,
    MentorRequestFactory,
    MomentFactory,
    UserFactory,
)
from tests.insights.conftest import (
    JOINED,
    NOW,
    STALE,
    W1,
    W2,
    at,
    group_session,
    make_tables_stale,
    tables_refreshed_at,
)

pytestmark = pytest.mark.urls("tests.insights.urls")

SUMMARY = "/api/v1/insights/summary/"
EXPORT = "/api/v1/insights/export.csv"
RANGE = {"start": W1.isoformat(), "end": (W2 + timedelta(days=6)).isoformat()}
CONTRACT_FIELDS = {
    "employees",
    "participants",
    "participation_rate",
    "sessions_held",
    "minutes_held",
    "active_mentors",
    "mentor_utilization",
    "median_hours_to_help",
    "avg_rating",
    "helpful_rate",
    "no_show_rate",
    "cancellation_rate",
    "cross_department_share",
    "weekly",
    "skills",
}
GROUP_FIELDS = {
    "group_sessions_held",
    "group_seats_offered",
    "group_seats_filled",
    "group_fill_rate",
    "group_attendees",
    "waitlist_conversions",
    "waitlist_conversion_rate",
}


def rows_of(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_hr_gets_every_field_of_the_contract(api_as, hr, org):
    response = api_as(hr).get(SUMMARY, RANGE)

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= CONTRACT_FIELDS | GROUP_FIELDS
    assert set(body["definitions"]) >= GROUP_FIELDS - {"group_seats_offered"}
    assert body["employees"] == 15
    assert body["participation_rate"] == 0.4
    assert body["median_hours_to_help"] == 10.0
    assert body["weekly"][0] == {
        "week_start": "2025-03-03",
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
    }
    assert (body["unblocked_rate"], body["moments_logged"]) == (round(1 / 3, 4), 4)
    assert {"slug", "requested", "offered"} <= set(body["skills"][0])
    assert set(body["definitions"]) >= CONTRACT_FIELDS | {"unblocked_rate", "follow_ups", "moments_logged"}
    assert body["start"] == "2025-03-03"
    assert body["end"] == "2025-03-16"


def test_the_range_defaults_to_the_last_12_weeks(api_as, hr, org):
    body = api_as(hr).get(SUMMARY).json()

    # Frozen on Wednesday 19 March 2025: the 12 weeks from Monday 30 December 2024 to Sunday 23 March.
    assert (body["start"], body["end"]) == ("2024-12-30", "2025-03-23")
    assert len(body["weekly"]) == 12


@pytest.mark.parametrize("url", [SUMMARY, EXPORT])
def test_everyone_but_hr_is_refused(api, api_as, url, mentee, mentor, org):
    make_tables_stale()
    assert api.get(url).status_code == 401
    assert api_as(mentee).get(url).status_code == 403
    assert api_as(mentor).get(url).status_code == 403
    assert tables_refreshed_at() == [STALE]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "yesterday"}, "start"),
        ({"end": "2025-02-30"}, "end"),
        ({"start": "2025-03-10", "end": "2025-03-01"}, "end"),
        ({"start": "2022-01-01", "end": "2025-03-01"}, "end"),
        ({"department": "999999"}, "department"),
        ({"department": "engineering"}, "department"),
        ({"start": "9999-12-01"}, "start"),  # its weeks reached past year 9999
        ({"end": "9999-12-31"}, "end"),
    ],
)
def test_bad_filters_get_a_400_naming_the_field(api_as, hr, org, query, field):
    make_tables_stale()
    for url in (SUMMARY, EXPORT):
        response = api_as(hr).get(url, query)

        assert response.status_code == 400
        assert list(response.json()) == [field]
    assert tables_refreshed_at() == [STALE]


def test_a_department_of_4_is_never_broken_down_in_the_api(api_as, hr, org):
    body = api_as(hr).get(SUMMARY, RANGE).json()

    legal = next(row for row in body["equity"]["department"] if row["label"] == "Legal")
    assert legal == {"key": org.legal.pk, "label": "Legal", "suppressed": "fewer than 5"}


def test_a_department_filter_narrowing_to_4_people_suppresses_every_figure(api_as, hr, org):
    body = api_as(hr).get(SUMMARY, {**RANGE, "department": org.legal.pk}).json()

    assert body["suppressed"] == "fewer than 5"
    assert all(body[name] is None for name in CONTRACT_FIELDS - {"weekly", "skills"})
    assert body["weekly"] == body["skills"] == []
    assert body["department"] == {"id": org.legal.pk, "name": "Legal"}


def test_hr_never_sees_comments_or_who_asked_whom(api_as, hr, org):
    text = api_as(hr).get(SUMMARY, RANGE).content.decode()

    assert "Clear and kind." not in text
    assert "Gave the talk; the opening landed." not in text
    assert "Too rushed." not in text
    for person in org.people.values():
        assert person.email not in text
        assert person.display_name not in text


def test_the_export_has_the_weekly_figures_overall_then_per_department(api_as, hr, org):
    response = api_as(hr).get(EXPORT, RANGE)

    assert response.status_code == 200
    assert 'filename="sidebar-insights-2025-03-03-2025-03-16.csv"' in response["Content-Disposition"]
    rows = rows_of(response)
    assert list(rows[0]) == [
        "week_start",
        "department",
        "employees",
        "participants",
        "participation_rate",
        "sessions_held",
        "minutes_held",
        "no_shows",
        "cancellations",
        "requests",
        "median_hours_to_help",
        "follow_ups",
        "unblocked_rate",
        "moments_logged",
        "group_sessions_held",
        "group_seats_filled",
        "group_fill_rate",
        "group_attendees",
        "waitlist_conversions",
        "waitlist_conversion_rate",
    ]
    overall = [row for row in rows if row["department"] == "All departments"]
    assert [(row["week_start"], row["sessions_held"], row["participants"]) for row in overall] == [
        ("2025-03-03", "2", "3"),
        ("2025-03-10", "2", "3"),
    ]
    # One-week answers by the week the session started: W1 b1 yes, b2 no; W2 b3 partly. Moments: 2 and 2.
    assert [(row["follow_ups"], row["unblocked_rate"], row["moments_logged"]) for row in overall] == [
        ("2", "0.5", "2"),
        ("1", "0.0", "2"),
    ]
    engineering = [row for row in rows if row["department"] == "Engineering"]
    # Engineering's mentees: b1 in W1; b3 held and b4 a no-show in W2. Its people taking part: m1 e1 | e2.
    assert [(row["sessions_held"], row["no_shows"], row["participants"]) for row in engineering] == [
        ("1", "0", "2"),
        ("1", "1", "1"),
    ]
    assert engineering[1]["median_hours_to_help"] == "10.0"
    # Group sessions: g1 (W1, m1's) held with 4 of 4 seats, 4 attendees, s1 from the waiting list; W2 g2.
    assert [
        (
            row["group_sessions_held"],
            row["group_seats_filled"],
            row["group_fill_rate"],
            row["group_attendees"],
        )
        for row in overall
    ] == [("1", "4", "1.0", "4"), ("1", "2", "0.6667", "2")]
    assert [(row["waitlist_conversions"], row["waitlist_conversion_rate"]) for row in overall] == [
        ("1", "0.5"),
        ("0", "0.0"),
    ]
    # Engineering hosted g1 (m1): its 4 seats filled; its people held e1 e2 (W1) and e4 (W2).
    assert [
        (
            row["group_sessions_held"],
            row["group_fill_rate"],
            row["group_seats_filled"],
            row["group_attendees"],
        )
        for row in engineering
    ] == [("1", "1.0", "2", "2"), ("0", "", "1", "1")]
    # Its mentees' answers: b1 yes (W1), b3 partly (W2); its people's moments: e1's two in W1.
    assert [(row["follow_ups"], row["unblocked_rate"], row["moments_logged"]) for row in engineering] == [
        ("1", "1.0", "2"),
        ("1", "0.0", "0"),
    ]


def test_the_export_never_breaks_down_a_department_of_4(api_as, hr, org):
    rows = rows_of(api_as(hr).get(EXPORT, RANGE))

    legal = [row for row in rows if row["department"] == "Legal"]
    assert len(legal) == 2
    for row in legal:
        assert {value for key, value in row.items() if key not in {"week_start", "department"}} == {
            "fewer than 5"
        }
    sales = [row for row in rows if row["department"] == "Sales"]
    assert {row["sessions_held"] for row in sales} == {"hidden to protect a smaller group"}


def test_an_export_filtered_to_4_people_has_no_figures(api_as, hr, org):
    rows = rows_of(api_as(hr).get(EXPORT, {**RANGE, "department": org.legal.pk}))

    assert [row["department"] for row in rows] == ["Legal", "Legal"]
    for row in rows:
        assert {value for key, value in row.items() if key not in {"week_start", "department"}} == {
            "fewer than 5"
        }


def _grow(org, times: int) -> None:
    """More of everything: departments, people, mentors, sessions, feedback and requests."""
    for n in range(times):
        department = DepartmentFactory(name=f"Grown {n}")
        people = [UserFactory(department=department, date_joined=JOINED) for _ in range(6)]
        mentor = MentorFactory(department=department, date_joined=JOINED)
        group_session(
            mentor,
            at(W2, 3, 16),
            capacity=4,
            seated=people[:3],
            from_waitlist=people[3:4],
            waiting=people[4:],
        )
        for index, person in enumerate(people):
            booking = BookingFactory(
                mentor=mentor,
                mentee=person,
                start=at(W1, index % 5, 8 + n % 8),
                status=Booking.Status.COMPLETED,
            )
            FeedbackFactory(booking=booking, author=person)
            FollowUpFactory(booking=booking)
            MomentFactory(author=person, happened_on=W1)
            MentorRequestFactory(asker=person, created_at=at(W1, 0, 1), needed_by=at(W2, 0, 1))


def test_the_summary_uses_a_fixed_number_of_queries_whatever_the_data_size(api_as, hr, org):
    client = api_as(hr)

    def count() -> int:
        rollups.refresh(now=NOW)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SUMMARY, RANGE).status_code == 200
        return len(queries)

    client.get(SUMMARY, RANGE)  # the permission check caches the HR user's permissions
    client.get(EXPORT, RANGE)
    small = count()
    _grow(org, 4)
    assert count() == small
    assert small <= 20  # 18, and the people behind each rate (WeekPeople, employees by group)


def test_the_export_uses_a_fixed_number_of_queries_whatever_the_data_size(api_as, hr, org):
    client = api_as(hr)

    def count() -> int:
        rollups.refresh(now=NOW)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(EXPORT, RANGE).status_code == 200
        return len(queries)

    client.get(EXPORT, RANGE)
    small = count()
    _grow(org, 4)
    assert count() == small


def test_the_export_neutralises_text_cells_a_spreadsheet_would_run_as_a_formula(api_as, hr, org):
    Department.objects.filter(name="Engineering").update(name='=HYPERLINK("https://evil.example","Open")')
    Department.objects.filter(name="Sales").update(name="@SUM(1+1)")

    rows = rows_of(api_as(hr).get(EXPORT, RANGE))

    departments = {row["department"] for row in rows}
    assert departments >= {'\'=HYPERLINK("https://evil.example","Open")', "'@SUM(1+1)", "All departments"}
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    numbers = [row["sessions_held"] for row in rows if row["sessions_held"]]
    assert numbers
    assert all(not value.startswith("'") for value in numbers)
