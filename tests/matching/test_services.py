"""Writes to requests: create, re-match (and notify), expire, mark booked."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.errors import InvalidInput
from marketplace.models import AvailabilityBlock, MentorProfile, User, UserSkill
from matching import notifications, services, tasks
from matching.models import MentorRequest
from tests.factories import MentorRequestFactory, SkillFactory, UserFactory

THURSDAY_5PM = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


def create(asker, skills, **fields):
    fields.setdefault("topic", "Board presentation")
    fields.setdefault("needed_by", THURSDAY_5PM)
    fields.setdefault("duration", 30)
    return services.create_request(asker=asker, skills=skills, **fields)


@pytest.fixture
def heard():
    """Registers a notifier; yields the events it heard."""
    events: list[notifications.MatchFound] = []
    notifications.register_match_notifier(events.append)
    yield events
    notifications.unregister_match_notifier(events.append)


def test_creating_stores_the_need_and_the_shortlist_as_offered(
    mentee, make_mentor, speaking, storytelling, frozen_monday
):
    mentor = make_mentor(skills=[(speaking, 3)])

    request = create(
        mentee,
        [speaking, storytelling],
        topic="  Board   presentation ",
        context=" Slides are done. ",
        needed_by=datetime(2026, 11, 26, 19, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        prefer_other_department=True,
    )

    request.refresh_from_db()
    assert request.topic == "Board presentation"
    assert request.context == "Slides are done."
    assert set(request.skills.all()) == {speaking, storytelling}
    assert request.status == MentorRequest.Status.OPEN
    assert request.needed_by == datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
    assert request.created_at == frozen_monday
    assert request.last_matched_at == request.first_matched_at == frozen_monday
    assert request.prefer_other_department is True
    assert request.match_count == 1
    [entry] = request.shortlist
    assert entry["mentor_id"] == mentor.pk
    assert entry["rank"] == 1
    assert entry["slot_start"] == "2026-11-23T09:00:00Z"
    assert entry["slot_end"] == "2026-11-23T09:30:00Z"
    assert entry["reasons"][0] == "Knows Public speaking (expert), not Storytelling"
    assert entry["rating"] is None


def test_a_request_nobody_can_answer_is_kept_open_with_an_empty_shortlist(mentee, speaking, frozen_monday):
    request = create(mentee, [speaking])

    assert request.status == MentorRequest.Status.OPEN
    assert request.match_count == 0
    assert request.shortlist == []
    assert request.first_matched_at is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"topic": " "}, "topic"),
        ({"topic": "x" * 201}, "topic"),
        ({"context": "x" * 2001}, "context"),
        ({"skills": []}, "skills"),
        ({"duration": 45}, "duration"),
        ({"needed_by": datetime(2026, 11, 23, 7, 59, tzinfo=UTC)}, "needed_by"),
        ({"needed_by": datetime(2027, 1, 23, 8, 1, tzinfo=UTC)}, "needed_by"),
        ({"needed_by": datetime(2026, 11, 26, 17, 0)}, "needed_by"),
    ],
)
def test_invalid_requests_are_refused_naming_the_field(mentee, speaking, frozen_monday, fields, field):
    fields = {"skills": [speaking], **fields}
    skills = fields.pop("skills")
    with pytest.raises(InvalidInput) as error:
        create(mentee, skills, **fields)
    assert error.value.field == field
    assert not MentorRequest.objects.exists()


def test_more_than_five_skills_are_refused(mentee, frozen_monday):
    skills = [SkillFactory() for _ in range(6)]
    with pytest.raises(InvalidInput, match="at most 5") as error:
        create(mentee, skills)
    assert error.value.field == "skills"
    assert not MentorRequest.objects.exists()


def _org(count: int, skill, *, first: int = 0) -> None:
    mentors = User.objects.bulk_create(
        User(email=f"m{n}@example.com", is_mentor=True) for n in range(first, first + count)
    )
    MentorProfile.objects.bulk_create(MentorProfile(user=user, min_notice_minutes=0) for user in mentors)
    UserSkill.objects.bulk_create(UserSkill(user=user, skill=skill, level=2) for user in mentors)
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=user, weekday=weekday, start=time(9), end=time(17))
        for user in mentors
        for weekday in range(5)
    )


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")


def test_creating_a_request_runs_at_most_ten_queries_whatever_the_number_of_mentors(
    transactional_db, speaking, frozen_monday, track_records
):
    def statements_of_a_request() -> list[str]:
        asker = UserFactory()
        with CaptureQueriesContext(connection) as captured:
            request = create(asker, [speaking])
        assert request.match_count == 10
        return [query["sql"] for query in captured.captured_queries]

    _org(30, speaking)
    with_30 = statements_of_a_request()
    _org(270, speaking, first=30)

    statements = statements_of_a_request()

    assert [sql.split()[0] for sql in statements] == [sql.split()[0] for sql in with_30]
    queries = [sql for sql in statements if not sql.startswith(TRANSACTION_CONTROL)]
    # Nine reads for matching (one per registered session_data provider: the mentors' and the asker's busy
    # time is read from sessions_app's and groups'), one for the help promise in force, and two inserts, in
    # one transaction.
    assert len(queries) <= 13
    assert [sql.split()[0] for sql in queries].count("INSERT") == 2
    assert len(statements) - len(queries) == 2


# --- Re-matching ---


def test_an_unmatched_request_is_rematched_when_a_mentor_frees_up_and_the_asker_is_notified_once(
    mentee, make_mentor, speaking, frozen_monday, heard
):
    request = create(mentee, [speaking])
    mentor = make_mentor(skills=[(speaking, 2)])

    with time_machine.travel(frozen_monday + timedelta(minutes=10), tick=False):
        events = services.rematch_open_requests()
        assert services.rematch_open_requests(now=frozen_monday + timedelta(minutes=30)) == []

    assert [event.request_id for event in events] == [request.pk]
    assert heard == events
    event = events[0]
    assert event.asker_id == mentee.pk
    assert event.first_mentor_id == mentor.pk
    assert event.first_slot_start == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    request.refresh_from_db()
    assert request.match_count == 1
    assert request.first_matched_at == frozen_monday + timedelta(minutes=10)
    assert request.shortlist[0]["mentor_id"] == mentor.pk


def test_two_racing_rematches_notify_once(mentee, make_mentor, speaking, frozen_monday, heard):
    request = create(mentee, [speaking])
    make_mentor(skills=[(speaking, 2)])
    first, second = (MentorRequest.objects.select_related("asker").get(pk=request.pk) for _ in range(2))

    assert services.rematch_request(request=first, now=frozen_monday) is not None
    assert services.rematch_request(request=second, now=frozen_monday) is None
    assert len(heard) == 1


def test_a_request_booked_while_it_was_being_rematched_keeps_the_shortlist_it_was_booked_from(
    mentee, make_mentor, speaking, frozen_monday
):
    make_mentor(skills=[(speaking, 2)])
    request = create(mentee, [speaking])
    offered = request.shortlist
    services.mark_request_booked(
        request_id=request.pk, asker_id=mentee.pk, booking_start=THURSDAY_5PM, booked_at=frozen_monday
    )
    make_mentor(skills=[(speaking, 3)])

    assert services.rematch_request(request=request, now=frozen_monday) is None

    request.refresh_from_db()
    assert request.status == MentorRequest.Status.BOOKED
    assert request.shortlist == offered


def test_the_periodic_rematch_takes_unmatched_requests_first_and_skips_fresh_ones(
    mentee, make_mentor, speaking, storytelling, frozen_monday
):
    make_mentor(skills=[(speaking, 2)])
    matched = create(mentee, [speaking])
    unmatched = create(mentee, [storytelling])
    later = frozen_monday + timedelta(minutes=10)

    services.rematch_open_requests(now=frozen_monday + timedelta(minutes=1))
    assert MentorRequest.objects.get(pk=matched.pk).last_matched_at == frozen_monday  # too fresh

    services.rematch_open_requests(now=later, limit=1)
    assert MentorRequest.objects.get(pk=unmatched.pk).last_matched_at == later
    assert MentorRequest.objects.get(pk=matched.pk).last_matched_at == frozen_monday


def test_rematching_for_a_mentor_touches_only_requests_for_their_skills(
    mentee, make_mentor, speaking, storytelling, frozen_monday, heard
):
    speaker_request = create(mentee, [speaking])
    story_request = create(mentee, [storytelling])
    mentor = make_mentor(skills=[(speaking, 2)])

    events = services.rematch_requests_for_mentor(
        mentor_id=mentor.pk, now=frozen_monday + timedelta(minutes=1)
    )

    assert [event.request_id for event in events] == [speaker_request.pk]
    assert MentorRequest.objects.get(pk=story_request.pk).last_matched_at == frozen_monday


def test_opening_a_stale_request_rematches_it_without_notifying(
    mentee, make_mentor, speaking, frozen_monday, heard
):
    request = create(mentee, [speaking])
    make_mentor(skills=[(speaking, 2)])

    services.refresh_request(request=request, now=frozen_monday + timedelta(minutes=1))
    assert request.match_count == 0  # fresh enough: left alone

    services.refresh_request(request=request, now=frozen_monday + services.REFRESH_AFTER)
    assert request.match_count == 1
    assert MentorRequest.objects.get(pk=request.pk).match_count == 1
    assert heard == []


# --- Expiry ---


def test_requests_past_their_deadline_expire_and_keep_what_they_were_offered(mentee, frozen_monday):
    due = MentorRequestFactory(
        asker=mentee, created_at=frozen_monday, needed_by=frozen_monday + timedelta(hours=1)
    )
    due.shortlist = [{"mentor_id": 1}]
    due.save()
    later = MentorRequestFactory(
        asker=mentee, created_at=frozen_monday, needed_by=frozen_monday + timedelta(days=1)
    )
    booked = MentorRequestFactory(
        asker=mentee,
        created_at=frozen_monday,
        needed_by=frozen_monday + timedelta(hours=1),
        status=MentorRequest.Status.BOOKED,
        booked_at=frozen_monday,
        booked_session_start=frozen_monday + timedelta(minutes=30),
    )

    assert services.expire_requests(now=frozen_monday + timedelta(hours=1)) == 1

    statuses = dict(MentorRequest.objects.values_list("pk", "status"))
    assert statuses == {due.pk: "expired", later.pk: "open", booked.pk: "booked"}
    assert MentorRequest.objects.get(pk=due.pk).shortlist == [{"mentor_id": 1}]


def test_opening_a_request_past_its_deadline_expires_it(mentee, frozen_monday):
    request = MentorRequestFactory(
        asker=mentee, created_at=frozen_monday, needed_by=frozen_monday + timedelta(hours=1)
    )
    services.refresh_request(request=request, now=frozen_monday + timedelta(hours=2))

    assert MentorRequest.objects.get(pk=request.pk).status == MentorRequest.Status.EXPIRED


def test_the_beat_tasks_expire_and_rematch(mentee, make_mentor, speaking, frozen_monday):
    MentorRequestFactory(
        asker=mentee, created_at=frozen_monday, needed_by=frozen_monday + timedelta(minutes=5)
    )
    open_request = create(mentee, [speaking])
    make_mentor(skills=[(speaking, 2)])

    with time_machine.travel(frozen_monday + timedelta(minutes=10), tick=False):
        assert tasks.expire_requests.delay().get() == 1
        assert tasks.rematch_open_requests.delay().get() == 1

    assert MentorRequest.objects.get(pk=open_request.pk).match_count == 1


# --- Booked ---


def test_marking_booked_records_time_to_help_and_is_idempotent(mentee, mentor, speaking, frozen_monday):
    request = create(mentee, [speaking])
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

    assert services.mark_request_booked(
        request_id=request.pk,
        asker_id=mentee.pk,
        booking_start=start,
        booked_at=frozen_monday,
        mentor_id=mentor.pk,
    )
    assert not services.mark_request_booked(
        request_id=request.pk,
        asker_id=mentee.pk,
        booking_start=start + timedelta(days=1),
        booked_at=THURSDAY_5PM,
    )

    request.refresh_from_db()
    assert request.status == MentorRequest.Status.BOOKED
    assert request.booked_at == frozen_monday
    assert request.booked_session_start == start
    assert request.booked_mentor == mentor


def test_an_expired_request_can_still_be_booked(mentee, frozen_monday):
    request = MentorRequestFactory(
        asker=mentee,
        created_at=frozen_monday - timedelta(days=3),
        needed_by=frozen_monday - timedelta(hours=1),
        status=MentorRequest.Status.EXPIRED,
    )
    assert services.mark_request_booked(
        request_id=request.pk, asker_id=mentee.pk, booking_start=THURSDAY_5PM, booked_at=frozen_monday
    )


def test_marking_someone_elses_or_a_missing_request_booked_is_refused(mentee, outsider, frozen_monday):
    request = MentorRequestFactory(asker=mentee)
    for request_id, asker in ((request.pk, outsider), (request.pk + 1000, mentee)):
        with pytest.raises(InvalidInput) as error:
            services.mark_request_booked(
                request_id=request_id, asker_id=asker.pk, booking_start=THURSDAY_5PM, booked_at=frozen_monday
            )
        assert error.value.field == "request"
    assert MentorRequest.objects.get(pk=request.pk).status == MentorRequest.Status.OPEN


def test_booking_from_a_match_marks_the_request_booked(mentee, make_mentor, speaking, frozen_monday):
    from sessions_app.services.bookings import book_session

    mentor = make_mentor(skills=[(speaking, 2)])
    request = create(mentee, [speaking])
    start = datetime.fromisoformat(request.shortlist[0]["slot_start"])

    booking = book_session(
        mentee=mentee, mentor=mentor, start=start, minutes=30, topic=request.topic, request_id=request.pk
    )

    request.refresh_from_db()
    assert request.status == MentorRequest.Status.BOOKED
    assert request.booked_session_start == booking.start
    assert request.booked_at is not None


def test_one_request_failing_to_rematch_does_not_stop_the_others(
    mentee, make_mentor, speaking, storytelling, frozen_monday, monkeypatch, caplog
):
    broken = create(mentee, [speaking])
    fine = create(mentee, [storytelling])
    make_mentor(skills=[(speaking, 2), (storytelling, 2)])
    real = services.rematch_request

    def flaky(*, request, **kwargs):
        if request.pk == broken.pk:
            raise RuntimeError("boom")
        return real(request=request, **kwargs)

    monkeypatch.setattr(services, "rematch_request", flaky)

    events = services.rematch_open_requests(now=frozen_monday + timedelta(minutes=10))

    assert [event.request_id for event in events] == [fine.pk]
    assert f"Re-matching request {broken.pk} failed" in caplog.text
