"""marketplace 0006 and matching 0003: names and topics stored before line breaks were refused are put on one
line, so that the mails about those people and requests can be built again."""

import importlib

import pytest
from django.apps import apps

from marketplace.models import User
from matching.models import MentorRequest
from tests.factories import MentorRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


NAMES = importlib.import_module("marketplace.migrations.0006_names_already_stored_on_one_line")
TOPICS = importlib.import_module("matching.migrations.0003_topics_already_stored_on_one_line")


def test_names_stored_with_line_breaks_are_put_on_one_line_and_others_left_alone():
    broken = UserFactory(display_name="Ana\r\nBcc: everyone@example.com")
    separator = UserFactory(display_name="Lee\u2028Park\t ")
    only_breaks = UserFactory(display_name="\n\n")
    fine = UserFactory(display_name="Zoë O'Neil")

    NAMES.put_names_on_one_line(apps, None)

    names = dict(User.objects.values_list("pk", "display_name"))
    assert names[broken.pk] == "Ana Bcc: everyone@example.com"
    assert names[separator.pk] == "Lee Park"
    assert names[only_breaks.pk] == ""
    assert names[fine.pk] == "Zoë O'Neil"


def test_topics_stored_with_line_breaks_are_put_on_one_line():
    broken = MentorRequestFactory(topic="Board deck\nSubject: urgent")
    fine = MentorRequestFactory(topic="Negotiating a raise")

    TOPICS.put_topics_on_one_line(apps, None)

    topics = dict(MentorRequest.objects.values_list("pk", "topic"))
    assert topics[broken.pk] == "Board deck Subject: urgent"
    assert topics[fine.pk] == "Negotiating a raise"
