"""Every ICS Sidebar produces (the invites of booking, moving and cancelling, the download, the feed) read by
real calendar clients: ical.js (Thunderbird) and the installed icalendar, both at the right UTC instants in
the recipient's zone, also in the week after a clock change and for sessions years away."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from marketplace.models import AvailabilityBlock
from sessions_app import calendar, tasks
from sessions_app.models import OutboundMessage
from sessions_app.services.bookings import book_session, cancel_booking, reschedule_booking
from tests.calendar_clients import (
    UnreadableCalendar,
    duration_of,
    read_with_ical_js,
    read_with_icalendar,
    utc,
)
from tests.factories import BookingFactory, MentorFactory, MentorRequestFactory, UserFactory
from tests.sessions_app.helpers import slot


def read_in_both_clients(ics: bytes) -> dict:
    """ical.js's reading of the file, after checking that icalendar reads the same events at the same
    instants in the same zones."""
    shown = read_with_ical_js(ics)
    _, events = read_with_icalendar(ics)
    assert [(event.uid, event.start, event.end, event.tzid) for event in events] == [
        (e["uid"], utc(e["start"]["utc"]), utc(e["end"]["utc"]), e["start"]["tzid"]) for e in shown["events"]
    ]
    return shown


def invites_to(address: str) -> list[bytes]:
    """The text/calendar parts of the e-mails sent to `address`, in the order sent."""
    return [
        part.get_payload(decode=True)
        for message in mail.outbox
        if message.to == [address]
        for part in message.attachments
        if part.get_content_type() == "text/calendar"
    ]


def local(instant: datetime, zone: str) -> str:
    """The wall-clock time ical.js prints for `instant` in `zone` (2027-03-16T10:00:00)."""
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None).isoformat()


@pytest.fixture
def sao_paulo_mentor(db):
    mentor = MentorFactory(
        email="sofia@example.com", display_name="Sofia São Paulo", timezone="America/Sao_Paulo"
    )
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(0, 0), end=time(23, 50))
        for weekday in range(7)
    )
    return mentor


def test_ical_js_refuses_what_thunderbird_refuses():
    """The reader is as strict as the client: the feed's old REFRESH-INTERVAL and a TZID without its
    VTIMEZONE are errors, not quietly read."""
    old_refresh = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nREFRESH-INTERVAL;VALUE=DURATION:1:00:00\r\nEND:VCALENDAR\r\n"
    )
    floating = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\n"
        b"DTSTART;TZID=Europe/London:20270330T100000\r\nDTEND;TZID=Europe/London:20270330T103000\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )

    with pytest.raises(UnreadableCalendar, match="REFRESH-INTERVAL"):
        read_with_ical_js(old_refresh)
    with pytest.raises(UnreadableCalendar, match="floating"):
        read_with_ical_js(floating)


@pytest.mark.parametrize(
    ("mentee_zone", "mentor_zone", "start", "mentee_wall_clock", "mentor_wall_clock"),
    [
        # The week after New York springs forward (14 March 2027) and before London does (28 March).
        ("Europe/London", "America/New_York", datetime(2027, 3, 16, 14, 0, tzinfo=UTC), "14:00", "10:00"),
        # The week after London springs forward; São Paulo keeps UTC-3 all year.
        ("Europe/London", "America/Sao_Paulo", datetime(2027, 3, 30, 12, 0, tzinfo=UTC), "13:00", "09:00"),
        # The week after New York falls back (7 November 2027), London already back on GMT.
        ("America/New_York", "Europe/London", datetime(2027, 11, 9, 15, 0, tzinfo=UTC), "10:00", "15:00"),
        # The week after Sydney falls back (4 April 2027): 08:00 there is the evening before in São Paulo.
        ("America/Sao_Paulo", "Australia/Sydney", datetime(2027, 4, 6, 22, 0, tzinfo=UTC), "19:00", "08:00"),
    ],
)
def test_each_persons_emailed_invite_reads_at_the_right_instant_in_their_zone(
    db, mentee_zone, mentor_zone, start, mentee_wall_clock, mentor_wall_clock
):
    mentee = UserFactory(email="asker@example.com", timezone=mentee_zone)
    mentor = MentorFactory(email="giver@example.com", timezone=mentor_zone)
    booking = BookingFactory(mentor=mentor, mentee=mentee, start=start, duration=30)
    for recipient in (mentee, mentor):
        OutboundMessage.objects.create(
            booking=booking, kind="confirmation", recipient=recipient, due_at=timezone.now()
        )

    assert tasks.send_due_messages() == 2

    for person, wall_clock in ((mentee, mentee_wall_clock), (mentor, mentor_wall_clock)):
        [ics] = invites_to(person.email)
        shown = read_in_both_clients(ics)
        [event] = shown["events"]
        assert shown["method"] == "REQUEST"
        assert shown["timezones"] == [person.timezone]
        assert (utc(event["start"]["utc"]), utc(event["end"]["utc"])) == (booking.start, booking.end)
        assert event["start"]["tzid"] == person.timezone
        assert event["start"]["local"] == f"{local(start, person.timezone)[:11]}{wall_clock}:00"


def test_booking_moving_and_cancelling_send_invites_a_client_applies_in_order(mentee, sao_paulo_mentor):
    booking = book_session(
        mentee=mentee, mentor=sao_paulo_mentor, start=slot(days=3), minutes=30, topic="Pricing, v2; draft"
    )
    tasks.send_due_messages()
    moved = reschedule_booking(booking=booking, by=mentee, start=slot(days=5, hour=13))
    tasks.send_due_messages()
    cancel_booking(booking=moved, by=sao_paulo_mentor, reason="Ill")
    tasks.send_due_messages()

    for person in (mentee, sao_paulo_mentor):
        booked, rescheduled, cancelled = (read_in_both_clients(ics) for ics in invites_to(person.email))
        methods = [shown["method"] for shown in (booked, rescheduled, cancelled)]
        assert methods == ["REQUEST", "REQUEST", "CANCEL"]
        events = [shown["events"][0] for shown in (booked, rescheduled, cancelled)]
        assert {event["uid"] for event in events} == {booking.ical_uid}
        assert [event["sequence"] for event in events] == [0, 1, 2]
        assert [event["status"] for event in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
        moved_to = slot(days=5, hour=13)
        assert [utc(event["start"]["utc"]) for event in events] == [slot(days=3), moved_to, moved_to]
        assert {event["start"]["tzid"] for event in events} == {person.timezone}


def test_the_invite_carries_the_people_the_topic_and_the_links_as_typed(mentee, sao_paulo_mentor):
    mentee.display_name = 'Maya "May" Mentee, Jr.; QA: London'
    mentee.save()
    booking = BookingFactory(
        mentor=sao_paulo_mentor, mentee=mentee, topic="Salary talk, part 2; the offer\\counter", duration=20
    )

    [event] = read_in_both_clients(calendar.booking_ics(booking, recipient=sao_paulo_mentor))["events"]

    assert event["summary"] == f"Sidebar: 20 min with {mentee.display_name}"
    assert "Topic: Salary talk, part 2; the offer\\counter" in event["description"]
    assert booking.meeting_url in event["description"]
    assert event["location"] == booking.meeting_url
    assert event["url"] == calendar.session_url(booking)
    assert event["organizer"]["address"].startswith("mailto:")
    assert sorted((a["address"], a["cn"], a["partstat"]) for a in event["attendees"]) == sorted(
        [
            (f"mailto:{mentee.email}", mentee.display_name, "ACCEPTED"),
            ("mailto:sofia@example.com", "Sofia São Paulo", "ACCEPTED"),
        ]
    )


def test_a_booking_from_a_request_carries_its_topic_and_context_in_every_invite(
    client, mentee, sao_paulo_mentor
):
    need = MentorRequestFactory(
        asker=mentee,
        topic="Negotiating my first offer",
        context="The offer is due Friday.\nI have a counter.",
    )
    booking = book_session(
        mentee=mentee,
        mentor=sao_paulo_mentor,
        start=slot(days=3),
        minutes=30,
        topic=need.topic,
        request_id=need.pk,
    )
    tasks.send_due_messages()

    [to_mentor] = [read_in_both_clients(ics) for ics in invites_to(sao_paulo_mentor.email)]
    feed = read_in_both_clients(client.get(f"/calendar/{sao_paulo_mentor.calendar_token}.ics").content)
    for event in (to_mentor["events"][0], feed["events"][0]):
        assert event["uid"] == booking.ical_uid
        assert "Topic: Negotiating my first offer" in event["description"]
        assert "Context: The offer is due Friday.\nI have a counter." in event["description"]


def test_the_download_reads_as_a_published_event_in_the_viewers_zone(api_as, mentee, sao_paulo_mentor):
    booking = BookingFactory(mentor=sao_paulo_mentor, mentee=mentee, start=slot(days=4, hour=12))

    response = api_as(sao_paulo_mentor).get(f"/api/v1/bookings/{booking.pk}/ics/")

    shown = read_in_both_clients(response.content)
    [event] = shown["events"]
    assert shown["method"] == "PUBLISH"
    assert utc(event["start"]["utc"]) == booking.start
    assert event["start"]["local"] == local(booking.start, "America/Sao_Paulo")


def test_the_feed_reads_in_both_clients_and_asks_to_be_refreshed_hourly(client, mentee, sao_paulo_mentor):
    taken = BookingFactory(mentor=sao_paulo_mentor, mentee=mentee, start=slot(days=2))
    given = BookingFactory(mentor=mentee, mentee=UserFactory(), start=slot(days=3, hour=15))

    ics = client.get(f"/calendar/{mentee.calendar_token}.ics").content

    shown = read_in_both_clients(ics)
    assert shown["method"] == "PUBLISH"
    assert (shown["refresh_interval_seconds"], shown["published_ttl_seconds"]) == (3600, 3600)
    assert shown["timezone"] == "Europe/London"
    assert {event["uid"]: utc(event["start"]["utc"]) for event in shown["events"]} == {
        taken.ical_uid: taken.start,
        given.ical_uid: given.start,
    }
    parsed, _ = read_with_icalendar(ics)
    assert duration_of(parsed, "REFRESH-INTERVAL") == timedelta(hours=1)
    assert duration_of(parsed, "X-PUBLISHED-TTL") == timedelta(hours=1)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in ics


@pytest.mark.parametrize(
    "start",
    [
        datetime(2024, 7, 2, 14, 0, tzinfo=UTC),  # summer, before any year the feed's present sessions name
        datetime(2031, 7, 1, 14, 0, tzinfo=UTC),  # summer, years after them
        datetime(2031, 11, 4, 15, 0, tzinfo=UTC),  # the week after New York falls back in 2031
    ],
)
def test_a_session_years_away_reads_at_its_instant_in_its_invite_and_in_a_feed(db, start):
    new_york = UserFactory(timezone="America/New_York")
    far = BookingFactory(mentee=new_york, start=start)
    soon = BookingFactory(mentee=new_york, start=slot(days=2))

    [invite_event] = read_in_both_clients(calendar.booking_ics(far, recipient=new_york))["events"]
    feed_events = read_in_both_clients(calendar.feed_ics(new_york, [soon, far]))["events"]

    for event in (invite_event, next(e for e in feed_events if e["uid"] == far.ical_uid)):
        assert utc(event["start"]["utc"]) == start
        assert event["start"]["local"] == local(start, "America/New_York")
    assert utc(next(e for e in feed_events if e["uid"] == soon.ical_uid)["start"]["utc"]) == soon.start


@pytest.mark.parametrize(
    "start",
    [
        datetime(2027, 3, 14, 7, 30, tzinfo=UTC),  # 03:30 EDT, half an hour after New York springs forward
        datetime(2027, 11, 7, 5, 30, tzinfo=UTC),  # 01:30 EDT, the first 01:30 of New York's fall-back night
        datetime(2027, 11, 7, 6, 30, tzinfo=UTC),  # 01:30 EST, the second one
    ],
)
def test_a_session_in_the_night_the_clocks_change_reads_at_its_instant(db, start):
    new_york = UserFactory(timezone="America/New_York")
    booking = BookingFactory(mentee=new_york, start=start)

    [event] = read_in_both_clients(calendar.booking_ics(booking, recipient=new_york))["events"]

    assert (utc(event["start"]["utc"]), utc(event["end"]["utc"])) == (booking.start, booking.end)


def test_every_kind_of_invite_reads_at_its_instants_across_clock_changes_and_years(db):
    """The invite, the update and the cancellation each person is e-mailed, New York and Sydney: booked the
    week before New York falls back (Sydney already on summer time), moved past New York's 2028 fall-back."""
    new_york = UserFactory(email="nia@example.com", timezone="America/New_York")
    sydney = MentorFactory(email="sam@example.com", timezone="Australia/Sydney")
    booked_at = datetime(2027, 10, 26, 14, 0, tzinfo=UTC)  # 10:00 EDT; 01:00 AEDT on the 27th
    moved_to = datetime(2028, 11, 14, 15, 0, tzinfo=UTC)  # 10:00 EST; 02:00 AEDT on the 15th
    booking = BookingFactory(mentor=sydney, mentee=new_york, start=booked_at, duration=20)

    def send(kind: str) -> None:
        for recipient in (new_york, sydney):
            OutboundMessage.objects.create(
                booking=booking,
                kind=kind,
                recipient=recipient,
                sequence=booking.sequence,
                due_at=timezone.now(),
            )
        tasks.send_due_messages()

    send(OutboundMessage.Kind.CONFIRMATION)
    booking.start, booking.end, booking.sequence = moved_to, moved_to + timedelta(minutes=20), 1
    booking.save()
    send(OutboundMessage.Kind.RESCHEDULE)
    cancel_booking(booking=booking, by=new_york, reason="Found the answer")
    tasks.send_due_messages()

    expected = {
        new_york: ["2027-10-26T10:00:00", "2028-11-14T10:00:00", "2028-11-14T10:00:00"],
        sydney: ["2027-10-27T01:00:00", "2028-11-15T02:00:00", "2028-11-15T02:00:00"],
    }
    for person, wall_clocks in expected.items():
        shown = [read_in_both_clients(ics) for ics in invites_to(person.email)]
        assert [calendar["method"] for calendar in shown] == ["REQUEST", "REQUEST", "CANCEL"]
        assert all(calendar["timezones"] == [person.timezone] for calendar in shown)
        events = [calendar["events"][0] for calendar in shown]
        assert [event["sequence"] for event in events] == [0, 1, 2]
        assert [(utc(event["start"]["utc"]), utc(event["end"]["utc"])) for event in events] == [
            (booked_at, booked_at + timedelta(minutes=20)),
            (moved_to, moved_to + timedelta(minutes=20)),
            (moved_to, moved_to + timedelta(minutes=20)),
        ]
        assert [event["start"]["tzid"] for event in events] == [person.timezone] * 3
        assert [event["start"]["local"] for event in events] == wall_clocks


