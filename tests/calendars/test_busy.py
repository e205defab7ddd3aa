"""calendars.busy: Google-, Outlook- and Apple-shaped files read into busy intervals, exactly."""

from datetime import UTC, datetime, timedelta

import pytest

from calendars.busy import CalendarRefused, busy_intervals
from tests.calendars.ics_files import APPLE_BUSY, GOOGLE_BUSY, OUTLOOK_BUSY, WINDOW_END, WINDOW_START, at, ics

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def read(data: bytes, zone: str, **kwargs) -> list[tuple[datetime, datetime]]:
    return busy_intervals(data, zone=zone, start=WINDOW_START, end=WINDOW_END, **kwargs)


def calendar(*events: str, header: str = "") -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\n{'' if 'UID:' in event else f'UID:event-{n}@test'}\nDTSTAMP:20260301T000000Z\n"
        f"{event.strip()}\nEND:VEVENT\n"
        for n, event in enumerate(events)
    )
    return (
        f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Sidebar tests//EN\n{header}{body}END:VCALENDAR\n".encode()
    )


def test_a_google_calendar_gives_its_busy_times_with_exceptions_and_both_sides_of_berlins_clock_change():
    assert read(ics("google"), BERLIN, declined_by=["Marco.Mentor@example.com"]) == GOOGLE_BUSY


def test_an_event_the_owner_declined_is_busy_when_the_owner_is_not_known_to_have_declined():
    found = read(ics("google"), BERLIN)

    assert (at(3, 17, 14), at(3, 17, 15)) in found
    assert (at(3, 13, 0), at(3, 13, 23)) not in found  # the transparent birthday stays free either way


def test_an_outlook_calendar_with_windows_zone_names_gives_its_busy_times():
    assert read(ics("outlook"), BERLIN) == OUTLOOK_BUSY


def test_an_apple_calendar_gives_its_busy_times_across_new_yorks_clock_change():
    assert read(ics("apple"), NEW_YORK) == APPLE_BUSY


def test_floating_times_and_all_day_events_are_read_on_the_owners_clock_whatever_the_file_declares():
    found = read(ics("apple"), "Europe/London")  # the file says X-WR-TIMEZONE:America/New_York

    assert (at(3, 16, 14), at(3, 16, 15)) in found  # floating 14:00 in London (GMT)
    assert (at(3, 7, 0), at(3, 9, 0)) in found  # 7-8 March are London's days
    assert (at(3, 2, 13), at(3, 2, 13, 30)) in found  # a time with its TZID stays New York's


def test_an_all_day_event_lasts_the_owners_whole_local_day_also_when_the_clock_falls_back():
    data = calendar("DTSTART;VALUE=DATE:20261025\nDTEND;VALUE=DATE:20261026\nSUMMARY:Sunday off")
    october = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))

    assert busy_intervals(data, zone=BERLIN, start=october[0], end=october[1]) == [
        (datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 25, 23, tzinfo=UTC))  # 25 hours
    ]
    assert busy_intervals(data, zone="Asia/Tokyo", start=october[0], end=october[1]) == [
        (datetime(2026, 10, 24, 15, tzinfo=UTC), datetime(2026, 10, 25, 15, tzinfo=UTC))
    ]


def test_a_floating_time_the_clock_repeats_means_its_first_occurrence():
    data = calendar("DTSTART:20261025T023000\nDTEND:20261025T033000\nSUMMARY:Night")
    october = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))

    # 02:30 CEST (00:30 UTC) to 03:30 CET (02:30 UTC): the hour between happens twice.
    assert busy_intervals(data, zone=BERLIN, start=october[0], end=october[1]) == [
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 30, tzinfo=UTC))
    ]


def test_a_weekly_series_keeps_its_wall_clock_time_across_the_change_and_drops_a_cancelled_occurrence():
    data = calendar(
        "UID:weekly@test\nDTSTART;TZID=America/New_York:20260302T100000\n"
        "DTEND;TZID=America/New_York:20260302T110000\nRRULE:FREQ=WEEKLY;COUNT=3\nSUMMARY:Weekly",
        "UID:weekly@test\nRECURRENCE-ID;TZID=America/New_York:20260309T100000\nDTSTART;TZID=America/New_York:20260309T100000\n"
        "DTEND;TZID=America/New_York:20260309T110000\nSTATUS:CANCELLED\nSUMMARY:Weekly",
    )
    # No VTIMEZONE in the file: the tz database knows the zone.
    assert read(data, NEW_YORK) == [(at(3, 2, 15), at(3, 2, 16)), (at(3, 16, 14), at(3, 16, 15))]


