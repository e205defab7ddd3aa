"""The home page and "My sessions" know about group sessions: the next one the person hosts or has a seat in
(when it comes before their next 1:1), and the feedback a group session they sat in waits for; the same
queries whatever the history."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.services.feedback import give_group_feedback
from groups.services.seats import join_session
from groups.services.sessions import cancel_group_session, create_group_session
from marketplace.home import home_page
from tests.factories import PASSWORD, BookingFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
START = datetime(2027, 3, 3, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def host():
    return MentorFactory(display_name="Hedda Host", timezone="Europe/London")


def publish(host, *, start=START, title="Board decks AMA", capacity=5):
    return create_group_session(host=host, title=title, start=start, duration=30, capacity=capacity, now=NOW)


def page_as(client, user, path: str = "/") -> str:
    client.login(email=user.email, password=PASSWORD)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_next_session_on_home_is_a_group_session_when_it_comes_first(client, host):
    person = UserFactory(timezone="Europe/London")
    session = publish(host)
    join_session(session=session, person=person, now=NOW)
    BookingFactory(mentee=person, start=START + timedelta(days=1))

    html = page_as(client, person)

    assert "A group session with Hedda Host: you have a seat." in html
    assert "Board decks AMA" in html
    assert f'href="/group-sessions/{session.pk}/"' in html
    assert session.meeting_url in html
    next_session = home_page(person, now=NOW).next_session
    assert next_session is not None
    assert (next_session.group, next_session.start) == (True, START)


def test_the_host_sees_the_group_session_they_host_next_and_the_1_1_when_it_is_sooner(client, host):
    publish(host)
    assert "A group session you host." in page_as(client, host)

    booking = BookingFactory(mentor=host, start=START - timedelta(days=1))

    next_session = home_page(host, now=NOW).next_session
    assert next_session is not None
    assert (next_session.group, next_session.start) == (False, booking.start)


def test_waiting_for_a_seat_is_no_next_session(host):
    person = UserFactory()
    session = publish(host, capacity=2)
    for someone in (UserFactory(), UserFactory(), person):
        join_session(session=session, person=someone, now=NOW)

    assert home_page(person, now=NOW).next_session is None


def test_group_feedback_waits_on_home_until_given_for_thirty_days(client, host):
    person = UserFactory(timezone="Europe/London")
    held, cancelled = publish(host), publish(host, start=START + timedelta(hours=2), title="Cancelled one")
    for session in (held, cancelled):
        join_session(session=session, person=person, now=NOW)
    cancel_group_session(session=cancelled, by=host, now=NOW)
    after = START + timedelta(hours=3)

    with time_machine.travel(after, tick=False):
        html = page_as(client, person)
        waiting = home_page(person, now=after).waiting
    assert [(item.kind, item.with_name, item.url) for item in waiting] == [
        ("group_feedback", "Board decks AMA", f"/group-sessions/{held.pk}/feedback/")
    ]
    assert "How was the group session “Board decks AMA” on Wed 3 Mar?" in html
    assert home_page(person, now=START + timedelta(days=31)).waiting == []

    give_group_feedback(session=held, by=person, rating=5, helpful=True, now=after)
    assert home_page(person, now=after).waiting == []


def test_my_sessions_lists_hosted_seated_and_waiting_group_sessions_and_feedback_waiting(client, host):
    person = UserFactory(timezone="Europe/London")
    seated_in, full = publish(host), publish(MentorFactory(), start=START + timedelta(days=1), capacity=2)
    past = publish(host, start=NOW + timedelta(hours=1), title="Earlier today")
    join_session(session=seated_in, person=person, now=NOW)
    join_session(session=past, person=person, now=NOW)
    for someone in (UserFactory(), UserFactory(), person):
        join_session(session=full, person=someone, now=NOW)

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        html = page_as(client, person, "/sessions/")
        host_html = page_as(client, host, "/sessions/")

    section = html.split('id="group-sessions-heading"')[1].split('id="past-heading"')[0]
    assert "How was the group session “Earlier today” on Mon 1 Mar?" in section
    assert f'data-group-session="{seated_in.pk}"' in section
    assert "You have a seat" in section
    assert f'data-group-session="{full.pk}"' in section
    assert "Waiting: number 1" in section
    host_section = host_html.split('id="group-sessions-heading"')[1].split('id="past-heading"')[0]
    assert "You host" in host_section
    assert f'data-group-session="{past.pk}"' not in host_section  # held: no longer to come


def test_my_sessions_costs_the_same_queries_for_few_or_many_group_sessions(client, host):
    person = UserFactory()
    join_session(session=publish(host), person=person, now=NOW)
    client.login(email=person.email, password=PASSWORD)
    with CaptureQueriesContext(connection) as few:
        client.get("/sessions/")
    for day in range(1, 6):
        join_session(session=publish(host, start=START + timedelta(days=day)), person=person, now=NOW)
    with CaptureQueriesContext(connection) as many:
        client.get("/sessions/")

    assert len(few) == len(many)


def test_the_home_page_costs_the_same_queries_with_group_sessions(host, django_assert_num_queries):
    person = UserFactory()

    def queries_for_home() -> None:
        # 1:1: next session, answers; groups: next group session, feedback waiting; times held (waiting
        # lists); open requests.
        with django_assert_num_queries(6):
            home_page(person, now=NOW)

    queries_for_home()
    for day in range(1, 6):
        session = publish(host, start=START + timedelta(days=day))
        join_session(session=session, person=person, now=NOW)
    queries_for_home()