def test_each_persons_feed_reads_every_session_in_their_zone_on_both_sides_of_clock_changes(client, db):
    """One feed spanning years, in two zones whose clocks change in opposite seasons: every session at its
    instant, every wall-clock time the person's own (the offsets of 2027 would be wrong for 2030's)."""
    new_york = UserFactory(timezone="America/New_York")
    sydney = MentorFactory(timezone="Australia/Sydney")
    starts = [
        datetime(2027, 3, 9, 15, 0, tzinfo=UTC),  # New York on EST, Sydney on AEDT
        datetime(2027, 3, 16, 14, 0, tzinfo=UTC),  # New York on EDT, Sydney still AEDT
        datetime(2027, 4, 6, 14, 0, tzinfo=UTC),  # New York on EDT, Sydney on AEST
        datetime(2029, 11, 6, 15, 0, tzinfo=UTC),  # New York on EST again, Sydney on AEDT
        datetime(2030, 7, 2, 14, 0, tzinfo=UTC),  # New York on EDT, Sydney on AEST
    ]
    bookings = [BookingFactory(mentor=sydney, mentee=new_york, start=start) for start in starts]

    for person in (new_york, sydney):
        shown = read_in_both_clients(client.get(f"/calendar/{person.calendar_token}.ics").content)

        assert shown["timezones"] == [person.timezone]
        assert [
            (event["uid"], utc(event["start"]["utc"]), event["start"]["tzid"], event["start"]["local"])
            for event in shown["events"]
        ] == [
            (booking.ical_uid, booking.start, person.timezone, local(booking.start, person.timezone))
            for booking in bookings
        ]
    assert [local(start, "America/New_York")[11:16] for start in starts] == ["10:00"] * 5
    assert [local(start, "Australia/Sydney")[11:16] for start in starts] == [
        "02:00",
        "01:00",
        "00:00",
        "02:00",
        "00:00",
    ]