def test_a_windows_zone_name_the_file_does_not_define_is_read_as_that_zone():
    data = calendar(
        "DTSTART;TZID=Pacific Standard Time:20260310T090000\nDTEND;TZID=Pacific Standard Time:20260310T100000"
    )

    assert read(data, BERLIN) == [(at(3, 10, 16), at(3, 10, 17))]  # 09:00 PDT


def test_events_outside_the_window_are_left_out_and_those_across_its_end_are_cut():
    data = calendar(
        "DTSTART:20260430T230000Z\nDTEND:20260501T010000Z",
        "DTSTART:20260501T000000Z\nDTEND:20260501T010000Z",
        "DTSTART:20260301T220000Z\nDTEND:20260302T000000Z",
    )

    assert read(data, BERLIN) == [(at(4, 30, 23), at(5, 1))]


def test_events_without_length_and_free_ones_take_no_time():
    data = calendar(
        "DTSTART:20260310T090000Z\nDTEND:20260310T090000Z\nSUMMARY:A moment",
        "DTSTART:20260311T090000Z\nSUMMARY:No end, no duration",
        "DTSTART:20260312T090000Z\nDURATION:PT1H\nTRANSP:TRANSPARENT",
        "DTSTART:20260313T090000Z\nDURATION:PT1H\nX-MICROSOFT-CDO-BUSYSTATUS:FREE",
        "DTSTART:20260314T090000Z\nDURATION:PT45M",
    )

    assert read(data, BERLIN) == [(at(3, 14, 9), at(3, 14, 9, 45))]


def test_the_same_time_twice_is_one_interval():
    data = calendar("DTSTART:20260310T090000Z\nDURATION:PT1H", "DTSTART:20260310T090000Z\nDURATION:PT1H")

    assert read(data, BERLIN) == [(at(3, 10, 9), at(3, 10, 10))]


def test_a_broken_series_is_left_out_and_the_rest_of_the_calendar_read():
    data = calendar(
        "DTSTART:20260310T090000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;BYDAY=XX;COUNT=2",
        "DTSTART:20260311T090000Z\nDURATION:PT1H",
    )

    assert (at(3, 11, 9), at(3, 11, 10)) in read(data, BERLIN)


@pytest.mark.parametrize(
    "data",
    [
        b"<!doctype html><html><body>Sign in to see this calendar</body></html>",
        b'{"error": "not found"}',
        b"",
        b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTART:2026-03-10\nEND:VCALENDAR\n",
    ],
    ids=["a login page", "json", "nothing", "broken"],
)
def test_what_is_not_an_icalendar_file_is_refused(data):
    with pytest.raises(CalendarRefused) as refused:
        read(data, BERLIN)

    assert refused.value.code == "not_icalendar"


def test_a_file_starting_with_a_byte_order_mark_and_blank_lines_is_read():
    data = b"\xef\xbb\xbf\r\n" + calendar("DTSTART:20260310T090000Z\nDURATION:PT1H")

    assert read(data, BERLIN) == [(at(3, 10, 9), at(3, 10, 10))]


@pytest.mark.parametrize(
    "rule", ["FREQ=MINUTELY", "FREQ=SECONDLY", "FREQ=DAILY;BYMINUTE=0,15,30,45", "FREQ=HOURLY;BYSECOND=1,2"]
)
def test_a_series_repeating_more_often_than_hourly_is_refused_before_it_is_expanded(rule):
    data = calendar(f"DTSTART:20260310T090000Z\nDURATION:PT1M\nRRULE:{rule}")

    with pytest.raises(CalendarRefused) as refused:
        read(data, BERLIN)

    assert refused.value.code == "repeats_too_often"


def test_more_busy_events_than_the_limit_are_refused():
    data = calendar("DTSTART:20260302T090000Z\nDURATION:PT30M\nRRULE:FREQ=DAILY")  # 60 in the window

    assert len(read(data, BERLIN, limit=60)) == 60
    with pytest.raises(CalendarRefused) as refused:
        read(data, BERLIN, limit=59)
    assert refused.value.code == "too_many_events"


def test_the_window_must_be_given_with_its_zone():
    with pytest.raises(ValueError, match="start"):
        busy_intervals(calendar(), zone=BERLIN, start=datetime(2026, 3, 2), end=WINDOW_END)


def test_a_window_given_in_another_zone_is_the_same_window():
    data = calendar("DTSTART:20260302T090000Z\nDURATION:PT30M")
    start = WINDOW_START.astimezone(datetime.now(UTC).astimezone().tzinfo)

    assert busy_intervals(data, zone=BERLIN, start=start, end=start + timedelta(days=1)) == [
        (at(3, 2, 9), at(3, 2, 9, 30))
    ]
