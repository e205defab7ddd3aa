"""Every rate and average comes from at least 5 distinct people, on the page, in the API and in the CSV.

The population rule (groups of 5 people or more) is not enough: a one-day range in an 11-person department
can hold one person's session, and its rating would be that person's.
"""

import csv
import io
import re
from datetime import timedelta

import pytest

from insights import rollups
from insights.selectors.definitions import DEFINITIONS
from tests.factories import PASSWORD, DepartmentFactory, FeedbackFactory, FollowUpFactory
from tests.insights.conftest import NOW, W2, at, group_session, person, session

pytestmark = pytest.mark.urls("tests.insights.urls")

SUMMARY = "/api/v1/insights/summary/"
EXPORT = "/api/v1/insights/export.csv"
ONE_DAY = {"start": W2.isoformat(), "end": W2.isoformat()}
RATES = (
    "avg_rating",
    "helpful_rate",
    "unblocked_rate",
    "partly_unblocked_rate",
    "cross_department_share",
    "no_show_rate",
    "cancellation_rate",
)


@pytest.fixture
def departments(db, frozen_now):
    ops, other = DepartmentFactory(name="Operations"), DepartmentFactory(name="Support")
    people = {
        "ops": [person(f"o{n}", ops) for n in range(11)],
        "other": [person(f"x{n}", other, mentor=True) for n in range(6)],
    }
    return ops, other, people


def rated_sessions(mentees, mentor, *, each: int = 1) -> None:
    for mentee in mentees:
        for n in range(each):
            booking = session(mentee, mentor, at(W2, 0, 9 + n))
            FeedbackFactory(booking=booking, rating=2, helpful=False)
            FollowUpFactory(booking=booking)
    rollups.refresh(now=NOW, full=True)


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_one_person_in_an_11_person_department_shows_no_rate_of_theirs(api_as, client, hr, departments):
    ops, _other, people = departments
    rated_sessions(people["ops"][:1], people["other"][0])
    query = {**ONE_DAY, "department": ops.pk}

    body = api_as(hr).get(SUMMARY, query).json()
    assert body["suppressed"] is None
    # A count is shown whenever the population is (11 people): it tells no one's answer.
    assert body["participants"] == 1
    assert body["ratings"] == 1
    for name in RATES:
        assert body[name] is None, name
    assert set(RATES) <= set(body["withheld"])
    assert body["weekly"][0]["unblocked_rate"] is None
    assert body["weekly"][0]["withheld"] == ["unblocked_rate"]

    rows = csv_rows(api_as(hr).get(EXPORT, query))
    assert [row["unblocked_rate"] for row in rows] == ["fewer than 5"]
    assert rows[0]["participants"] == "1"

    assert client.login(email=hr.email, password=PASSWORD)
    html = client.get("/insights/", query).content.decode()
    for name in ("avg_rating", "helpful_rate", "unblocked_rate", "no_show_rate", "cross_department_share"):
        assert re.search(rf'data-figure="{name}">.*?<p class="figure-value">fewer than 5</p>', html, re.S), (
            name
        )
    assert "2.0 / 5" not in html


@pytest.mark.parametrize(("raters", "shown"), [(4, False), (5, True)])
def test_a_rate_needs_5_distinct_people(api_as, client, hr, departments, raters, shown):
    ops, _other, people = departments
    rated_sessions(people["ops"][:raters], people["other"][0])

    body = api_as(hr).get(SUMMARY, ONE_DAY).json()
    assert body["avg_rating"] == (2.0 if shown else None)
    assert body["helpful_rate"] == (0.0 if shown else None)
    assert body["unblocked_rate"] == (1.0 if shown else None)
    assert ("avg_rating" in body["withheld"]) is not shown
    assert body["weekly"][0]["unblocked_rate"] == (1.0 if shown else None)
    (ops_row,) = [row for row in body["equity"]["department"] if row["key"] == ops.pk]
    assert ops_row["helpful_rate"] == (0.0 if shown else None)
    assert ops_row["unblocked_rate"] == (1.0 if shown else None)

    rows = csv_rows(api_as(hr).get(EXPORT, ONE_DAY))
    by_department = {row["department"]: row for row in rows}
    expected = "1.0" if shown else "fewer than 5"
    assert by_department["All departments"]["unblocked_rate"] == expected
    assert by_department["Operations"]["unblocked_rate"] == expected

    assert client.login(email=hr.email, password=PASSWORD)
    html = client.get("/insights/", ONE_DAY).content.decode()
    figure = re.search(r'data-figure="avg_rating">.*?<p class="figure-value">(.*?)</p>', html, re.S)
    assert figure
    assert figure.group(1) == ("2.0 / 5" if shown else "fewer than 5")


def test_many_ratings_from_4_people_are_still_4_people(api_as, hr, departments):
    _ops, _other, people = departments
    rated_sessions(people["ops"][:4], people["other"][0], each=3)

    body = api_as(hr).get(SUMMARY, ONE_DAY).json()
    assert body["ratings"] == 12
    assert body["avg_rating"] is None
    assert body["unblocked_rate"] is None


