"""A request nobody can meet in time points to upcoming group sessions on its skills: an office hour or an AMA
before the deadline is help in time too."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import GroupSession, Seat
from groups.services.seats import join_session
from matching.group_sessions import group_sessions_before
from tests.factories import GroupSessionFactory, MentorFactory, UserFactory
from tests.matching.test_api_requests import LIST_URL, ask
from tests.matching.test_pages import form_data, logged_in

pytestmark = pytest.mark.django_db
TUESDAY_NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # before the Thursday 17:00 UTC deadline


def office_hours(skill, *, start=TUESDAY_NOON, **fields):
    session = GroupSessionFactory(start=start, end=start + timedelta(minutes=30), **fields)
    session.skills.add(skill)
    return session


def test_nobody_in_time_offers_the_group_sessions_on_the_skill_that_end_by_the_deadline(
    api_as, mentee, make_mentor, speaking, storytelling, frozen_monday
):
    make_mentor(skills=[(speaking, 3)], weekdays=[5])  # Saturdays only: no 1:1 before Thursday
    host = MentorFactory(display_name="Hana Host")
    soon = office_hours(speaking, host=host, title="Speaking office hours", capacity=6)
    later = office_hours(speaking, start=TUESDAY_NOON + timedelta(days=1), title="Speaking AMA")
    office_hours(speaking, start=datetime(2026, 11, 26, 16, 40, tzinfo=UTC))  # ends 17:10, after the deadline
    office_hours(storytelling)  # another skill
    office_hours(speaking, status=GroupSession.Status.CANCELLED)
    office_hours(speaking, host=mentee)  # the asker's own
    office_hours(speaking, start=frozen_monday - timedelta(minutes=10))  # already under way

    body = ask(api_as(mentee)).json()

    assert body["matches"] == []
    assert [suggestion["id"] for suggestion in body["group_sessions"]] == [soon.pk, later.pk]
    assert body["group_sessions"][0] == {
        "id": soon.pk,
        "title": "Speaking office hours",
        "host": {"id": host.pk, "display_name": "Hana Host"},
        "start": "2026-11-24T12:00:00Z",
        "end": "2026-11-24T12:30:00Z",
        "seats_left": 6,
        "waitlist_length": 0,
        "my_status": None,
    }
    again = api_as(mentee).get(f"{LIST_URL}{body['id']}/").json()
    assert again["group_sessions"] == body["group_sessions"]


def test_no_group_sessions_are_suggested_while_a_mentor_can_meet_in_time(
    api_as, mentee, make_mentor, speaking, frozen_monday
):
    make_mentor(skills=[(speaking, 3)])
    office_hours(speaking)

    body = ask(api_as(mentee)).json()

    assert len(body["matches"]) == 1
    assert body["group_sessions"] == []


def test_the_suggestion_says_where_the_asker_already_is_and_when_a_session_is_full(
    api_as, mentee, speaking, frozen_monday
):
    full = office_hours(speaking, capacity=2)
    for person in UserFactory.create_batch(2):
        join_session(session=full, person=person, now=frozen_monday)
    join_session(session=full, person=UserFactory(), now=frozen_monday)
    mine = office_hours(speaking, start=TUESDAY_NOON + timedelta(hours=2))
    join_session(session=mine, person=mentee, now=frozen_monday)

    found = {row["id"]: row for row in ask(api_as(mentee)).json()["group_sessions"]}

    assert (found[full.pk]["seats_left"], found[full.pk]["waitlist_length"], found[full.pk]["my_status"]) == (
        0,
        1,
        None,
    )
    assert found[mine.pk]["my_status"] == Seat.Status.SEATED


def test_the_suggestions_cost_two_queries_however_many_sessions_there_are(
    api_as, mentee, speaking, storytelling, frozen_monday
):
    for hour in range(6):
        office_hours(speaking, start=TUESDAY_NOON + timedelta(hours=hour))
    deadline = datetime(2026, 11, 26, 17, tzinfo=UTC)

    with CaptureQueriesContext(connection) as queries:
        found = group_sessions_before(
            skill_ids=[speaking.pk, storytelling.pk], asker_id=mentee.pk, ends_by=deadline, now=frozen_monday
        )

    assert len(found) == 3  # the soonest three
    assert [suggestion.start for suggestion in found] == sorted(suggestion.start for suggestion in found)
    assert len(queries) == 2


def test_the_request_page_links_the_group_sessions_in_the_askers_zone(
    client, speaking, make_mentor, frozen_monday
):
    tokyo = UserFactory(timezone="Asia/Tokyo")
    make_mentor(skills=[(speaking, 3)], weekdays=[5])
    session = office_hours(speaking, title="Speaking office hours", capacity=3)

    response = logged_in(client, tokyo).post("/requests/new/", form_data(needed_by="2026-11-27T09:00"))
    html = client.get(response["Location"]).content.decode()

    assert "Group sessions before your deadline" in html
    assert f'href="/group-sessions/{session.pk}/"' in html
    assert "Tuesday 24 November, 21:00" in html  # 12:00 UTC is 21:00 in Tokyo
    assert "3 seats left" in html
