"""A short series with one mentor (docs/api.md): 2–4 sessions at the mentor's same local time, every week or
every other week, all booked or none; shown and cancelled as a series or one by one; followed up once."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail

from marketplace.errors import InvalidInput
from marketplace.models import AvailabilityBlock, MentorProfile, TimeOff
from marketplace.timezones import get_zone
from sessions_app.models import Booking, BookingSeries, OutboundMessage
from sessions_app.selectors import answers_waiting
from sessions_app.services.bookings import book_session, cancel_booking, reschedule_booking
from sessions_app.services.series import Repeat, book_series
from sessions_app.sweep import deliver_due_messages
from tests.factories import BookingFactory, MentorFactory, MentorRequestFactory, UserFactory
from tests.sessions_app.helpers import BOOKINGS, payload, slot, z
from tests.sessions_app.test_reminders import html_of

WEEK = timedelta(weeks=1)


def series_payload(mentor, *, count: int = 3, every_weeks: int = 1, **change) -> dict:
    return payload(mentor, repeat={"count": count, "every_weeks": every_weeks}, **change)


def nothing_stored() -> bool:
    return not (
        Booking.objects.exists() or BookingSeries.objects.exists() or OutboundMessage.objects.exists()
    )


def test_a_weekly_series_answers_201_with_the_first_booking_and_every_id(api_as, mentee, utc_mentor):
    response = api_as(mentee).post(BOOKINGS, series_payload(utc_mentor, count=3), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    sessions = list(Booking.objects.order_by("start"))
    assert body["series"] == [session.pk for session in sessions]
    assert (body["id"], body["start"], body["series_position"]) == (sessions[0].pk, z(slot()), 1)
    assert [session.start for session in sessions] == [slot(), slot() + WEEK, slot() + 2 * WEEK]
    assert [session.series_position for session in sessions] == [1, 2, 3]
    assert {session.status for session in sessions} == {"confirmed"}
    assert {(session.topic, session.duration, session.mentee_id) for session in sessions} == {
        ("Board presentation", 30, mentee.pk)
    }
    series = BookingSeries.objects.get()
    assert (series.count, series.every_weeks, series.mentor, series.mentee) == (3, 1, utc_mentor, mentee)


def test_every_other_week_spaces_the_sessions_two_weeks_apart(api_as, mentee, utc_mentor):
    response = api_as(mentee).post(
        BOOKINGS, series_payload(utc_mentor, count=4, every_weeks=2), format="json"
    )

    assert response.status_code == 201, response.json()
    starts = list(Booking.objects.order_by("start").values_list("start", flat=True))
    assert starts == [slot() + 2 * WEEK * index for index in range(4)]


def test_each_session_of_the_series_shows_it_and_the_list_stays_a_fixed_number_of_queries(
    api_as, mentee, utc_mentor, django_assert_max_num_queries
):
    client = api_as(mentee)
    first = client.post(BOOKINGS, series_payload(utc_mentor, count=2), format="json").json()

    second = client.get(f"{BOOKINGS}{first['series'][1]}/").json()
    listed = client.get(BOOKINGS + "?upcoming=true").json()["results"]

    assert (second["series"], second["series_position"]) == (first["series"], 2)
    assert [(item["series"], item["series_position"]) for item in listed] == [
        (first["series"], 1),
        (first["series"], 2),
    ]
    BookingFactory(mentor=utc_mentor, mentee=mentee, start=slot(days=5))
    client.post(BOOKINGS, series_payload(utc_mentor, count=4, start=z(slot(days=3))), format="json")
    with django_assert_max_num_queries(4):
        assert client.get(BOOKINGS).json()["count"] == 7


def test_without_repeat_a_booking_is_as_before_and_outside_any_series(api_as, mentee, utc_mentor):
    response = api_as(mentee).post(BOOKINGS, payload(utc_mentor, repeat=None), format="json")

    assert response.status_code == 201
    assert (response.json()["series"], response.json()["series_position"]) == (None, None)
    assert Booking.objects.get().series is None
    assert not BookingSeries.objects.exists()


def test_a_week_over_the_weekly_cap_refuses_the_whole_series_naming_its_start(
    api_as, mentee, outsider, utc_mentor
):
    MentorProfile.objects.filter(user=utc_mentor).update(weekly_minutes_cap=60)
    third = slot() + 2 * WEEK
    # Another mentee already has the mentor's whole budget of the third week (Berlin's ISO week).
    book_session(mentee=outsider, mentor=utc_mentor, start=third + timedelta(hours=2), minutes=30, topic="A")
    book_session(mentee=outsider, mentor=utc_mentor, start=third + timedelta(hours=4), minutes=30, topic="B")
    before = (Booking.objects.count(), OutboundMessage.objects.count())

    response = api_as(mentee).post(BOOKINGS, series_payload(utc_mentor, count=4), format="json")

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["start"]) == ("slot_unavailable", z(third))
    assert "3 of 4" in body["detail"]
    assert (Booking.objects.count(), OutboundMessage.objects.count()) == before
    assert not BookingSeries.objects.exists()
    assert not Booking.objects.filter(mentee=mentee).exists()


@pytest.mark.parametrize("reason", ["time_off", "buffer", "notice"])
def test_a_later_week_the_slot_engine_refuses_refuses_the_series(
    api_as, mentee, outsider, utc_mentor, reason
):
    second = slot() + WEEK
    if reason == "time_off":
        TimeOff.objects.create(
            mentor=utc_mentor, start=second - timedelta(hours=1), end=second + timedelta(hours=1)
        )
    elif reason == "buffer":
        MentorProfile.objects.filter(user=utc_mentor).update(buffer_minutes=15)
        BookingFactory(mentor=utc_mentor, mentee=outsider, start=second - timedelta(minutes=40))
    else:  # the first session is far enough ahead, but only if notice were counted per session from now
        MentorProfile.objects.filter(user=utc_mentor).update(min_notice_minutes=60 * 24 * 10)

    response = api_as(mentee).post(BOOKINGS, series_payload(utc_mentor, count=3), format="json")

    assert response.status_code == 409
    expected = slot() if reason == "notice" else second
    assert response.json()["start"] == z(expected)
    assert not Booking.objects.filter(mentee=mentee).exists()
    assert not BookingSeries.objects.exists()


def test_a_session_taken_by_someone_else_refuses_the_series_and_keeps_theirs(
    api_as, mentee, outsider, utc_mentor
):
    theirs = book_session(mentee=outsider, mentor=utc_mentor, start=slot() + WEEK, minutes=30, topic="Mine")

    response = api_as(mentee).post(BOOKINGS, series_payload(utc_mentor, count=2), format="json")

    assert response.status_code == 409
    assert response.json()["start"] == z(slot() + WEEK)
    assert list(Booking.objects.all()) == [theirs]


def test_the_askers_own_busy_time_in_a_later_week_refuses_the_series(api_as, mentee, utc_mentor):
    other_mentor = MentorFactory()
    BookingFactory(mentor=other_mentor, mentee=mentee, start=slot() + 2 * WEEK - timedelta(minutes=10))

    response = api_as(mentee).post(BOOKINGS, series_payload(utc_mentor, count=3), format="json")

    assert response.status_code == 409
    assert response.json()["start"] == z(slot() + 2 * WEEK)
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("repeat", "field"),
    [
        ({"count": 1, "every_weeks": 1}, "count"),
        ({"count": 5, "every_weeks": 1}, "count"),
        ({"count": "3", "every_weeks": 1}, "count"),
        ({"count": 3.5, "every_weeks": 1}, "count"),
        ({"count": True, "every_weeks": 1}, "count"),
        ({"count": 3, "every_weeks": 3}, "every_weeks"),
        ({"count": 3, "every_weeks": 0}, "every_weeks"),
        ({"count": 3, "every_weeks": "weekly"}, "every_weeks"),
        ({"count": 3}, "every_weeks"),
        ({"every_weeks": 1}, "count"),
    ],
)
def test_a_bad_repeat_is_400_naming_the_field_and_stores_nothing(api_as, mentee, utc_mentor, repeat, field):
    response = api_as(mentee).post(BOOKINGS, payload(utc_mentor, repeat=repeat), format="json")

    assert response.status_code == 400
    assert field in response.json()["repeat"], response.json()
    assert nothing_stored()


@pytest.mark.parametrize("repeat", [3, "weekly", [3, 1], True])
def test_a_repeat_that_is_not_an_object_is_400_on_repeat(api_as, mentee, utc_mentor, repeat):
    response = api_as(mentee).post(BOOKINGS, payload(utc_mentor, repeat=repeat), format="json")

    assert response.status_code == 400
    assert "repeat" in response.json()
    assert nothing_stored()


def test_the_service_refuses_a_bad_repeat_on_repeat(mentee, utc_mentor):
    for repeat in (Repeat(1, 1), Repeat(5, 1), Repeat(2, 3)):
        with pytest.raises(InvalidInput) as refused:
            book_series(mentee=mentee, mentor=utc_mentor, start=slot(), minutes=30, topic="T", repeat=repeat)
        assert refused.value.field == "repeat"
    assert nothing_stored()


def test_a_series_for_a_request_marks_it_booked_and_every_session_answers_it(api_as, mentee, utc_mentor):
    need = MentorRequestFactory(asker=mentee)

    response = api_as(mentee).post(
        BOOKINGS, series_payload(utc_mentor, count=2, request=need.pk), format="json"
    )

    assert response.status_code == 201
    need.refresh_from_db()
    assert need.status == "booked"
    assert set(Booking.objects.values_list("request_id", flat=True)) == {need.pk}


# --- DST: the mentor's wall clock, not the asker's, nor UTC ---


def mentor_in(zone: str):
    mentor = MentorFactory(timezone=zone)
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(7), end=time(20)) for weekday in range(7)
    )
    return mentor


@pytest.mark.parametrize(
    ("zone", "first", "expected"),
    [
        # London springs forward on Sunday 28 March 2027: 14:00 GMT, then 14:00 BST.
        (
            "Europe/London",
            datetime(2027, 3, 18, 14, 0, tzinfo=UTC),
            ["2027-03-18T14:00", "2027-03-25T14:00", "2027-04-01T13:00", "2027-04-08T13:00"],
        ),
        # ... and falls back on Sunday 31 October 2027: 14:00 BST, then 14:00 GMT.
        (
            "Europe/London",
            datetime(2027, 10, 21, 13, 0, tzinfo=UTC),
            ["2027-10-21T13:00", "2027-10-28T13:00", "2027-11-04T14:00", "2027-11-11T14:00"],
        ),
        # Sydney leaves summer time on Sunday 4 April 2027: 10:00 AEDT (UTC+11), then 10:00 AEST (UTC+10).
        (
            "Australia/Sydney",
            datetime(2027, 3, 23, 23, 0, tzinfo=UTC),
            ["2027-03-23T23:00", "2027-03-30T23:00", "2027-04-07T00:00", "2027-04-14T00:00"],
        ),
        # ... and enters it on Sunday 3 October 2027: 10:00 AEST, then 10:00 AEDT.
        (
            "Australia/Sydney",
            datetime(2027, 9, 22, 0, 0, tzinfo=UTC),
            ["2027-09-22T00:00", "2027-09-29T00:00", "2027-10-05T23:00", "2027-10-12T23:00"],
        ),
        # São Paulo has kept UTC-3 all year since 2019: its old October change is gone, and so is the shift.
        (
            "America/Sao_Paulo",
            datetime(2027, 10, 6, 13, 0, tzinfo=UTC),
            ["2027-10-06T13:00", "2027-10-13T13:00", "2027-10-20T13:00", "2027-10-27T13:00"],
        ),
    ],
)
def test_a_weekly_series_across_a_dst_change_keeps_the_mentors_local_time(db, zone, first, expected):
    mentor = mentor_in(zone)
    asker = UserFactory(timezone="America/New_York")  # whose clock changes on other days

    booked = book_series(
        mentee=asker,
        mentor=mentor,
        start=first,
        minutes=30,
        topic="Across the change",
        repeat=Repeat(4, 1),
        now=first - timedelta(days=2),
    )

    assert [session.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") for session in booked] == expected
    local = {session.start.astimezone(get_zone(zone)).time() for session in booked}
    assert len(local) == 1


def test_an_every_other_week_series_across_the_change_keeps_the_local_time_too(db):
    mentor = mentor_in("Europe/London")
    first = datetime(2027, 3, 16, 9, 0, tzinfo=UTC)  # Tuesday 09:00 GMT

    booked = book_series(
        mentee=UserFactory(),
        mentor=mentor,
        start=first,
        minutes=20,
        topic="T",
        repeat=Repeat(3, 2),
        now=first - timedelta(days=1),
    )

    assert [session.start for session in booked] == [
        first,
        datetime(2027, 3, 30, 8, 0, tzinfo=UTC),
        datetime(2027, 4, 13, 8, 0, tzinfo=UTC),
    ]


# --- Cancelling one, or this one and the later ones ---


@pytest.fixture
def three(api_as, mentee, utc_mentor) -> list[Booking]:
    body = api_as(mentee).post(BOOKINGS, series_payload(utc_mentor, count=3), format="json").json()
    mail.outbox.clear()
    return [Booking.objects.get(pk=pk) for pk in body["series"]]


def statuses(sessions: list[Booking]) -> list[str]:
    return [Booking.objects.get(pk=session.pk).status for session in sessions]


def test_cancelling_one_session_of_a_series_leaves_the_others(api_as, mentee, three):
    response = api_as(mentee).post(f"{BOOKINGS}{three[1].pk}/cancel/", {"reason": "Away"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert statuses(three) == ["confirmed", "cancelled", "confirmed"]


def test_cancelling_with_scope_later_cancels_this_one_and_the_later_ones(api_as, utc_mentor, three):
    response = api_as(utc_mentor).post(
        f"{BOOKINGS}{three[1].pk}/cancel/", {"reason": "Moving teams", "scope": "later"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (three[1].pk, "cancelled")
    assert statuses(three) == ["confirmed", "cancelled", "cancelled"]
    cancellations = OutboundMessage.objects.filter(kind="cancellation")
    assert sorted(cancellations.values_list("booking_id", "recipient_id")) == sorted(
        (session.pk, person) for session in three[1:] for person in (session.mentor_id, session.mentee_id)
    )
    # The sessions that are off have nothing left to send; the first still has its reminders.
    assert not OutboundMessage.objects.filter(booking__in=three[1:], status="pending").exclude(
        kind="cancellation"
    )
    assert OutboundMessage.objects.filter(booking=three[0], kind="reminder", status="pending").exists()


def test_cancelling_the_rest_skips_a_session_already_cancelled(api_as, mentee, three):
    cancel_booking(booking=three[2], by=mentee, reason="")

    response = api_as(mentee).post(f"{BOOKINGS}{three[0].pk}/cancel/", {"scope": "later"}, format="json")

    assert response.status_code == 200
    assert statuses(three) == ["cancelled"] * 3
    assert OutboundMessage.objects.filter(kind="cancellation", booking=three[2]).count() == 2


def test_scope_later_outside_a_series_cancels_the_one_session(api_as, mentee, utc_mentor):
    booking = BookingFactory(mentor=utc_mentor, mentee=mentee, start=slot())

    response = api_as(mentee).post(f"{BOOKINGS}{booking.pk}/cancel/", {"scope": "later"}, format="json")

    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == "cancelled"


@pytest.mark.parametrize("value", ["all", 1, None, True])
def test_a_scope_other_than_this_or_later_is_400(api_as, mentee, three, value):
    response = api_as(mentee).post(f"{BOOKINGS}{three[0].pk}/cancel/", {"scope": value}, format="json")

    assert response.status_code == 400
    assert "scope" in response.json()
    assert statuses(three) == ["confirmed"] * 3


def test_someone_else_cannot_cancel_a_series(api_as, outsider, three):
    response = api_as(outsider).post(f"{BOOKINGS}{three[0].pk}/cancel/", {"scope": "later"}, format="json")

    assert response.status_code == 404
    assert statuses(three) == ["confirmed"] * 3


# --- Messages: each session its own invite, saying where it is in the series; one follow-up ---


def test_each_session_gets_its_own_invite_saying_which_of_the_series_it_is(mentee, utc_mentor):
    booked = book_series(
        mentee=mentee, mentor=utc_mentor, start=slot(), minutes=30, topic="Deck", repeat=Repeat(3, 1)
    )

    deliver_due_messages()

    to_mentee = [message for message in mail.outbox if message.to == [mentee.email]]
    assert len(to_mentee) == 3
    uids, positions = set(), set()
    for message in to_mentee:
        positions |= {f"{n} of 3" for n in (1, 2, 3) if f"Session {n} of 3" in message.body}
        assert "of 3, weekly" in html_of(message)
        [ics] = [part.get_payload(decode=True).decode() for part in message.attachments]
        assert ics.count("BEGIN:VEVENT") == 1
        assert "of 3\\, weekly" in ics.replace("\r\n ", "")  # in the DESCRIPTION, comma escaped
        uids |= {line.strip() for line in ics.splitlines() if line.startswith("UID:")}
    assert positions == {"1 of 3", "2 of 3", "3 of 3"}
    assert uids == {f"UID:{session.ical_uid}" for session in booked}


def follow_ups_sent(now: datetime) -> list[tuple[int, int]]:
    deliver_due_messages(now=now)
    return list(
        OutboundMessage.objects.filter(kind="follow_up", status="sent").values_list(
            "booking_id", "recipient_id"
        )
    )


def test_the_follow_up_comes_a_week_after_the_last_session_only(mentee, utc_mentor):
    booked = book_series(
        mentee=mentee, mentor=utc_mentor, start=slot(), minutes=30, topic="Deck", repeat=Repeat(3, 1)
    )
    last = booked[-1]

    for session in booked[:-1]:
        assert follow_ups_sent(session.end + timedelta(days=7, minutes=1)) == []
    assert follow_ups_sent(last.end + timedelta(days=7) - timedelta(minutes=1)) == []
    assert follow_ups_sent(last.end + timedelta(days=7, minutes=1)) == [(last.pk, mentee.pk)]
    [asked] = [message for message in mail.outbox if message.subject.startswith("A week on")]
    assert "Session 3 of 3, weekly" in asked.body
    # Feedback after each session stays.
    assert OutboundMessage.objects.filter(kind="feedback_prompt", status="sent").count() == 6


def test_with_the_last_session_cancelled_the_follow_up_comes_after_the_one_before(mentee, utc_mentor):
    booked = book_series(
        mentee=mentee, mentor=utc_mentor, start=slot(), minutes=30, topic="Deck", repeat=Repeat(3, 1)
    )
    cancel_booking(booking=booked[2], by=mentee, reason="Solved")

    assert follow_ups_sent(booked[1].end + timedelta(days=7, minutes=1)) == [(booked[1].pk, mentee.pk)]


def test_the_follow_up_page_of_an_earlier_session_points_to_the_last(as_mentee, mentee, utc_mentor):
    booked = book_series(
        mentee=mentee, mentor=utc_mentor, start=slot(), minutes=30, topic="Deck", repeat=Repeat(2, 1)
    )
    Booking.objects.filter(pk__in=[s.pk for s in booked]).update(
        start=slot(days=-20), end=slot(days=-20) + timedelta(minutes=30), status="completed"
    )
    Booking.objects.filter(pk=booked[1].pk).update(
        start=slot(days=-13), end=slot(days=-13) + timedelta(minutes=30)
    )

    first = as_mentee.post(f"/api/v1/bookings/{booked[0].pk}/follow-up/", {"outcome": "yes"})
    last = as_mentee.post(f"/api/v1/bookings/{booked[1].pk}/follow-up/", {"outcome": "yes"})

    assert (first.status_code, first.json()["code"]) == (409, "too_early")
    assert "last session" in first.json()["detail"]
    assert last.status_code == 201


def test_a_session_moved_after_the_last_one_takes_the_follow_up(mentee, utc_mentor):
    booked = book_series(
        mentee=mentee, mentor=utc_mentor, start=slot(), minutes=30, topic="Deck", repeat=Repeat(2, 1)
    )
    moved = reschedule_booking(booking=booked[0], by=mentee, start=booked[1].start + timedelta(days=2))

    assert follow_ups_sent(booked[1].end + timedelta(days=7, minutes=1)) == []
    assert follow_ups_sent(moved.end + timedelta(days=7, minutes=1)) == [(moved.pk, mentee.pk)]


def test_the_home_page_asks_for_the_follow_up_of_the_series_last_session_only(mentee, utc_mentor):
    booked = book_series(
        mentee=mentee, mentor=utc_mentor, start=slot(), minutes=30, topic="Deck", repeat=Repeat(3, 1)
    )
    now = booked[-1].end + timedelta(days=8)

    waiting = answers_waiting(mentee.pk, now, limit=10)

    assert [item.url for item in waiting if item.kind == "follow_up"] == [
        f"/sessions/{booked[-1].pk}/follow-up/"
    ]
    assert len([item for item in waiting if item.kind == "feedback"]) == 3


def test_a_series_whose_later_session_is_cancelled_after_the_earlier_ones_moment_still_gets_its_follow_up(
    mentee, utc_mentor
):
    first, second = book_series(
        mentee=mentee, mentor=utc_mentor, start=slot(), minutes=30, topic="Deck", repeat=Repeat(2, 2)
    )
    # A week after the first: its follow-up waits, the second still to come.
    assert follow_ups_sent(first.end + timedelta(days=7, minutes=1)) == []
    cancel_booking(booking=second, by=mentee, reason="Solved", now=first.end + timedelta(days=8))

    assert follow_ups_sent(first.end + timedelta(days=40)) == [(first.pk, mentee.pk)]
