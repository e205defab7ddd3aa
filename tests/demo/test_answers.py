from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from answers.models import Answer, Reply
from marketplace.models import User, UserSkill
from matching.models import MentorRequest


@pytest.fixture(autouse=True)
def _debug_on(settings):
    settings.DEBUG = True  # seed_demo refuses to run with DEBUG off unless forced


@pytest.fixture
def seeded() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, mentors=12, employees=30)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_has_written_answers_and_replies_and_says_how_many(seeded):
    answers = Answer.objects.count()
    helpful = Answer.objects.filter(helpful=True).count()
    assert answers > 0
    assert 0 < helpful < answers
    assert Reply.objects.exists()
    assert f"{answers:,} written answers ({helpful:,} helpful, {Reply.objects.count():,} replies)" in seeded


@pytest.mark.django_db
def test_answers_come_from_mentors_of_an_asked_skill_never_the_asker_and_before_the_deadline(seeded):
    for answer in Answer.objects.select_related("request", "author"):
        request = answer.request
        assert answer.author_id != request.asker_id
        assert answer.author.is_mentor
        assert UserSkill.objects.filter(user=answer.author, skill__in=request.skills.all()).exists()
        assert request.created_at < answer.created_at < request.needed_by
        assert request.status != MentorRequest.Status.BOOKED
        if answer.marked_at is not None:
            assert answer.marked_at >= answer.created_at
    for reply in Reply.objects.select_related("answer__request"):
        assert reply.author_id == reply.answer.request.asker_id
        assert reply.created_at >= reply.answer.created_at


@pytest.mark.django_db
def test_a_request_is_answered_exactly_when_it_has_a_helpful_answer_and_at_that_moment(seeded):
    answered = MentorRequest.objects.filter(status=MentorRequest.Status.ANSWERED)
    assert answered.exists()
    assert set(answered.values_list("id", flat=True)) == set(
        Answer.objects.filter(helpful=True).values_list("request_id", flat=True)
    )
    for request in answered:
        marked = request.answers.get(helpful=True).marked_at
        assert request.answered_at == marked
    assert (
        not MentorRequest.objects.exclude(status=MentorRequest.Status.ANSWERED)
        .filter(answered_at__isnull=False)
        .exists()
    )


@pytest.mark.django_db
def test_the_demo_mentee_has_an_answer_waiting_to_be_judged_on_an_open_request(seeded, client):
    mentee = User.objects.get(email="mentee@example.com")
    waiting = Answer.objects.filter(
        request__asker=mentee, request__status=MentorRequest.Status.OPEN, helpful__isnull=True
    ).select_related("request")
    assert waiting.exists()
    assert waiting.filter(request__needed_by__gt=F("created_at")).exists()


@pytest.mark.django_db
def test_nobody_answered_before_they_joined(seeded):
    assert not Answer.objects.filter(created_at__lt=F("author__date_joined")).exists()
    assert not Reply.objects.filter(created_at__lt=F("author__date_joined")).exists()
