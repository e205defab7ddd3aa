"""Introductions (a colleague to a mentor, with a note) and "a mentor is now free for your request"."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from marketplace.errors import InvalidInput
from matching import notifications as matching_notifications
from matching.notifications import MatchFound
from sessions_app import tasks
from sessions_app.models import Introduction, OutboundMessage
from sessions_app.services.introductions import introduce
from sessions_app.services.match_notices import queue_match_found
from tests.factories import MentorRequestFactory, UserFactory


def email_to(address: str):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


def html_of(message) -> str:
    return {mimetype: content for content, mimetype in message.alternatives}["text/html"]


def test_an_introduction_messages_both_people_with_the_note_and_a_link_to_the_mentors_slots(
    mentee, mentor, outsider, django_capture_on_commit_callbacks
):
    request = MentorRequestFactory(asker=outsider, topic="Board deck", context="Board meets Thursday")

    with django_capture_on_commit_callbacks(execute=True):
        introduce(
            introducer=outsider,
            colleague=mentee,
            mentor=mentor,
            note="Marco ran the last two",
            request_id=request.pk,
        )

    to_colleague, to_mentor = email_to(mentee.email), email_to(mentor.email)
    assert to_colleague.subject == "Oscar Outsider introduced you to Marco Mentor"
    assert to_mentor.subject == "Oscar Outsider introduced you to Maya Mentee"
    assert "Marco ran the last two" in to_colleague.body
    assert f"/mentors/{mentor.pk}/?topic=Board+deck" in to_colleague.body
    assert "Board meets Thursday" in html_of(to_mentor)
    assert to_colleague.attachments == []
    assert set(OutboundMessage.objects.values_list("kind", "status")) == {("introduction", "sent")}


@pytest.mark.parametrize(
    ("change", "field"),
    [({"note": " "}, "note"), ({"colleague": "mentor"}, "colleague"), ({"mentor": "outsider"}, "mentor")],
)
def test_a_bad_introduction_is_refused_naming_the_field(mentee, mentor, outsider, change, field):
    people = {"mentee": mentee, "mentor": mentor, "outsider": outsider}
    arguments = {"introducer": outsider, "colleague": mentee, "mentor": mentor, "note": "Talk!"}
    arguments |= {key: people.get(value, value) for key, value in change.items()}

    with pytest.raises(InvalidInput) as error:
        introduce(**arguments)

    assert error.value.field == field
    assert not Introduction.objects.exists()


def test_an_introduction_cannot_borrow_a_strangers_request(mentee, mentor, outsider):
    strangers = MentorRequestFactory(asker=UserFactory())

    with pytest.raises(InvalidInput) as error:
        introduce(introducer=outsider, colleague=mentee, mentor=mentor, note="Hi", request_id=strangers.pk)

    assert error.value.field == "request"
    assert not Introduction.objects.exists()


def test_the_introduce_page_introduces_a_colleague_by_email(client, mentee, mentor, outsider):
    client.force_login(outsider)

    page = client.get(f"/mentors/{mentor.pk}/introduce/")
    unknown = client.post(
        f"/mentors/{mentor.pk}/introduce/", {"colleague": "nobody@example.com", "note": "Hi"}
    )
    done = client.post(
        f"/mentors/{mentor.pk}/introduce/", {"colleague": mentee.email, "note": "You two should talk"}
    )

    assert page.status_code == 200
    assert unknown.status_code == 400
    assert "Nobody on Sidebar has this address" in unknown.content.decode()
    assert done.status_code == 302
    introduction = Introduction.objects.get()
    assert (introduction.introducer, introduction.colleague, introduction.mentor) == (
        outsider,
        mentee,
        mentor,
    )


def test_the_booking_step_prefills_the_topic_from_the_link(client, mentee, open_mentor):
    from tests.sessions_app.helpers import slot

    client.force_login(mentee)
    start = slot().isoformat().replace("+00:00", "Z")

    page = client.get("/sessions/book/", {"mentor": open_mentor.pk, "start": start, "topic": "Board deck"})

    assert page.status_code == 200
    assert "Board deck</textarea>" in page.content.decode()


def test_sessions_app_listens_for_matches(db):
    assert queue_match_found in matching_notifications._match_notifiers


def test_a_new_match_tells_the_asker_once_per_event_with_the_first_slot_in_their_zone(mentor):
    asker = UserFactory(email="ana@example.com", timezone="America/New_York")
    request = MentorRequestFactory(asker=asker, topic="Salary talk", context="Offer expires Friday")
    slot_start = datetime(2027, 3, 16, 14, 0, tzinfo=UTC)
    request.shortlist = [{"mentor_id": mentor.pk, "slot_start": "2027-03-16T14:00:00Z"}]
    request.match_count = 1
    request.save()
    event = MatchFound(
        request_id=request.pk,
        asker_id=asker.pk,
        topic=request.topic,
        needed_by=timezone.now() + timedelta(days=3),
        match_count=1,
        first_mentor_id=mentor.pk,
        first_slot_start=slot_start,
    )

    matching_notifications.notify_match_found(event)
    matching_notifications.notify_match_found(event)  # the request emptied and filled again: a second notice
    tasks.send_due_messages()

    assert list(OutboundMessage.objects.values_list("sequence", "status")) == [(0, "sent"), (1, "sent")]
    message = mail.outbox[0]
    assert message.subject == "A mentor is now free for your request: Salary talk"
    assert "Marco Mentor can now help" in message.body
    assert "Tue 16 Mar 10:00 (America/New_York)" in message.body
    assert "Offer expires Friday" in html_of(message)
    assert f"/requests/{request.pk}/" in message.body


def test_a_colleagues_private_request_never_travels_in_an_introduction(
    mentee, mentor, outsider, django_capture_on_commit_callbacks
):
    """A mentor who names themself as the mentor (or anyone else) cannot carry a colleague's request along:
    its topic and private context reach only the people its asker chose."""
    private = MentorRequestFactory(asker=mentee, topic="Leaving the team", context="My manager must not know")

    for introducer in (mentor, outsider):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as error:
            introduce(
                introducer=introducer, colleague=mentee, mentor=mentor, note="Hi", request_id=private.pk
            )
        assert error.value.field == "request"
    tasks.send_due_messages()

    assert not Introduction.objects.exists()
    assert not OutboundMessage.objects.exists()
    for message in mail.outbox:
        assert "My manager must not know" not in str(message.body) + html_of(message)
        assert "Leaving the team" not in f"{message.subject} {message.body}"


def test_the_introduce_page_refuses_a_colleagues_request_with_a_visible_error(client, mentee, mentor):
    private = MentorRequestFactory(asker=mentee, topic="Leaving the team", context="My manager must not know")
    client.force_login(mentor)

    page = client.post(
        f"/mentors/{mentor.pk}/introduce/",
        {"colleague": mentee.email, "note": "Talk to me", "request": private.pk},
    )
    tasks.send_due_messages()

    assert page.status_code == 400
    assert "No such request of yours" in page.content.decode()
    assert not Introduction.objects.exists()
    assert all("My manager must not know" not in html_of(message) for message in mail.outbox)


def test_an_introducer_can_share_their_own_request(
    mentee, mentor, outsider, django_capture_on_commit_callbacks
):
    own = MentorRequestFactory(asker=outsider, topic="Board deck", context="Board meets Thursday")

    with django_capture_on_commit_callbacks(execute=True):
        introduce(introducer=outsider, colleague=outsider, mentor=mentor, note="Hi", request_id=own.pk)

    assert "Board meets Thursday" in html_of(email_to(mentor.email))
