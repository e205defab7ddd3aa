"""The personal calendar feed shows the group sessions one hosts or has a seat in, with the 1:1 sessions,
read by real calendar clients (ical.js through scripts/read-ics.mjs, and icalendar) at the right instants in
the reader's zone across clock changes; not the ones one waits for, has left, or that were cancelled."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import GroupSession
from groups.services.seats import join_session, leave_session
from groups.services.sessions import Changes, cancel_group_session, create_group_session, update_group_session
from tests.calendar_clients import read_with_ical_js, read_with_icalendar, utc
from tests.factories import BookingFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def feed(client, person) -> dict:
    """The person's feed as ical.js reads it, after checking that icalendar reads the same events at the same
    instants in the same zones."""
    ics = client.get(f"/calendar/{person.calendar_token}.ics").content
    shown = read_with_ical_js(ics)
    _, events = read_with_icalendar(ics)
    assert [(event.uid, event.start, event.end, event.tzid) for event in events] == [
        (e["uid"], utc(e["start"]["utc"]), utc(e["end"]["utc"]), e["start"]["tzid"]) for e in shown["events"]
    ]
    return shown


def local(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None).isoformat()


@pytest.fixture
def host():
    return MentorFactory(display_name="Hedda Host", timezone="Europe/Berlin")


@pytest.fixture
def office_hours(host):
    """Weekly at 16:00 in Berlin across its change to summer time (28 March 2027): 15:00 UTC, then 14:00."""
    first = create_group_session(
        host=host,
        title="Office hours",
        start=datetime(2027, 3, 18, 16, 0, tzinfo=BERLIN),
        duration=30,
        capacity=5,
        repeat_weeks=2,
        now=NOW,
    )
    return list(GroupSession.objects.filter(series_id=first.series_id).order_by("start"))


def test_a_seated_persons_feed_has_their_group_sessions_and_1_1s_in_their_zone_across_clock_changes(
    client, host, office_hours
):
    # New York moved to summer time on 14 March 2027, Berlin moves on 28 March: the gap between them shrinks
    # from five hours to six and back, and each reader must follow.
    person = UserFactory(timezone="America/New_York")
    for session in office_hours:
        join_session(session=session, person=person, now=NOW)
    booking = BookingFactory(mentee=person, start=datetime(2027, 3, 22, 13, 0, tzinfo=UTC))

    shown = feed(client, person)

    assert shown["timezones"] == ["America/New_York"]
    expected = sorted(
        [(booking.ical_uid, booking.start)] + [(session.ical_uid, session.start) for session in office_hours],
        key=lambda item: item[1],
    )
    got = sorted(((e["uid"], utc(e["start"]["utc"])) for e in shown["events"]), key=lambda item: item[1])
    assert got == expected
    starts = [utc(e["start"]["utc"]) for e in shown["events"] if e["uid"].endswith("@sidebar-group")]
    assert starts == [
        datetime(2027, 3, 18, 15, 0, tzinfo=UTC),
        datetime(2027, 3, 25, 15, 0, tzinfo=UTC),
        datetime(2027, 4, 1, 14, 0, tzinfo=UTC),
    ]
    walls = [e["start"]["local"][11:16] for e in shown["events"] if e["uid"].endswith("@sidebar-group")]
    assert walls == ["11:00", "11:00", "10:00"]
    group_event = next(e for e in shown["events"] if e["uid"] == office_hours[0].ical_uid)
    assert group_event["start"]["tzid"] == "America/New_York"
    assert group_event["summary"] == "Sidebar: Office hours with Hedda Host"


def test_the_hosts_feed_has_the_sessions_they_host_at_their_own_wall_clock(client, host, office_hours):
    shown = feed(client, host)

    assert [e["uid"] for e in shown["events"]] == [session.ical_uid for session in office_hours]
    assert [e["start"]["local"][11:16] for e in shown["events"]] == ["16:00"] * 3
    assert {e["start"]["tzid"] for e in shown["events"]} == {"Europe/Berlin"}


def test_waiting_left_and_cancelled_sessions_are_not_in_the_feed(client, host, office_hours):
    first, second, third = office_hours
    person = UserFactory(timezone="Europe/London")
    full = create_group_session(
        host=MentorFactory(),
        title="Full",
        start=first.start + timedelta(days=1),
        duration=30,
        capacity=2,
        now=NOW,
    )
    for someone in (UserFactory(), UserFactory(), person):
        join_session(session=full, person=someone, now=NOW)  # person waits
    for session in office_hours:
        join_session(session=session, person=person, now=NOW)
    leave_session(session=second, person=person, now=NOW)
    cancel_group_session(session=third, by=host, now=NOW)

    person_feed = {e["uid"] for e in feed(client, person)["events"]}
    host_feed = {e["uid"] for e in feed(client, host)["events"]}

    assert person_feed == {first.ical_uid}
    assert host_feed == {first.ical_uid, second.ical_uid}


def test_a_moved_session_keeps_its_uid_with_a_higher_sequence_at_its_new_time_in_the_feed(
    client, host, office_hours
):
    person = UserFactory(timezone="Asia/Kolkata")
    join_session(session=office_hours[0], person=person, now=NOW)
    new_start = datetime(2027, 3, 19, 9, 30, tzinfo=UTC)

    update_group_session(session=office_hours[0], by=host, changes=Changes(start=new_start), now=NOW)

    [event] = feed(client, person)["events"]
    assert event["uid"] == office_hours[0].ical_uid
    assert event["sequence"] == 1
    assert utc(event["start"]["utc"]) == new_start
    assert event["start"]["local"] == local(new_start, "Asia/Kolkata")


def test_the_feed_costs_the_same_queries_for_one_or_many_group_sessions(client, host, office_hours):
    person = UserFactory()
    join_session(session=office_hours[0], person=person, now=NOW)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/calendar/{person.calendar_token}.ics")
    for session in office_hours[1:]:
        join_session(session=session, person=person, now=NOW)
    with CaptureQueriesContext(connection) as three:
        client.get(f"/calendar/{person.calendar_token}.ics")

    assert len(one) == len(three)
