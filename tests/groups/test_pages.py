"""The group session pages: the list, one session, publishing and changing, the attendee list, questions."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups.models import GroupSession, Question, Seat
from groups.services.seats import join_session
from groups.services.sessions import create_group_session
from tests.factories import GroupSessionFactory, MentorFactory, QuestionFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db


def in_days(days: int, hour: int = 10) -> datetime:
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=UTC)


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.status_code
    return response.content.decode()


def test_the_list_shows_upcoming_sessions_with_seats_left_filterable_by_skill(client, mentee):
    speaking = SkillFactory(slug="speaking", name="Public speaking")
    talk = GroupSessionFactory(title="Speak up", capacity=4, start=in_days(2))
    talk.skills.add(speaking)
    GroupSessionFactory(title="Spreadsheets", start=in_days(3))
    GroupSessionFactory(title="Long gone", start=in_days(-3))
    join_session(session=talk, person=UserFactory())
    client.force_login(mentee)

    everything = page(client, "/group-sessions/")
    assert "Speak up" in everything
    assert "Spreadsheets" in everything
    assert "Long gone" not in everything
    assert "3 of 4 seats left" in everything
    filtered = page(client, "/group-sessions/?skill=speaking")
    assert "Speak up" in filtered
    assert "Spreadsheets" not in filtered
    assert "Select a valid choice" in page(client, "/group-sessions/?skill=nope", status=400)


def test_the_list_page_costs_the_same_queries_for_few_or_many_sessions(client, mentee):
    client.force_login(mentee)
    for hour in range(2):
        GroupSessionFactory(start=in_days(2, hour))
    client.get("/group-sessions/")
    with CaptureQueriesContext(connection) as few:
        client.get("/group-sessions/")
    for hour in range(25):
        session = GroupSessionFactory(start=in_days(3, hour % 24))
        session.skills.add(SkillFactory())
    with CaptureQueriesContext(connection) as many:
        client.get("/group-sessions/")
    assert len(many) == len(few)


def test_a_full_session_offers_the_waiting_list_and_says_who_is_coming(client, mentee):
    session = GroupSessionFactory(capacity=2, start=in_days(2))
    for name in ("Ada Lovelace", "Grace Hopper"):
        join_session(session=session, person=UserFactory(display_name=name))
    join_session(session=session, person=UserFactory())
    client.force_login(mentee)

    html = page(client, f"/group-sessions/{session.pk}/")

    assert "Full" in html
    assert "Join the waiting list (you would be number 2)" in html
    assert "Ada Lovelace" in html
    assert "Grace Hopper" in html
    assert session.meeting_url not in html  # only for the host and the seated


def test_joining_and_leaving_from_the_page(client, mentee):
    session = GroupSessionFactory(capacity=2, start=in_days(2))
    join_session(session=session, person=UserFactory())
    join_session(session=session, person=UserFactory())
    client.force_login(mentee)

    response = client.post(f"/group-sessions/{session.pk}/join/", follow=True)
    assert "you are number 1 on the waiting list" in response.content.decode()
    assert "Waiting list: number 1" in response.content.decode()
    response = client.post(f"/group-sessions/{session.pk}/leave/", follow=True)
    assert "You left this group session." in response.content.decode()
    assert not Seat.objects.filter(person=mentee, status__in=["seated", "waitlisted"]).exists()
    again = client.post(f"/group-sessions/{session.pk}/leave/")
    assert again.status_code == 409
    assert "You have no seat in this group session." in again.content.decode()


def test_a_mentor_publishes_weekly_office_hours_on_their_own_clock(client):
    host = MentorFactory(timezone="America/New_York")
    skill = SkillFactory(slug="feedback", name="Feedback")
    client.force_login(host)
    local_day = (timezone.now() + timedelta(days=5)).astimezone(ZoneInfo("America/New_York")).date()

    response = client.post(
        "/group-sessions/new/",
        {
            "title": "Feedback office hours",
            "description": "",
            "skills": ["feedback"],
            "start": f"{local_day:%Y-%m-%d}T16:00",
            "duration": "40",
            "capacity": "12",
            "repeat_weeks": "3",
            "meeting_url": "",
        },
    )

    assert response.status_code == 302
    sessions = list(GroupSession.objects.order_by("start"))
    assert len(sessions) == 4
    for session in sessions:
        local = session.start.astimezone(ZoneInfo("America/New_York"))
        assert (local.hour, local.minute, local.weekday()) == (16, 0, local_day.weekday())
        assert list(session.skills.all()) == [skill]


def test_the_publish_form_names_each_field_that_is_wrong(client, mentor):
    client.force_login(mentor)

    response = client.post(
        "/group-sessions/new/",
        {"title": "", "start": "soon", "duration": "25", "capacity": "500", "repeat_weeks": "20"},
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"title", "start", "duration", "capacity", "repeat_weeks"}
    html = response.content.decode()
    assert 'id="id_capacity_error"' in html
    assert not GroupSession.objects.exists()


def test_people_who_are_not_mentors_cannot_open_the_publish_page(client, mentee):
    client.force_login(mentee)
    assert client.get("/group-sessions/new/").status_code == 403


def test_the_host_changes_this_and_later_sessions_and_cancels_from_the_edit_page(client):
    host = MentorFactory(timezone="UTC")
    client.force_login(host)
    first = create_group_session(
        host=host, title="Weekly", start=in_days(2), duration=30, capacity=5, repeat_weeks=2
    )
    edit = f"/group-sessions/{first.pk}/edit/"
    assert "This session and all later ones of the series" in page(client, edit)

    response = client.post(
        edit,
        {
            "title": "Weekly, longer",
            "start": f"{in_days(2):%Y-%m-%dT%H:%M}",
            "duration": "60",
            "capacity": "5",
            "scope": "later",
        },
    )
    assert response.status_code == 302
    assert set(GroupSession.objects.values_list("title", "duration")) == {("Weekly, longer", 60)}

    response = client.post(f"/group-sessions/{first.pk}/cancel/", {"scope": "this"})
    assert response.status_code == 302
    assert list(GroupSession.objects.order_by("start").values_list("status", flat=True)) == [
        "cancelled",
        "scheduled",
        "scheduled",
    ]
    other = UserFactory()
    client.force_login(other)
    assert client.get(edit).status_code == 403
    assert client.post(f"/group-sessions/{first.pk}/cancel/").status_code == 403


def test_the_attendee_list_shows_the_seated_and_the_waiting_to_the_host_only(client, mentee):
    session = GroupSessionFactory(capacity=2, start=in_days(2))
    for name in ("Ann Seated", "Bo Seated", "Cy Waiting"):
        join_session(session=session, person=UserFactory(display_name=name))

    client.force_login(session.host)
    html = page(client, f"/group-sessions/{session.pk}/attendees/")
    assert "Ann Seated" in html
    assert "Cy Waiting" in html
    assert "Waiting list (1)" in html
    client.force_login(mentee)
    assert client.get(f"/group-sessions/{session.pk}/attendees/").status_code == 403


def test_questions_on_the_page_anonymous_votes_and_marked_answered(client, mentee):
    session = GroupSessionFactory(start=in_days(2))
    asker = UserFactory(display_name="Quinn Asker")
    join_session(session=session, person=asker)
    join_session(session=session, person=mentee)
    client.force_login(asker)

    client.post(f"/group-sessions/{session.pk}/questions/", {"text": "Where do I start?", "anonymous": "on"})
    question = Question.objects.get()
    assert question.anonymous
    client.force_login(mentee)
    html = page(client, f"/group-sessions/{session.pk}/")
    assert "Where do I start?" in html
    assert "Asked anonymously" in html
    assert "Quinn Asker" in html  # among who is coming, not as the asker
    client.post(f"/group-sessions/{session.pk}/questions/{question.pk}/vote/")
    assert "1 vote" in page(client, f"/group-sessions/{session.pk}/")

    assert client.post(f"/group-sessions/{session.pk}/questions/{question.pk}/answered/").status_code == 403
    client.force_login(session.host)
    client.post(f"/group-sessions/{session.pk}/questions/{question.pk}/answered/", {"answered": "1"})
    question.refresh_from_db()
    assert question.answered_at is not None


def test_an_empty_question_is_refused_naming_the_field(client, mentee):
    session = GroupSessionFactory(start=in_days(2))
    join_session(session=session, person=mentee)
    client.force_login(mentee)

    response = client.post(f"/group-sessions/{session.pk}/questions/", {"text": "  "})

    assert response.status_code == 400
    assert "text" in response.context["question_form"].errors
    assert not Question.objects.exists()


def test_outsiders_cannot_ask(client, outsider):
    session = GroupSessionFactory(start=in_days(2))
    QuestionFactory(session=session, text="Secret plans?")
    client.force_login(outsider)

    assert "Secret plans?" not in page(client, f"/group-sessions/{session.pk}/")
    assert client.post(f"/group-sessions/{session.pk}/questions/", {"text": "Me too?"}).status_code == 403
