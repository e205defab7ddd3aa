"""After a group session: it becomes completed in the outbox sweep, each seated attendee gets the feedback
prompt through the outbox (once, after the end) and answers the questions a 1:1 session's feedback asks,
once; the host reads the summary on the attendee page (the project's one rating rounding)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups import selectors
from groups.models import GroupFeedback, GroupSession
from groups.services.feedback import give_group_feedback
from groups.services.seats import join_session, leave_session
from groups.services.sessions import cancel_group_session, create_group_session
from marketplace.errors import Conflict, InvalidInput
from sessions_app.models import OutboundMessage
from sessions_app.sweep import deliver_due_messages
from tests.factories import MentorFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
START = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)
END = START + timedelta(minutes=30)
AFTER = END + timedelta(minutes=10)


@pytest.fixture
def host():
    return MentorFactory(display_name="Hedda Host", timezone="Europe/Berlin")


@pytest.fixture
def session(host):
    return create_group_session(
        host=host, title="Board decks AMA", start=START, duration=30, capacity=3, now=NOW
    )


@pytest.fixture
def seated(session):
    people = [UserFactory(display_name=f"Seated {n}") for n in range(2)]
    for person in people:
        join_session(session=session, person=person, now=NOW)
    return people


def signed_in(client, person, at: datetime):
    """A client signed in at `at` (a login made at the real time would have expired in 2027)."""
    with time_machine.travel(at, tick=False):
        client.force_login(person)
    return client


def prompts_to(person) -> list:
    return [email for email in mail.outbox if email.to == [person.email] and email.subject.startswith("How")]


def test_an_ended_group_session_becomes_completed_in_the_sweep(session):
    with time_machine.travel(END - timedelta(seconds=1), tick=False):
        deliver_due_messages()
    assert GroupSession.objects.get(pk=session.pk).status == "scheduled"

    with time_machine.travel(END, tick=False):
        deliver_due_messages()

    assert GroupSession.objects.get(pk=session.pk).status == "completed"


def test_a_completed_session_stays_busy_time_and_counts_in_the_hosts_week(host, session):
    with time_machine.travel(END, tick=False):
        deliver_due_messages()

    assert selectors.minutes_hosted(host.pk, START - timedelta(days=1), START + timedelta(days=1)) == 30
    busy = selectors.busy_commitments([host.pk], START, END)
    assert [(item.start, item.end, item.as_mentor) for item in busy[host.pk]] == [(START, END, True)]


def test_each_seated_attendee_gets_the_prompt_once_after_the_end_and_the_host_and_the_left_none(
    host, session, seated
):
    gone, waiting = UserFactory(), UserFactory()
    join_session(session=session, person=gone, now=NOW)
    join_session(session=session, person=waiting, now=NOW)  # the session is full: waiting
    leave_session(session=session, person=gone, now=NOW)  # the waiting person gets the seat
    mail.outbox.clear()

    with time_machine.travel(END + timedelta(minutes=4), tick=False):
        deliver_due_messages()
    assert not [email for email in mail.outbox if email.subject.startswith("How")]
    with time_machine.travel(END + timedelta(minutes=5), tick=False):
        deliver_due_messages()
        deliver_due_messages()

    for person in [*seated, waiting]:
        [prompt] = prompts_to(person)
        assert prompt.subject == "How was Board decks AMA?"
        assert f"/group-sessions/{session.pk}/feedback/?rating=5" in prompt.body
    assert prompts_to(gone) == []
    assert prompts_to(host) == []


def test_no_prompt_goes_out_for_a_cancelled_session(host, session, seated):
    cancel_group_session(session=session, by=host, now=NOW)

    with time_machine.travel(AFTER, tick=False):
        deliver_due_messages()

    assert not [email for email in mail.outbox if email.subject.startswith("How")]
    assert not OutboundMessage.objects.filter(kind="feedback_prompt", status="pending").exists()


def test_a_seated_attendee_gives_feedback_once_after_the_end(session, seated):
    with pytest.raises(Conflict) as early:
        give_group_feedback(session=session, by=seated[0], rating=5, helpful=True, now=END - timedelta(1))
    assert early.value.code == "too_early"

    feedback = give_group_feedback(
        session=session,
        by=seated[0],
        rating=4,
        helpful=True,
        comment=" Clear. ",
        next_step="Redo slide 1",
        now=END,
    )
    assert (feedback.rating, feedback.comment, feedback.next_step) == (4, "Clear.", "Redo slide 1")

    with pytest.raises(Conflict) as again:
        give_group_feedback(session=session, by=seated[0], rating=1, helpful=False, now=AFTER)
    assert again.value.code == "already_given"
    with pytest.raises(InvalidInput) as invalid:
        give_group_feedback(session=session, by=seated[1], rating=6, helpful=True, now=AFTER)
    assert invalid.value.field == "rating"
    assert GroupFeedback.objects.count() == 1


FEEDBACK = {"rating": 5, "helpful": True, "comment": "Loved the examples", "next_step": "Try it on Monday"}


def url(session) -> str:
    return f"/api/v1/group-sessions/{session.pk}/feedback/"


def test_the_api_records_a_seated_attendees_feedback(api_as, session, seated):
    with time_machine.travel(AFTER, tick=False):
        response = api_as(seated[0]).post(url(session), FEEDBACK, format="json")

    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": GroupFeedback.objects.get().pk,
        "session": session.pk,
        **FEEDBACK,
        "created_at": "2027-03-10T16:40:00Z",
    }


@pytest.mark.parametrize(
    ("change", "status", "expected"),
    [
        ({"rating": 0}, 400, "rating"),
        ({"rating": "five"}, 400, "rating"),
        ({"helpful": None}, 400, "helpful"),
        ({"comment": "x" * 2001}, 400, "comment"),
        ({"next_step": "x" * 501}, 400, "next_step"),
    ],
)
def test_bad_feedback_is_a_400_naming_the_field_and_stores_nothing(
    api_as, session, seated, change, status, expected
):
    with time_machine.travel(AFTER, tick=False):
        response = api_as(seated[0]).post(url(session), {**FEEDBACK, **change}, format="json")

    assert response.status_code == status
    assert expected in response.json()
    assert not GroupFeedback.objects.exists()


def test_the_api_answers_409_too_early_already_given_and_cancelled(api_as, host, session, seated):
    client = api_as(seated[0])
    with time_machine.travel(END - timedelta(minutes=1), tick=False):
        early = client.post(url(session), FEEDBACK, format="json")
    with time_machine.travel(AFTER, tick=False):
        client.post(url(session), FEEDBACK, format="json")
        twice = client.post(url(session), FEEDBACK, format="json")
    other = create_group_session(
        host=host, title="Later", start=START + timedelta(days=1), duration=30, capacity=3, now=NOW
    )
    join_session(session=other, person=seated[1], now=NOW)
    cancel_group_session(session=other, by=host, now=NOW)
    with time_machine.travel(START + timedelta(days=2), tick=False):
        cancelled = api_as(seated[1]).post(url(other), FEEDBACK, format="json")

    assert (early.status_code, early.json()["code"]) == (409, "too_early")
    assert (twice.status_code, twice.json()["code"]) == (409, "already_given")
    assert (cancelled.status_code, cancelled.json()["code"]) == (409, "cancelled")
    assert GroupFeedback.objects.count() == 1


def test_only_seated_attendees_give_feedback_others_403_and_unknown_sessions_404(
    api_as, host, session, seated
):
    gone, promoted, waiting, outsider = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    for person in (gone, promoted, waiting):  # the third seat, then the waiting list
        join_session(session=session, person=person, now=NOW)
    leave_session(session=session, person=gone, now=NOW)  # promoted gets the seat

    with time_machine.travel(AFTER, tick=False):
        answers = {
            name: api_as(person).post(url(session), FEEDBACK, format="json").status_code
            for name, person in {
                "host": host,
                "left": gone,
                "waiting": waiting,
                "outsider": outsider,
                "promoted": promoted,
            }.items()
        }
        missing = api_as(seated[0]).post("/api/v1/group-sessions/999999/feedback/", FEEDBACK, format="json")

    assert answers == {"host": 403, "left": 403, "waiting": 403, "outsider": 403, "promoted": 201}
    assert missing.status_code == 404
    assert list(GroupFeedback.objects.values_list("author_id", flat=True)) == [promoted.pk]


def test_the_feedback_page_preselects_the_emails_rating_and_records_the_post(client, session, seated):
    signed_in(client, seated[0], START)
    page = f"/group-sessions/{session.pk}/feedback/"
    with time_machine.travel(AFTER, tick=False):
        shown = client.get(f"{page}?rating=4").content.decode()
        assert not GroupFeedback.objects.exists()  # opening a link (a mail scanner) records nothing
        posted = client.post(page, {"rating": "4", "helpful": "yes", "next_step": "Ask Ana", "comment": ""})
        after = client.get(posted["Location"]).content.decode()

    assert 'name="rating" value="4" id="id_rating_3" required checked>' in shown
    assert "Confirm your rating (4/5)" in shown
    assert posted.status_code == 302
    assert GroupFeedback.objects.get().next_step == "Ask Ana"
    assert "Thank you: your feedback is saved." in after
    assert "Ask Ana" in after


def test_the_feedback_page_says_when_it_opens_and_refuses_people_not_seated(client, session, seated):
    signed_in(client, seated[0], START)
    page = f"/group-sessions/{session.pk}/feedback/"
    with time_machine.travel(START, tick=False):
        early = client.get(page)
    signed_in(client, UserFactory(), START)
    with time_machine.travel(AFTER, tick=False):
        outsider = client.get(page)

    assert "You can give feedback once the session has ended." in early.content.decode()
    assert "group-feedback-form" not in early.content.decode()
    assert outsider.status_code == 403


def test_the_session_page_links_a_seated_attendee_to_the_feedback_form_after_the_end(client, session, seated):
    signed_in(client, seated[0], START)
    feedback_page = f"/group-sessions/{session.pk}/feedback/"
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        before = client.get(f"/group-sessions/{session.pk}/").content.decode()
    with time_machine.travel(AFTER, tick=False):
        after = client.get(f"/group-sessions/{session.pk}/").content.decode()

    assert feedback_page not in before
    assert f'href="{feedback_page}"' in after
    assert "Give feedback" in after


def test_the_host_reads_the_summary_rounded_once_halves_up_with_comments_without_names(client, host):
    session = create_group_session(host=host, title="Pitching", start=START, duration=30, capacity=4, now=NOW)
    people = [UserFactory(display_name=f"Attendee {n}") for n in range(4)]
    answers = [
        (4, True, "Clear examples"),
        (4, False, ""),
        (4, True, ""),
        (5, True, "More time for questions"),
    ]
    for person, (rating, helpful, comment) in zip(people, answers, strict=True):
        join_session(session=session, person=person, now=NOW)
        give_group_feedback(
            session=session, by=person, rating=rating, helpful=helpful, comment=comment, now=AFTER
        )
    signed_in(client, host, START)

    with time_machine.travel(AFTER, tick=False):
        text = client.get(f"/group-sessions/{session.pk}/attendees/").content.decode()

    assert selectors.ratings_summary(session).average == 4.25
    assert "4 answers: average rating 4.3 out of 5" in text  # marketplace.ratings: halves up, once
    assert "75% say it helped" in text
    summary_part = text.split('id="feedback-heading"')[1].split('id="questions-heading"')[0]
    assert "Clear examples" in summary_part
    assert "More time for questions" in summary_part
    assert "Attendee" not in summary_part


def test_the_summary_costs_two_queries_whatever_the_number_of_answers(session, seated):
    give_group_feedback(session=session, by=seated[0], rating=5, helpful=True, comment="A", now=AFTER)
    with CaptureQueriesContext(connection) as few:
        selectors.ratings_summary(session)
    give_group_feedback(session=session, by=seated[1], rating=3, helpful=True, comment="B", now=AFTER)
    with CaptureQueriesContext(connection) as more:
        selectors.ratings_summary(session)

    assert len(few) == len(more) == 2


def test_the_summary_is_the_hosts_only(client, session, seated):
    signed_in(client, seated[0], START)

    assert client.get(f"/group-sessions/{session.pk}/attendees/").status_code == 403
