"""marketplace.time_changes: "this mentor's bookable time may have changed", heard once the change commits,
by waitlists (offer the freed time) and matching (re-match the open requests the mentor can help with)."""

import pytest
from django.db import transaction

from marketplace import time_changes
from matching.services import create_request
from sessions_app.models import OutboundMessage
from sessions_app.services.bookings import cancel_booking
from tests.factories import SkillFactory, UserFactory, UserSkillFactory
from tests.waitlists.conftest import WEDNESDAY_EVENING

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch) -> list[int]:
    """Only a recording listener, for the test."""
    calls: list[int] = []
    monkeypatch.setattr(time_changes, "_listeners", [calls.append])
    return calls


def test_listeners_hear_of_a_change_once_it_commits_and_never_of_one_rolled_back(
    heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        time_changes.mentor_time_may_have_changed(7)
        assert heard == []  # not before the commit
    assert heard == [7]

    def failing_change() -> None:
        with transaction.atomic():
            time_changes.mentor_time_may_have_changed(8)
            raise RuntimeError("the change failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_change()
    assert heard == [7]


def test_a_failing_listener_does_not_keep_the_others_from_hearing(
    heard, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(mentor_id: int) -> None:
        raise ConnectionError("the broker is away")

    monkeypatch.setattr(time_changes, "_listeners", [broken, heard.append])
    with django_capture_on_commit_callbacks(execute=True):
        time_changes.mentor_time_may_have_changed(9)

    assert heard == [9]


def test_a_freed_time_rematches_the_open_requests_the_mentor_can_help_with(
    full_mentor, bookings, django_capture_on_commit_callbacks
):
    skill = SkillFactory(slug="board-decks")
    UserSkillFactory(user=full_mentor, skill=skill)
    asker = UserFactory(timezone="UTC")
    request = create_request(
        asker=asker, topic="Board deck", skills=[skill], needed_by=WEDNESDAY_EVENING, duration=30
    )
    assert request.match_count == 0

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=bookings[0], by=bookings[0].mentee, reason="")

    request.refresh_from_db()
    assert request.match_count == 1
    assert OutboundMessage.objects.filter(request=request, kind="match_found", recipient=asker).exists()
