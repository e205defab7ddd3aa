"""The /insights/ dashboard (HR only) and /me/impact/ (a mentor's own record)."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import rollups
from tests.factories import PASSWORD, BookingFactory, FeedbackFactory, FollowUpFactory, UserFactory
from tests.insights.conftest import (
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

RANGE = {"start": W1.isoformat(), "end": (W2 + timedelta(days=6)).isoformat()}


def logged_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def charts_of(html: str) -> dict:
    found = re.search(r'<script id="insights-charts" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page has no chart data"
    return json.loads(found.group(1))


def test_hr_sees_headline_figures_with_their_definitions(client, hr, org):
    response = logged_in(client, hr).get("/insights/", RANGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 Mar 2025 – 16 Mar 2025" in html
    assert re.search(r'data-figure="participation_rate">.*?<p class="figure-value">40%</p>', html, re.S)
    assert "6 of 15 employees took part" in html
    assert re.search(r'data-figure="median_hours_to_help">.*?<p class="figure-value">10 h</p>', html, re.S)
    assert re.search(r'data-figure="avg_rating">.*?<p class="figure-value">4.0 / 5</p>', html, re.S)
    # One-week answers b1 yes, b2 no, b3 partly: 33% unblocked, 33% partly; 4 moments in the range.
    assert re.search(r'data-figure="unblocked_rate">.*?<p class="figure-value">33%</p>', html, re.S)
    assert "33% partly, of 3 mentees who answered" in html
    assert re.search(r'data-figure="moments_logged">.*?<p class="figure-value">4</p>', html, re.S)
    assert "Participants divided by employees." in html
    assert "Of those one-week follow-up answers, the share answering “partly”." in html
    assert "The fewest mentors who together held half of all sessions held, busiest first." in html


def test_hr_sees_the_group_sessions_held_their_seats_and_waiting_lists(client, hr, org):
    html = logged_in(client, hr).get("/insights/", RANGE).content.decode()

    # g1 and g2 held: 6 of 7 seats filled by 6 people; s1 seated from a waiting list, 1 of 3 places on one.
    assert re.search(r'data-figure="group_sessions_held">.*?<p class="figure-value">2</p>', html, re.S)
    assert "7 seats offered" in html
    assert re.search(r'data-figure="group_fill_rate">.*?<p class="figure-value">86%</p>', html, re.S)
    assert re.search(r'data-figure="group_attendees">.*?<p class="figure-value">6</p>', html, re.S)
    assert re.search(r'data-figure="waitlist_conversions">.*?<p class="figure-value">1</p>', html, re.S)
    assert "33% of places on waiting lists" in html
    assert "2 group sessions held: 6 seats filled by 6 people." in html
    weekly = re.search(r'<table id="table-group-sessions">.*?</table>', html, re.S)
    assert weekly
    assert re.search(r"3 Mar 2025</th><td>1</td><td>4</td><td>100%</td><td>4</td><td>1</td>", weekly.group(0))
    assert re.search(r"10 Mar 2025</th><td>1</td><td>2</td><td>67%</td><td>2</td><td>0</td>", weekly.group(0))
    # By department: Engineering's e1 e2 e4 took a seat, none from a waiting list.
    assert re.search(r'<th scope="row">Engineering</th>(<td>[^<]*</td>){7}<td>3</td><td>0</td></tr>', html)


def test_the_page_has_four_charts_each_with_its_data_as_a_table(client, hr, org):
    html = logged_in(client, hr).get("/insights/", RANGE).content.decode()

    for chart in ("chart-weekly", "chart-time-to-help", "chart-skills"):
        assert f'<canvas id="{chart}" role="img"' in html
    for table in ("table-weekly", "table-time-to-help", "table-skills"):
        assert f'<table id="{table}">' in html
    assert html.count("<summary>Data table</summary>") >= 3
    assert "Fewer than 5 mentors held sessions in this range" in html  # the load chart of 2 mentors
    charts = charts_of(html)
    assert charts["weekly"] == {"labels": ["3 Mar", "10 Mar"], "sessions": [2, 2], "participants": [3, 3]}
    assert charts["time_to_help"]["median_hours"] == [12.0, 10.0]
    assert charts["skills"]["labels"] == ["Public speaking", "Technical writing"]
    assert "Public speaking: 3 requests, 1 without a session; 1 mentor offers it" in html
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html


def test_the_filter_is_kept_in_the_url_and_the_export_follows_it(client, hr, org):
    html = logged_in(client, hr).get("/insights/", {**RANGE, "department": org.eng.pk}).content.decode()

    assert 'name="start" value="2025-03-03"' in html
    assert 'name="end" value="2025-03-16"' in html
    assert re.search(rf'<option value="{org.eng.pk}" selected>Engineering</option>', html)
    assert (
        f"/api/v1/insights/export.csv?start=2025-03-03&amp;end=2025-03-16&amp;department={org.eng.pk}" in html
    )


def test_the_default_range_is_the_last_12_weeks(client, hr, org):
    html = logged_in(client, hr).get("/insights/").content.decode()

    assert "30 Dec 2024 – 23 Mar 2025" in html
    assert 'name="start" value="2024-12-30"' in html


def test_a_department_of_4_is_never_broken_down_on_the_page(client, hr, org):
    html = logged_in(client, hr).get("/insights/", RANGE).content.decode()

    assert re.search(r'<th scope="row">Legal</th><td colspan="9">fewer than 5</td>', html)
    assert re.search(
        r'<th scope="row">Sales</th><td colspan="9">hidden to protect a smaller group</td>', html
    )


def test_a_department_filter_narrowing_to_4_people_shows_no_figure(client, hr, org):
    response = logged_in(client, hr).get("/insights/", {**RANGE, "department": org.legal.pk})

    html = response.content.decode()
    assert "Not shown, to protect individuals" in html
    assert "Legal:" in html
    assert "fewer than 5 people" in html
    assert "figure-value" not in html
    assert "<canvas" not in html
    assert "insights-charts" not in html


def test_hr_never_sees_feedback_comments_or_names(client, hr, org):
    html = logged_in(client, hr).get("/insights/", RANGE).content.decode()

    assert "Clear and kind." not in html
    assert "Too rushed." not in html
    assert "Gave the talk; the opening landed." not in html  # follow-up notes are the mentee's words too
    # Names as words of the page's text: the random CSRF token and CSP nonce in its tags may hold "E1".
    text = re.sub(r"<[^>]*>", " ", html)
    assert re.search(r"\bE1\b", text) is None
    assert re.search(r"\bM1\b", text) is None


def test_bad_dates_are_named_and_nothing_is_computed(client, hr, org):
    make_tables_stale()
    response = logged_in(client, hr).get("/insights/", {"start": "2025-03-10", "end": "2025-03-01"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "To: The end date must be on or after the start date." in html
    assert "figure-value" not in html
    assert tables_refreshed_at() == [STALE]


@pytest.mark.parametrize("persona", ["mentee", "mentor"])
def test_employees_and_mentors_are_refused_and_not_shown_the_link(client, request, persona, org):
    person = request.getfixturevalue(persona)
    logged_in(client, person)
    make_tables_stale()

    assert client.get("/insights/").status_code == 403
    assert tables_refreshed_at() == [STALE]
    assert 'href="/insights/"' not in client.get("/").content.decode()


def test_hr_sees_the_insights_link_and_visitors_must_log_in(client, hr, org):
    assert client.get("/insights/")["Location"].startswith("/accounts/login/")
    assert 'href="/insights/"' in logged_in(client, hr).get("/").content.decode()


def test_the_page_uses_a_fixed_number_of_queries_whatever_the_data_size(client, hr, org):
    logged_in(client, hr).get("/insights/", RANGE)

    def count() -> int:
        rollups.refresh(now=NOW)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/insights/", RANGE).status_code == 200
        return len(queries)

    small = count()
    for n in range(5):
        mentee = UserFactory(department=org.eng, date_joined=org.e1.date_joined)
        booking = BookingFactory(mentor=org.m3, mentee=mentee, start=at(W2, 3, 8 + n), status="completed")
        FeedbackFactory(booking=booking, author=mentee)
        group_session(org.m2, at(W2, 4, 8 + n), capacity=2, seated=[mentee], from_waitlist=[org.s3])
    assert count() == small


def test_a_page_view_refreshes_stale_summary_tables(client, hr, org, mentee):
    # A session held after the last refresh: the page sees it once the tables are older than 10 minutes.
    BookingFactory(mentor=org.m1, mentee=org.e4, start=at(W2, 4, 9), status="completed")
    logged_in(client, hr)
    assert charts_of(client.get("/insights/", RANGE).content.decode())["weekly"]["sessions"] == [2, 2]

    from insights.models import RollupState

    RollupState.objects.update(refreshed_at=NOW - timedelta(minutes=11))
    assert charts_of(client.get("/insights/", RANGE).content.decode())["weekly"]["sessions"] == [2, 3]


# --- /me/impact/ ------------------------------------------------------------------------------------------


def test_a_mentor_sees_their_own_impact_and_the_comments_on_their_sessions(client, org):
    html = logged_in(client, org.m1).get("/me/impact/").content.decode()

    # m1: b0 b1 b2 held (80 minutes) with 3 people; rated 1, 5, 3 → 3.0; helped 1 of 3.
    assert re.search(r"Sessions given</h3>\s*<p class=\"figure-value\">3</p>", html)
    assert re.search(r"People helped</h3>\s*<p class=\"figure-value\">3</p>", html)
    assert "3.0 / 5" in html
    assert "33%" in html
    assert "Clear and kind." in html
    assert "Too rushed." in html
    # One-week answers on m1's held sessions: b0 yes, b1 yes, b2 no → 67% unblocked, with b1's note.
    assert re.search(r"Unblocked a week later</h3>\s*<p class=\"figure-value\">67%</p>", html)
    assert re.search(r'data-outcome="no"><th scope="row">Not unblocked</th><td>1</td><td>33%</td>', html)
    assert "Gave the talk; the opening landed." in html
    # g1: one group session held, 4 people seated in it.
    assert re.search(
        r'data-figure="group_sessions_hosted">\s*<h3 class="figure-label">Group sessions hosted</h3>\s*'
        r'<p class="figure-value">1</p>\s*<p class="figure-note">4 people helped in them</p>',
        html,
    )


def test_a_mentor_never_sees_comments_on_someone_elses_sessions(client, org):
    FeedbackFactory(
        booking=BookingFactory(mentor=org.m3, mentee=org.s3, start=at(W1, 2, 9), status="completed"),
        author=org.s3,
        comment="Brilliant, thank you m3.",
    )

    html = logged_in(client, org.m1).get("/me/impact/").content.decode()

    assert "Brilliant, thank you m3." not in html


def test_someone_who_does_not_mentor_is_invited_to(client, mentee):
    html = logged_in(client, mentee).get("/me/impact/").content.decode()

    assert "You do not mentor yet" in html
    assert 'href="/me/profile/"' in html


def test_the_impact_link_shows_for_mentors(client, mentor):
    assert 'href="/me/impact/"' in logged_in(client, mentor).get("/").content.decode()


def test_the_impact_page_uses_a_fixed_number_of_queries_whatever_the_record(client, org):
    client = logged_in(client, org.m1)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/impact/").status_code == 200
        return len(queries)

    client.get("/me/impact/")
    few = count()
    for day in range(6):
        booking = BookingFactory(mentor=org.m1, start=at(W1, day % 5, 14 + day // 5), status="completed")
        FeedbackFactory(booking=booking, author=booking.mentee, comment=f"Thanks {day}")
        FollowUpFactory(booking=booking, outcome="partly", note=f"Changed {day}")
        group_session(org.m1, at(W1, day % 5, 17), capacity=3, seated=[booking.mentee], waiting=[org.e4])
    assert count() == few


def test_the_week_under_way_is_labelled_so_far(client, hr, org):
    # NOW is Wednesday of W3: its low figures are a week still under way, not a fall.
    html = (
        logged_in(client, hr).get("/insights/", {"start": W2.isoformat(), "end": NOW.date()}).content.decode()
    )

    assert charts_of(html)["weekly"]["labels"] == ["10 Mar", "17 Mar (so far)"]
    assert '<th scope="row">17 Mar 2025 (so far)</th>' in html
    assert '<th scope="row">10 Mar 2025</th>' in html
