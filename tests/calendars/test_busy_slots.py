"""Busy times from a served calendar, through HTTP: GET /api/v1/mentors/{id}/slots/ leaves out exactly the
slots that overlap them (for the mentor's calendar and the asker's), and POST /api/v1/bookings/ into them is
refused; a calendar that cannot be read blocks nothing. The files' clock changes and recurring exceptions
are all inside the range looked at."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendars.models import BusyInterval
from marketplace.models import AvailabilityBlock, MentorProfile
from matching.candidates import find_matches
from matching.ranking import AskedSkill, Need
from sessions_app.models import Booking
from tests.calendars.ics_files import APPLE_BUSY, GOOGLE_BUSY, OUTLOOK_BUSY, at, ics
from tests.factories import MentorFactory, SkillFactory, UserSkillFactory
from tests.sessions_app.helpers import BOOKINGS, z

# 9 March to 8 April 2026: Berlin's clock change (29 March), New York's (8 March) just before, the moved
# and the cancelled occurrences, the EXDATEs and the out-of-office days of the files.
RANGE = {"start": "2026-03-09T00:00:00Z", "end": "2026-04-08T00:00:00Z", "duration": 30}
Span = tuple[datetime, datetime]


@pytest.fixture
def working_mentor(mentor):
    """The mentor persona (Berlin, no notice, no buffer), free Monday to Friday 08:00-18:00 Berlin time."""
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(8), end=time(18)) for weekday in range(5)
    )
    return mentor


def offered(client, mentor) -> list[Span]:
    response = client.get(f"/api/v1/mentors/{mentor.pk}/slots/", RANGE)
    assert response.status_code == 200, response.json()
    return [
        (datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]))
        for item in response.json()["slots"]
    ]


def overlaps(slot: Span, busy: list[Span]) -> bool:
    return any(start < slot[1] and slot[0] < end for start, end in busy)


def connect_and_sync(client, server, name: str) -> dict:
    server.serve(f"/{name}.ics", ics(name))
    created = client.post("/api/v1/me/busy-calendars/", {"url": server.url(f"/{name}.ics")}, format="json")
    assert created.status_code == 201, created.json()
    synced = client.post(f"/api/v1/me/busy-calendars/{created.json()['id']}/sync/")
    assert synced.status_code == 200
    return synced.json()


def book(client, mentor, start: datetime):
    return client.post(
        BOOKINGS, {"mentor": mentor.pk, "start": z(start), "duration": 30, "topic": "Slides"}, format="json"
    )


@pytest.fixture
def clients(mentee, working_mentor, allow_private, march):
    from rest_framework.test import APIClient

    as_mentor, as_mentee = APIClient(), APIClient()
    as_mentor.force_authenticate(working_mentor)
    as_mentee.force_authenticate(mentee)
    return as_mentor, as_mentee


def test_the_mentors_busy_times_remove_exactly_the_overlapping_slots(clients, working_mentor, server):
    as_mentor, as_mentee = clients
    before = offered(as_mentee, working_mentor)

    assert connect_and_sync(as_mentor, server, "outlook")["busy_events"] == len(OUTLOOK_BUSY)
    after = offered(as_mentee, working_mentor)

    assert after == [slot for slot in before if not overlaps(slot, OUTLOOK_BUSY)]
    removed = set(before) - set(after)
    assert len(removed) > 40  # the out-of-office days alone are two working days
    half_hour = timedelta(minutes=30)
    # The weekly 1:1 at 11:00 Berlin: 10:00 UTC before the change, 09:00 UTC after it.
    assert (at(3, 10, 10), at(3, 10, 10) + half_hour) in removed
    assert (at(3, 10, 9, 30), at(3, 10, 10)) in after  # ends as it begins: touching is free
    assert (at(3, 10, 10, 30), at(3, 10, 11)) in after
    assert (at(4, 7, 9), at(4, 7, 9) + half_hour) in removed
    assert (at(4, 7, 10), at(4, 7, 10) + half_hour) in after  # 12:00 CEST: not 11:00 CET
    # 17 March is an EXDATE; 31 March moved to 16:00 CEST (14:00 UTC).
    assert (at(3, 17, 10), at(3, 17, 10) + half_hour) in after
    assert (at(3, 31, 9), at(3, 31, 9) + half_hour) in after
    assert (at(3, 31, 14), at(3, 31, 14) + half_hour) in removed
    # Out of office Friday 27 and Monday 30 March (Berlin's whole days): nothing offered.
    assert [slot for slot in after if at(3, 26, 23) <= slot[0] < at(3, 30, 22)] == []


def test_a_google_calendars_moved_and_cancelled_occurrences_are_honoured(clients, working_mentor, server):
    as_mentor, as_mentee = clients
    before = offered(as_mentee, working_mentor)

    connect_and_sync(as_mentor, server, "google")
    after = offered(as_mentee, working_mentor)

    # The persona is mentor@example.com, not the marco.mentor@ who declined the vendor call: busy for them.
    busy = [*GOOGLE_BUSY, (at(3, 17, 14), at(3, 17, 15))]
    assert after == [slot for slot in before if not overlaps(slot, busy)]
    standup = timedelta(minutes=30)
    assert (at(3, 11, 8, 30), at(3, 11, 8, 30) + standup) in after  # moved away from 09:30 on 11 March
    assert (at(3, 11, 13), at(3, 11, 13) + standup) in set(before) - set(after)  # to 14:00
    assert (at(3, 18, 8, 30), at(3, 18, 8, 30) + standup) in after  # that occurrence cancelled
    assert (at(3, 30, 7, 30), at(3, 30, 8)) in set(before) - set(after)  # 09:30 CEST after the change


def test_the_askers_own_busy_times_remove_the_slots_offered_to_them(clients, working_mentor, mentee, server):
    as_mentor, as_mentee = clients
    before = offered(as_mentee, working_mentor)

    connect_and_sync(as_mentee, server, "apple")  # read in the mentee's zone, London
    after = offered(as_mentee, working_mentor)

    mine = list(BusyInterval.objects.filter(owner=mentee).values_list("start", "end"))
    assert after == [slot for slot in before if not overlaps(slot, mine)]
    assert before != after
    assert offered(as_mentor, working_mentor) == before  # the mentor's own view knows nothing of hers


def test_a_booking_into_the_mentors_busy_time_is_refused_with_words_and_stores_nothing(
    clients, working_mentor, server
):
    as_mentor, as_mentee = clients
    connect_and_sync(as_mentor, server, "outlook")

    response = book(as_mentee, working_mentor, at(3, 24, 10))  # the 1:1 at 11:00 Berlin

    assert response.status_code == 409
    assert response.json() == {
        "code": "slot_unavailable",
        "detail": "Marco Mentor is busy elsewhere at that time. Please pick another slot.",
    }
    assert not Booking.objects.exists()
    assert book(as_mentee, working_mentor, at(3, 24, 10, 30)).status_code == 201  # right after it


def test_a_booking_into_the_askers_own_busy_time_is_refused_with_words(clients, working_mentor, server):
    _, as_mentee = clients
    connect_and_sync(as_mentee, server, "outlook")  # the mentee, in London, has the same 1:1

    response = book(as_mentee, working_mentor, at(3, 24, 10))

    assert response.status_code == 409
    assert (
        response.json()["detail"]
        == "Your own calendar shows you busy at that time. Please pick another slot."
    )
    assert not Booking.objects.exists()


def test_a_reschedule_into_busy_time_is_refused_and_the_session_stays(clients, working_mentor, server):
    as_mentor, as_mentee = clients
    booked = book(as_mentee, working_mentor, at(3, 24, 13)).json()
    connect_and_sync(as_mentor, server, "outlook")

    response = as_mentee.post(
        f"{BOOKINGS}{booked['id']}/reschedule/", {"start": z(at(4, 7, 9))}, format="json"
    )

    assert response.status_code == 409
    assert (
        response.json()["detail"] == "Marco Mentor is busy elsewhere at that time. Please pick another slot."
    )
    assert Booking.objects.get().start == at(3, 24, 13)


def test_a_calendar_that_cannot_be_read_blocks_nothing(clients, working_mentor, server):
    as_mentor, as_mentee = clients
    before = offered(as_mentee, working_mentor)
    server.answer("/outlook.ics", 404)
    created = as_mentor.post("/api/v1/me/busy-calendars/", {"url": server.url("/outlook.ics")}, format="json")

    synced = as_mentor.post(f"/api/v1/me/busy-calendars/{created.json()['id']}/sync/").json()

    assert (synced["status"], synced["error"]) == ("error", "The calendar address answered 404.")
    assert offered(as_mentee, working_mentor) == before
    assert book(as_mentee, working_mentor, at(3, 24, 10)).status_code == 201


def test_busy_times_keep_the_buffer_but_not_the_weekly_budget(clients, working_mentor, server):
    as_mentor, as_mentee = clients
    MentorProfile.objects.filter(user=working_mentor).update(buffer_minutes=10, weekly_minutes_cap=30)
    connect_and_sync(as_mentor, server, "outlook")

    after = offered(as_mentee, working_mentor)

    # 1:1 from 10:00 to 10:30 UTC on 24 March: with a 10-minute buffer, 09:20 and 10:40 are the nearest.
    starts = {slot[0] for slot in after}
    assert {at(3, 24, 9, 20), at(3, 24, 10, 40)} <= starts
    assert not {at(3, 24, 9, 30), at(3, 24, 10, 30)} & starts
    # Fifteen hours of meetings, and a budget of 30 minutes a week: still offered, every week.
    assert len({slot[0].isocalendar()[1] for slot in after}) == 5


def test_the_slots_cost_the_same_queries_with_busy_calendars_as_without(
    clients, working_mentor, mentee, server, django_assert_num_queries
):
    as_mentor, as_mentee = clients
    offered(as_mentee, working_mentor)
    with CaptureQueriesContext(connection) as without:
        offered(as_mentee, working_mentor)
    queries = len(without)
    connect_and_sync(as_mentor, server, "outlook")
    connect_and_sync(as_mentor, server, "google")
    connect_and_sync(as_mentee, server, "apple")

    with django_assert_num_queries(queries):
        offered(as_mentee, working_mentor)


def test_the_mentor_list_costs_the_same_queries_for_few_or_many_mentors_with_calendars(
    clients, working_mentor, mentee, server, django_assert_num_queries
):
    as_mentor, as_mentee = clients
    connect_and_sync(as_mentor, server, "outlook")
    as_mentee.get("/api/v1/mentors/")
    with CaptureQueriesContext(connection) as few:
        assert len(as_mentee.get("/api/v1/mentors/").json()["results"]) == 1
    queries = len(few)
    for _ in range(6):
        other = MentorFactory()
        AvailabilityBlock.objects.create(mentor=other, weekday=1, start=time(8), end=time(18))
        calendar = other.busy_calendars.create(url=f"https://calendar.example.com/{other.pk}.ics")
        BusyInterval.objects.bulk_create(
            BusyInterval(owner=other, calendar=calendar, start=start, end=end) for start, end in APPLE_BUSY
        )

    with django_assert_num_queries(queries):
        assert len(as_mentee.get("/api/v1/mentors/").json()["results"]) == 7


def test_matching_offers_the_first_slot_after_the_mentors_busy_time(clients, working_mentor, mentee, server):
    as_mentor, _ = clients
    skill = SkillFactory(name="Public speaking", slug="public-speaking")
    UserSkillFactory(user=working_mentor, skill=skill, level=3)
    connect_and_sync(as_mentor, server, "google")
    # Monday 30 March, 07:20 UTC: the standup (07:30-08:00 UTC) and planning (08:00-09:00 UTC) are next.
    # Without them the first time inside both people's working hours would be 08:00 UTC (09:00 London).
    need = Need(
        asker_id=mentee.pk,
        skills=(AskedSkill(skill.pk, skill.name),),
        needed_by=at(3, 30, 14),
        duration_minutes=30,
        asker_timezone="Europe/London",
    )

    shortlist = find_matches(need, now=at(3, 30, 7, 20))

    assert [match.mentor_id for match in shortlist.matches] == [working_mentor.pk]
    first = shortlist.slots[working_mentor.pk]
    assert (first.slot.start, first.earlier) == (at(3, 30, 9), None)
