"""calendars.busy: Google-, Outlook- and Apple-shaped files read into busy intervals, exactly."""

from datetime import UTC, datetime, timedelta

import pytest

from calendars.busy import CalendarRefused, busy_intervals
from tests.calendars.ics_files import WINDOW_END, WINDOW_START, at, ics

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
    assert read(ics("google"), BERLIN, declined_by=["Marco.Mentor@example.com"]) == [
        (at(3, 2, 0, 0), at(3, 2, 0, 30)),  # began before the window: cut at its start
        (at(3, 2, 8, 30), at(3, 2, 9)),  # standup, 09:30 CET; Wednesday 4 March is an EXDATE
        (at(3, 5, 12), at(3, 5, 13)),  # a single event in UTC
        (at(3, 9, 8, 30), at(3, 9, 9)),
        (at(3, 11, 13), at(3, 11, 13, 30)),  # this one moved to 14:00 (RECURRENCE-ID)
        (at(3, 11, 23), at(3, 12, 23)),  # all day on 12 March, Berlin's midnight to midnight
        (at(3, 16, 8, 30), at(3, 16, 9)),
        # 17 March: declined by the owner; 18 March: that occurrence cancelled; 19 March: a cancelled event
        (at(3, 23, 8, 30), at(3, 23, 9)),
        (at(3, 23, 9), at(3, 23, 10)),  # a series Google wrote in UTC, 10:00 on Berlin's clock
        (at(3, 25, 8, 30), at(3, 25, 9)),
        (at(3, 27, 6), at(3, 27, 7)),  # gym at 07:00 daily, four times, across the change
        (at(3, 28, 6), at(3, 28, 7)),
        (at(3, 29, 5), at(3, 29, 6)),
        (at(3, 30, 5), at(3, 30, 6)),
        (at(3, 30, 7, 30), at(3, 30, 8)),  # the standup at 09:30 CEST
        (at(3, 30, 8), at(3, 30, 9)),  # and the UTC-written series still at 10:00 Berlin
        (at(4, 1, 7, 30), at(4, 1, 8)),  # the last standup before UNTIL
        (at(4, 6, 8), at(4, 6, 9)),
    ]


def test_an_event_the_owner_declined_is_busy_when_the_owner_is_not_known_to_have_declined():
    found = read(ics("google"), BERLIN)

    assert (at(3, 17, 14), at(3, 17, 15)) in found
    assert (at(3, 13, 0), at(3, 13, 23)) not in found  # the transparent birthday stays free either way


def test_an_outlook_calendar_with_windows_zone_names_gives_its_busy_times():
    assert read(ics("outlook"), BERLIN) == [
        (at(3, 3, 10), at(3, 3, 10, 30)),  # 1:1 on Tuesdays at 11:00 "W. Europe Standard Time"
        (at(3, 5, 14), at(3, 5, 15)),  # 09:00 "Eastern Standard Time" before New York's change
        (at(3, 9, 14), at(3, 9, 15)),  # tentative is busy; the free focus time on 6 March is not
        (at(3, 10, 10), at(3, 10, 10, 30)),
        (at(3, 12, 13), at(3, 12, 14)),  # New York has changed its clocks, Berlin not yet
        (at(3, 19, 13), at(3, 19, 14)),
        (at(3, 24, 10), at(3, 24, 10, 30)),  # 17 March is an EXDATE
        (at(3, 26, 23), at(3, 30, 22)),  # out of office 27-30 March: Berlin's days, 95 hours
        (at(3, 31, 14), at(3, 31, 14, 30)),  # moved to 16:00 CEST
        (at(4, 7, 9), at(4, 7, 9, 30)),
        (at(4, 14, 9), at(4, 14, 9, 30)),
        (at(4, 15, 11), at(4, 15, 12)),  # "Customized Time Zone", defined in the file
        (at(4, 16, 7), at(4, 16, 7, 45)),  # a zone nobody defines: read on the owner's clock
        (at(4, 21, 9), at(4, 21, 9, 30)),
        (at(4, 28, 9), at(4, 28, 9, 30)),  # UNTIL is this very occurrence
    ]


def test_an_apple_calendar_gives_its_busy_times_across_new_yorks_clock_change():
    assert read(ics("apple"), NEW_YORK) == [
        (at(3, 2, 13), at(3, 2, 13, 30)),  # school run at 08:00 EST, daily
        (at(3, 3, 13), at(3, 3, 13, 30)),
        (at(3, 3, 21), at(3, 3, 22)),  # board prep, the first Tuesday of the month, 16:00 EST
        (at(3, 4, 13), at(3, 4, 13, 30)),  # the transparent "Drink water" stays free
        (at(3, 5, 13), at(3, 5, 13, 30)),
        (at(3, 6, 13), at(3, 6, 13, 30)),
        (at(3, 7, 5), at(3, 9, 4)),  # conference 7-8 March: New York's days, 47 hours; 7 and 8 EXDATEs
        (at(3, 8, 7), at(3, 8, 7, 30)),  # floating 02:30 the clock skips: from 03:00 EDT
        (at(3, 9, 12), at(3, 9, 12, 30)),  # 08:00 EDT
        (at(3, 10, 13), at(3, 10, 13, 30)),  # moved to 09:00 EDT
        (at(3, 11, 12), at(3, 11, 12, 30)),
        (at(3, 16, 18), at(3, 16, 19)),  # floating 14:00 on the owner's clock
        (at(4, 1, 15), at(4, 1, 16)),
        (at(4, 7, 20), at(4, 7, 21)),  # board prep in April, 16:00 EDT
    ]


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
