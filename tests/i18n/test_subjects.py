"""E-mail subjects read as sentences in each language, also where the recipient is the one who acted."""

import pytest
from django.core import mail

from marketplace.models import User
from sessions_app.services.introductions import introduce
from tests.factories import MentorRequestFactory


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en-gb", "You introduced yourself to Marco Mentor"),
        ("fr", "Vous avez pris contact avec Marco Mentor"),
        ("de", "Sie haben sich Marco Mentor vorgestellt"),
    ],
)
def test_someone_who_introduces_themselves_gets_a_subject_in_the_first_person(
    outsider, mentor, django_capture_on_commit_callbacks, language, subject
):
    User.objects.filter(pk=outsider.pk).update(language=language)
    outsider.refresh_from_db()
    own = MentorRequestFactory(asker=outsider, topic="Board deck")

    with django_capture_on_commit_callbacks(execute=True):
        introduce(introducer=outsider, colleague=outsider, mentor=mentor, note="Hi", request_id=own.pk)

    [to_self] = [message for message in mail.outbox if message.to == [outsider.email]]
    assert to_self.subject == subject