def test_each_rate_says_who_it_comes_from():
    for name in (*RATES, "served_before_deadline_rate", "median_hours_to_help", "mentor_utilization"):
        assert "Shown only when" in DEFINITIONS[name], name


def test_a_week_of_5_raters_shows_its_rate_and_an_empty_week_withholds_nothing(api_as, hr, departments):
    _ops, _other, people = departments
    rated_sessions(people["ops"][:5], people["other"][0])
    body = api_as(hr).get(SUMMARY, {"start": W2.isoformat(), "end": (W2 + timedelta(days=13)).isoformat()})
    weekly = body.json()["weekly"]
    assert weekly[0]["unblocked_rate"] == 1.0
    assert weekly[1]["unblocked_rate"] is None
    assert weekly[1]["withheld"] == []


def group_sessions_hosted_by(hosts, attendees) -> None:
    """One group session per host on W2's Monday, two seats each: the first attendee seated, the second
    seated from the waiting list."""
    for index, host in enumerate(hosts):
        first, second = attendees[2 * index : 2 * index + 2]
        group_session(host, at(W2, 0, 15), capacity=2, seated=[first], from_waitlist=[second])
    rollups.refresh(now=NOW, full=True)


@pytest.mark.parametrize(("hosts", "shown"), [(4, False), (5, True)])
def test_group_session_rates_need_5_hosts_and_5_people_who_waited(
    api_as, client, hr, departments, hosts, shown
):
    ops, _other, people = departments
    group_sessions_hosted_by(people["other"][:hosts], people["ops"])

    body = api_as(hr).get(SUMMARY, ONE_DAY).json()
    # Counts are shown whenever the population is: they tell nobody's own figure.
    assert (body["group_sessions_held"], body["group_seats_filled"], body["waitlist_conversions"]) == (
        hosts,
        2 * hosts,
        hosts,
    )
    assert body["group_fill_rate"] == (1.0 if shown else None)  # from `hosts` hosts
    assert body["waitlist_conversion_rate"] == (1.0 if shown else None)  # from `hosts` people who waited
    assert ({"group_fill_rate", "waitlist_conversion_rate"} <= set(body["withheld"])) is not shown
    assert body["weekly"][0]["group_fill_rate"] == (1.0 if shown else None)
    assert ("waitlist_conversion_rate" in body["weekly"][0]["withheld"]) is not shown
    (ops_row,) = [row for row in body["equity"]["department"] if row["key"] == ops.pk]
    assert (ops_row["group_attendees"], ops_row["waitlist_conversions"]) == (2 * hosts, hosts)

    rows = {row["department"]: row for row in csv_rows(api_as(hr).get(EXPORT, ONE_DAY))}
    expected = "1.0" if shown else "fewer than 5"
    assert rows["All departments"]["group_fill_rate"] == expected
    assert rows["All departments"]["waitlist_conversion_rate"] == expected
    assert rows["Support"]["group_fill_rate"] == expected  # the hosts' department
    assert rows["Operations"]["waitlist_conversion_rate"] == expected
    assert rows["Operations"]["group_attendees"] == str(2 * hosts)

    assert client.login(email=hr.email, password=PASSWORD)
    html = client.get("/insights/", ONE_DAY).content.decode()
    figure = re.search(r'data-figure="group_fill_rate">.*?<p class="figure-value">(.*?)</p>', html, re.S)
    assert figure
    assert figure.group(1) == ("100%" if shown else "fewer than 5")


def test_one_person_seated_from_a_waiting_list_in_one_day_of_a_department_shows_no_rate(
    api_as, client, hr, departments
):
    ops, other, people = departments
    group_sessions_hosted_by(people["other"][:1], people["ops"])
    query = {**ONE_DAY, "department": ops.pk}

    body = api_as(hr).get(SUMMARY, query).json()
    assert body["suppressed"] is None
    assert (body["group_attendees"], body["waitlist_conversions"]) == (2, 1)
    assert body["group_sessions_held"] == 0  # hosted by another department
    assert body["waitlist_conversion_rate"] is None
    assert "waitlist_conversion_rate" in body["withheld"]
    rows = csv_rows(api_as(hr).get(EXPORT, query))
    assert [row["waitlist_conversion_rate"] for row in rows] == ["fewer than 5"]
    assert [row["waitlist_conversions"] for row in rows] == ["1"]

    hosts = api_as(hr).get(SUMMARY, {**ONE_DAY, "department": other.pk}).json()
    assert (hosts["group_sessions_held"], hosts["group_fill_rate"]) == (1, None)
    assert "group_fill_rate" in hosts["withheld"]
    assert client.login(email=hr.email, password=PASSWORD)
    html = client.get("/insights/", query).content.decode()
    assert re.search(
        r'data-figure="waitlist_conversions">.*?<p class="figure-value">1</p>\s*'
        r'<p class="figure-note">share not shown: fewer than 5 people waited</p>',
        html,
        re.S,
    )


def test_each_group_session_rate_says_who_it_comes_from():
    for name in ("group_fill_rate", "waitlist_conversion_rate"):
        assert "Shown only when" in DEFINITIONS[name], name
