"""The group sessions API (docs/api.md "Group sessions"): shapes, filters, errors naming the field, 409 codes,
who may see and do what."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups.models import GroupSession, Question, Seat
from groups.services.seats import join_session
from tests.factories import (
    BookingFactory,
    GroupSessionFactory,
    MentorFactory,
    QuestionFactory,
    SkillFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LIST = "/api/v1/group-sessions/"
FIELDS = {
    "id",
    "host",
    "title",
    "description",
    "skills",
    "start",
    "end",
    "duration",
    "capacity",
    "seats_taken",
    "seats_left",
    "waitlist_length",
    "status",
    "my_status",
    "my_position",
    "series",
    "meeting_url",
}


def z(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def in_days(days: int, hour: int = 10) -> datetime:
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=UTC)


def body(**change) -> dict:
    return {
        "title": "Office hours: negotiation",
        "description": "Bring a situation.",
        "skills": [],
        "start": z(in_days(3)),
        "duration": 30,
        "capacity": 8,
    } | change


def url(session: GroupSession, action: str = "") -> str:
    return f"{LIST}{session.pk}/{action}"


def test_a_mentor_publishes_a_session_and_gets_the_object_of_the_contract(api_as, mentor):
    skill = SkillFactory(slug="negotiation", name="Negotiation")

    response = api_as(mentor).post(LIST, body(skills=["negotiation"]), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) == FIELDS
    assert data["host"] == {"id": mentor.pk, "display_name": mentor.name}
    assert data["skills"] == [skill.slug]
    assert (data["start"], data["end"]) == (z(in_days(3)), z(in_days(3) + timedelta(minutes=30)))
    assert (data["capacity"], data["seats_taken"], data["waitlist_length"]) == (8, 0, 0)
    assert (data["status"], data["my_status"], data["my_position"], data["series"]) == (
        "scheduled",
        None,
        None,
        None,
    )
    assert data["meeting_url"].startswith("https://")  # the host sees the link


def test_with_repeat_weeks_the_first_of_its_series_comes_back(api_as, mentor):
    response = api_as(mentor).post(LIST, body(repeat_weeks=3), format="json")

    assert response.status_code == 201
    series = response.json()["series"]
    assert series is not None
    assert GroupSession.objects.filter(series_id=series).count() == 4
    assert response.json()["id"] == GroupSession.objects.filter(series_id=series).order_by("start")[0].pk


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration", 25),
        ("duration", 100),
        ("duration", "30"),
        ("capacity", 1),
        ("capacity", 201),
        ("repeat_weeks", 13),
        ("repeat_weeks", -1),
        ("skills", ["no-such-skill"]),
        ("skills", "negotiation"),
        ("start", "2026-03-10T09:00:00"),
        ("start", "tomorrow"),
        ("title", ""),
        ("title", "a\nb"),
        ("meeting_url", "not a link"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_stored(api_as, mentor, field, value):
    response = api_as(mentor).post(LIST, body(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not GroupSession.objects.exists()


def test_a_start_in_the_past_is_a_400_on_start(api_as, mentor):
    response = api_as(mentor).post(LIST, body(start=z(timezone.now() - timedelta(hours=1))), format="json")
    assert response.status_code == 400
    assert "start" in response.json()


def test_people_who_are_not_mentors_cannot_publish(api_as, mentee):
    assert api_as(mentee).post(LIST, body(), format="json").status_code == 403


def test_publishing_over_the_hosts_booking_is_409_time_conflict(api_as, mentor):
    BookingFactory(mentor=mentor, start=in_days(3))
    response = api_as(mentor).post(LIST, body(), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "time_conflict"


def test_the_list_filters_by_skill_host_and_upcoming(api_as, mentee):
    speaking = SkillFactory(slug="speaking")
    host = MentorFactory()
    talk = GroupSessionFactory(host=host, start=in_days(2))
    talk.skills.add(speaking)
    other = GroupSessionFactory(start=in_days(1))
    past = GroupSessionFactory(host=host, start=in_days(-2))
    GroupSessionFactory(start=in_days(4), status="cancelled")
    client = api_as(mentee)

    def ids(query: str) -> list[int]:
        response = client.get(f"{LIST}{query}")
        assert response.status_code == 200
        return [item["id"] for item in response.json()["results"]]

    assert ids("?skill=speaking") == [talk.pk]
    assert ids(f"?host={host.pk}") == [past.pk, talk.pk]
    assert ids("?upcoming=true") == [other.pk, talk.pk]
    assert ids(f"?upcoming=true&host={host.pk}&skill=speaking") == [talk.pk]
    assert ids("?skill=") == ids("")  # an empty filter is no filter
    statuses = {item["id"]: item["status"] for item in client.get(LIST).json()["results"]}
    assert statuses[past.pk] == "completed"
    assert client.get(f"{LIST}?host=abc").status_code == 400
    assert client.get(f"{LIST}?upcoming=maybe").status_code == 400


def test_the_list_costs_the_same_queries_for_3_or_20_sessions(api_as, mentee):
    client = api_as(mentee)
    for hour in range(3):
        join_session(session=GroupSessionFactory(start=in_days(2, hour=hour)), person=mentee)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(LIST).json()["results"]) == 3
    for hour in range(17):
        session = GroupSessionFactory(start=in_days(3, hour=hour))
        session.skills.add(SkillFactory())
        join_session(session=session, person=mentee)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(LIST).json()["results"]) == 20
    assert len(many) == len(few)
    assert len(few) <= 5  # the person, the count, the page, its skills, the viewer's seats


def test_the_meeting_link_is_for_the_host_and_the_seated_only(api_as):
    session = GroupSessionFactory(capacity=2, start=in_days(2))
    seated, waiting, outsider = UserFactory(), UserFactory(), UserFactory()
    join_session(session=session, person=seated)
    join_session(session=session, person=UserFactory())
    join_session(session=session, person=waiting)

    def seen_by(person):
        return api_as(person).get(url(session)).json()

    assert seen_by(session.host)["meeting_url"] == session.meeting_url
    assert seen_by(seated)["meeting_url"] == session.meeting_url
    assert (seen_by(seated)["my_status"], seen_by(seated)["my_position"]) == ("seated", None)
    assert seen_by(waiting)["meeting_url"] is None
    assert (seen_by(waiting)["my_status"], seen_by(waiting)["my_position"]) == ("waitlisted", 1)
    assert seen_by(outsider)["meeting_url"] is None


def test_joining_answers_seated_then_waitlisted_with_the_position(api_as):
    session = GroupSessionFactory(capacity=2, start=in_days(2))
    answers = [api_as(UserFactory()).post(url(session, "join/")) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200] * 4
    assert [answer.json() for answer in answers] == [
        {"status": "seated", "position": None},
        {"status": "seated", "position": None},
        {"status": "waitlisted", "position": 1},
        {"status": "waitlisted", "position": 2},
    ]


def test_join_errors_have_the_contracts_codes(api_as, mentee):
    session = GroupSessionFactory(start=in_days(2))
    client = api_as(mentee)
    assert client.post(url(session, "join/")).status_code == 200

    again = client.post(url(session, "join/"))
    assert (again.status_code, again.json()["code"]) == (409, "already_joined")
    host = api_as(session.host).post(url(session, "join/"))
    assert host.status_code == 400
    assert "session" in host.json()
    busy = UserFactory()
    BookingFactory(mentee=busy, start=session.start)
    conflict = api_as(busy).post(url(session, "join/"))
    assert (conflict.status_code, conflict.json()["code"]) == (409, "time_conflict")
    assert api_as(busy).post(f"{LIST}999999/join/").status_code == 404


def test_leaving_gives_the_seat_to_the_first_waiting_and_a_second_leave_is_not_joined(api_as):
    session = GroupSessionFactory(capacity=2, start=in_days(2))
    first, second, waiting = UserFactory(), UserFactory(), UserFactory()
    for person in (first, second, waiting):
        join_session(session=session, person=person)

    response = api_as(first).post(url(session, "leave/"))

    assert response.status_code == 200
    assert (
        response.json()["my_status"],
        response.json()["seats_taken"],
        response.json()["waitlist_length"],
    ) == (
        None,
        2,
        0,
    )
    assert api_as(waiting).get(url(session)).json()["my_status"] == "seated"
    again = api_as(first).post(url(session, "leave/"))
    assert (again.status_code, again.json()["code"]) == (409, "not_joined")


def test_only_the_host_cancels_and_a_cancelled_session_cannot_be_joined(api_as, mentee):
    session = GroupSessionFactory(start=in_days(2))

    assert api_as(mentee).post(url(session, "cancel/"), {}, format="json").status_code == 403
    response = api_as(session.host).post(url(session, "cancel/"), {"scope": "this"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    joined = api_as(mentee).post(url(session, "join/"))
    assert (joined.status_code, joined.json()["code"]) == (409, "cancelled")
    bad_scope = api_as(session.host).post(url(session, "cancel/"), {"scope": "all"}, format="json")
    assert bad_scope.status_code == 400
    assert "scope" in bad_scope.json()


def test_the_host_changes_a_session_with_patch_and_others_get_403(api_as, mentee):
    session = GroupSessionFactory(capacity=2, start=in_days(2))
    for _ in range(3):
        join_session(session=session, person=UserFactory())

    assert api_as(mentee).patch(url(session), {"title": "Mine"}, format="json").status_code == 403
    response = api_as(session.host).patch(
        url(session), {"capacity": 3, "title": "Bigger room"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["capacity"], response.json()["seats_taken"], response.json()["title"]) == (
        3,
        3,
        "Bigger room",
    )
    too_small = api_as(session.host).patch(url(session), {"capacity": 2}, format="json")
    assert too_small.status_code == 400
    assert "capacity" in too_small.json()


def test_the_attendee_list_is_for_the_host(api_as, mentee):
    session = GroupSessionFactory(capacity=2, start=in_days(2))
    people = [UserFactory() for _ in range(3)]
    for person in people:
        join_session(session=session, person=person)

    assert api_as(mentee).get(url(session, "attendees/")).status_code == 403
    data = api_as(session.host).get(url(session, "attendees/")).json()
    assert [row["person"]["id"] for row in data["seated"]] == [people[0].pk, people[1].pk]
    assert [(row["person"]["id"], row["position"]) for row in data["waitlisted"]] == [(people[2].pk, 1)]


def test_the_invite_is_for_the_host_and_the_seated(api_as, mentee, outsider):
    session = GroupSessionFactory(start=in_days(2))
    join_session(session=session, person=mentee)

    response = api_as(mentee).get(url(session, "ics/"), {"format": "ics"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"METHOD:PUBLISH" in response.content
    assert api_as(session.host).get(url(session, "ics/"), {"format": "ics"}).status_code == 200
    assert api_as(outsider).get(url(session, "ics/"), {"format": "ics"}).status_code == 404


def test_questions_are_for_the_host_seated_and_waiting_ranked_by_votes(api_as, outsider):
    session = GroupSessionFactory(capacity=2, start=in_days(2))
    asker, voter, waiting = UserFactory(), UserFactory(), UserFactory()
    for person in (asker, voter, waiting):
        join_session(session=session, person=person)
    questions = url(session, "questions/")

    assert api_as(outsider).get(questions).status_code == 403
    assert api_as(outsider).post(questions, {"text": "Hi?"}, format="json").status_code == 403
    first = api_as(asker).post(questions, {"text": "How long should a deck be?"}, format="json")
    hidden = api_as(asker).post(
        questions, {"text": "Is it ok to be nervous?", "anonymous": True}, format="json"
    )
    assert (first.status_code, hidden.status_code) == (201, 201)
    assert set(first.json()) == {
        "id",
        "text",
        "author",
        "votes",
        "i_voted",
        "created_at",
        "anonymous",
        "answered",
    }
    assert hidden.json()["author"] == {
        "id": asker.pk,
        "display_name": asker.name,
    }  # the author sees it is theirs

    vote = api_as(waiting).post(f"{questions}{hidden.json()['id']}/vote/")
    assert (vote.status_code, vote.json()["votes"], vote.json()["i_voted"]) == (200, 1, True)
    api_as(voter).post(f"{questions}{hidden.json()['id']}/vote/")

    listed = api_as(session.host).get(questions).json()["results"]
    assert [item["id"] for item in listed] == [hidden.json()["id"], first.json()["id"]]
    assert listed[0]["author"] is None  # anonymous to everyone else, the host too
    assert listed[1]["author"]["id"] == asker.pk
    assert (listed[0]["votes"], listed[0]["i_voted"]) == (2, False)

    undone = api_as(voter).post(f"{questions}{hidden.json()['id']}/vote/")
    assert (undone.json()["votes"], undone.json()["i_voted"]) == (1, False)


def test_the_host_marks_a_question_answered_and_nobody_else_can(api_as):
    session = GroupSessionFactory(start=in_days(2))
    person = UserFactory()
    join_session(session=session, person=person)
    question = QuestionFactory(session=session, author=person)
    answered = f"{url(session, 'questions/')}{question.pk}/answered/"

    assert api_as(person).post(answered, {}, format="json").status_code == 403
    response = api_as(session.host).post(answered, {}, format="json")
    assert (response.status_code, response.json()["answered"]) == (200, True)
    assert Question.objects.get(pk=question.pk).answered_at is not None
    undo = api_as(session.host).post(answered, {"answered": False}, format="json")
    assert undo.json()["answered"] is False


def test_a_question_of_another_session_is_404_and_bad_text_is_400(api_as):
    session = GroupSessionFactory(start=in_days(2))
    person = UserFactory()
    join_session(session=session, person=person)
    elsewhere = QuestionFactory()

    assert api_as(person).post(f"{url(session, 'questions/')}{elsewhere.pk}/vote/").status_code == 404
    empty = api_as(person).post(url(session, "questions/"), {"text": ""}, format="json")
    assert empty.status_code == 400
    assert "text" in empty.json()
    assert (
        api_as(person).post(url(session, "questions/"), {"text": "x" * 501}, format="json").status_code == 400
    )
    assert Seat.objects.filter(person=person).count() == 1
