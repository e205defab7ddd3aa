"""calendars.services: connecting an address, syncing it from a real server (what is stored, what a 304
keeps, every failure in words), removing it, and claiming the calendars due."""

from datetime import timedelta

import pytest

from calendars import services
from calendars.errors import error_message
from calendars.models import CALENDARS_PER_PERSON, BusyCalendar, BusyInterval
from marketplace.errors import InvalidInput
from tests.calendars.ics_files import APPLE_BUSY, WINDOW_START, at, ics
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = WINDOW_START


@pytest.fixture
def owner(db):
    return UserFactory(email="marco.mentor@example.com", timezone="Europe/Berlin")


def connect(owner, url: str) -> BusyCalendar:
    return services.add_calendar(owner=owner, url=url, now=NOW)


def sync(calendar: BusyCalendar, now=NOW) -> BusyCalendar:
    synced = services.sync_calendar(calendar_id=calendar.pk, now=now)
    assert synced is not None
    return synced


def stored(calendar: BusyCalendar) -> list:
    return list(BusyInterval.objects.filter(calendar=calendar).values_list("start", "end"))


def words(calendar: BusyCalendar) -> str:
    return error_message(calendar.error_code, calendar.error_detail)


# --- Connecting ---


def test_a_new_calendar_waits_for_its_first_sync(owner):
    calendar = connect(owner, "  https://calendar.google.com/calendar/ical/x/private-abc/basic.ics ")

    assert (calendar.status, calendar.url) == (
        "pending",
        "https://calendar.google.com/calendar/ical/x/private-abc/basic.ics",
    )
    assert calendar.next_sync_at == NOW


def test_connecting_starts_a_sync_after_the_commit(
    owner, server, allow_private, django_capture_on_commit_callbacks
):
    server.serve("/basic.ics", ics("google"))

    with django_capture_on_commit_callbacks(execute=True):
        calendar = connect(owner, server.url("/basic.ics"))

    calendar.refresh_from_db()
    assert calendar.status == "ok"  # Celery in-process: the sync ran at once
    assert len(server.seen("/basic.ics")) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Give your calendar's address."),
        (
            "http://calendar.example.com/basic.ics",
            "Give an https:// or webcal:// address, as your calendar shows it.",
        ),
        (
            "ftp://calendar.example.com/basic.ics",
            "Give an https:// or webcal:// address, as your calendar shows it.",
        ),
        (
            "calendar.example.com/basic.ics",
            "Give an https:// or webcal:// address, as your calendar shows it.",
        ),
        (
            "https://me:secret@calendar.example.com/basic.ics",
            "Give the address without a user name or password.",
        ),
        ("https://calendar.example.com/basic ics", "Give the address as your calendar shows it."),
        ("https:///basic.ics", "Give the address as your calendar shows it."),
        ("https://calendar.example.com:99999/basic.ics", "Give the address as your calendar shows it."),
        ("https://127.0.0.1/basic.ics", "Refused: a private network address."),
        ("webcal://[::ffff:10.0.0.1]/basic.ics", "Refused: a private network address."),
        ("https://169.254.169.254/latest/meta-data/", "Refused: a private network address."),
        ("https://calendar.example.com/" + "x" * 2000, "Keep the address under 2000 characters."),
    ],
)
def test_an_address_sidebar_would_not_fetch_is_refused_on_url(owner, url, message):
    with pytest.raises(InvalidInput) as refused:
        connect(owner, url)

    assert (refused.value.field, refused.value.message) == ("url", message)
    assert not BusyCalendar.objects.exists()


def test_plain_http_and_private_addresses_are_accepted_with_the_setting(owner, allow_private):
    assert connect(owner, "http://127.0.0.1:8080/basic.ics").status == "pending"


def test_the_same_address_twice_is_refused(owner):
    connect(owner, "https://calendar.example.com/a.ics")

    with pytest.raises(InvalidInput, match="already connected"):
        connect(owner, "https://calendar.example.com/a.ics")


def test_someone_else_may_connect_the_same_address(owner):
    connect(owner, "https://calendar.example.com/a.ics")

    assert connect(UserFactory(), "https://calendar.example.com/a.ics").status == "pending"


def test_a_person_connects_at_most_five_calendars(owner):
    for n in range(CALENDARS_PER_PERSON):
        connect(owner, f"https://calendar.example.com/{n}.ics")

    with pytest.raises(InvalidInput) as refused:
        connect(owner, "https://calendar.example.com/one-more.ics")

    assert refused.value.message == "You can connect up to 5 calendars."


# --- Syncing ---


def test_a_sync_stores_the_busy_times_of_the_next_60_days(owner, server, allow_private):
    route = server.serve("/basic.ics", ics("google"))
    calendar = connect(owner, server.url("/basic.ics"))

    calendar = sync(calendar)

    assert (calendar.status, calendar.error_code, calendar.busy_events) == ("ok", "", 18)
    assert (calendar.last_synced_at, calendar.expanded_until) == (NOW, NOW + timedelta(days=60))
    assert (calendar.etag, calendar.last_modified) == (route.etag, route.last_modified)
    assert calendar.next_sync_at == NOW + timedelta(minutes=15)
    intervals = stored(calendar)
    assert len(intervals) == 18
    assert (at(3, 11, 13), at(3, 11, 13, 30)) in intervals  # the moved standup
    assert (at(3, 17, 14), at(3, 17, 15)) not in intervals  # declined by the owner (their address)
    assert set(BusyInterval.objects.values_list("owner_id", flat=True)) == {owner.pk}


def test_overlapping_events_are_stored_as_one_interval_and_counted_as_events(server, allow_private):
    server.serve("/apple.ics", ics("apple"))
    new_yorker = UserFactory(timezone="America/New_York")

    calendar = sync(services.add_calendar(owner=new_yorker, url=server.url("/apple.ics"), now=NOW))

    assert calendar.busy_events == len(APPLE_BUSY) == 14
    # The night feed of 8 March lies inside the conference of 7-8 March; touching intervals stay apart.
    assert stored(calendar) == [
        interval for interval in APPLE_BUSY if interval != (at(3, 8, 7), at(3, 8, 7, 30))
    ]


def test_an_unchanged_calendar_keeps_its_busy_times(owner, server, allow_private):
    route = server.serve("/basic.ics", ics("google"))
    calendar = sync(connect(owner, server.url("/basic.ics")))
    before = stored(calendar)

    calendar = sync(calendar, now=NOW + timedelta(minutes=15))

    assert server.seen("/basic.ics")[1].headers["if-none-match"] == route.etag
    assert (calendar.status, calendar.busy_events, calendar.last_synced_at) == (
        "ok",
        18,
        NOW + timedelta(minutes=15),
    )
    assert calendar.expanded_until == NOW + timedelta(days=60)  # from the last read of the file
    assert stored(calendar) == before


def test_an_unchanged_calendar_forgets_what_has_ended(owner, server, allow_private):
    server.serve("/basic.ics", ics("google"))
    calendar = sync(connect(owner, server.url("/basic.ics")))

    calendar = sync(calendar, now=at(3, 5, 13))

    assert min(stored(calendar))[0] == at(3, 9, 8, 30)  # all before 5 March 13:00 has gone


def test_a_changed_calendar_replaces_its_busy_times(owner, server, allow_private):
    server.serve("/basic.ics", ics("google"))
    calendar = sync(connect(owner, server.url("/basic.ics")))
    server.serve("/basic.ics", ics("outlook"))

    calendar = sync(calendar, now=NOW + timedelta(minutes=15))

    assert calendar.busy_events == 15
    assert (at(3, 3, 10), at(3, 3, 10, 30)) in stored(calendar)
    assert (at(3, 11, 13), at(3, 11, 13, 30)) not in stored(calendar)


def test_after_a_day_an_unchanged_calendar_is_read_again_in_full_so_the_60_days_move_on(
    owner, server, allow_private
):
    server.serve("/basic.ics", ics("google"))
    calendar = sync(connect(owner, server.url("/basic.ics")))
    later = NOW + timedelta(days=1, minutes=1)

    calendar = sync(calendar, now=later)

    assert "if-none-match" not in server.seen("/basic.ics")[1].headers
    assert calendar.expanded_until == later + timedelta(days=60)


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"status": 404}, "The calendar address answered 404."),
        ({"status": 500}, "The calendar address answered 500."),
        (
            {"body": b"<html><body>Sign in</body></html>", "content_type": "text/html"},
            "Not an iCalendar file.",
        ),
        ({"stream": 6 * 1024 * 1024}, "Too large: the calendar is over 5 MB."),
    ],
    ids=["404", "500", "not ics", "too large"],
)
def test_a_calendar_that_cannot_be_read_says_why_in_words(owner, server, allow_private, route, message):
    if "status" in route:
        server.answer("/basic.ics", route["status"])
    else:
        server.serve("/basic.ics", route.pop("body", b""), **route)
    calendar = connect(owner, server.url("/basic.ics"))

    calendar = sync(calendar)

    assert calendar.status == "error"
    assert words(calendar) == message
    assert calendar.last_attempt_at == NOW
    assert calendar.next_sync_at == NOW + timedelta(minutes=15)  # tried again at the next interval


def test_a_calendar_on_a_private_address_is_refused_in_words_without_the_setting(owner, server):
    calendar = connect(owner, f"https://localhost:{server.port}/basic.ics")  # a name: resolved at the sync

    calendar = sync(calendar)

    assert words(calendar) == "Refused: a private network address."
    assert server.requests == []


def test_an_unreachable_server_and_one_that_never_answers_are_named(owner, allow_private, monkeypatch):
    from calendars import fetch
    from tests.hung_server import hung_server

    monkeypatch.setattr(services, "fetch_calendar", _quick(fetch.fetch_calendar))
    with hung_server() as hung:
        calendar = sync(connect(owner, f"http://127.0.0.1:{hung.port}/basic.ics"))
    assert words(calendar) == "The calendar server did not answer in time."

    calendar = sync(connect(owner, "https://calendar.invalid/basic.ics"))
    assert words(calendar) == "No server has that name: check the address."


def _quick(fetch_calendar):
    from calendars.fetch import Limits

    def quick(url, **options):
        return fetch_calendar(url, limits=Limits(connect_timeout=1, read_timeout=0.5, deadline=2), **options)

    return quick


def test_a_failed_sync_keeps_the_last_good_busy_times_for_a_day_then_drops_them(owner, server, allow_private):
    server.serve("/basic.ics", ics("google"))
    calendar = sync(connect(owner, server.url("/basic.ics")))
    server.answer("/basic.ics", 503)

    calendar = sync(calendar, now=NOW + timedelta(hours=23))
    assert (calendar.status, calendar.busy_events, len(stored(calendar))) == ("error", 18, 18)
    assert calendar.last_synced_at == NOW

    calendar = sync(calendar, now=NOW + timedelta(hours=25))
    assert (calendar.status, calendar.busy_events, stored(calendar)) == ("error", 0, [])
    assert calendar.etag == ""  # the next good read is a full one


def test_a_sync_that_works_again_clears_the_error(owner, server, allow_private):
    server.answer("/basic.ics", 404)
    calendar = sync(connect(owner, server.url("/basic.ics")))
    server.serve("/basic.ics", ics("apple"))

    calendar = sync(calendar, now=NOW + timedelta(minutes=15))

    assert (calendar.status, calendar.error_code, calendar.error_detail, words(calendar)) == (
        "ok",
        "",
        "",
        "",
    )


def test_all_day_events_are_read_in_the_owners_zone(server, allow_private):
    tokyo = UserFactory(timezone="Asia/Tokyo")
    server.serve("/basic.ics", ics("google"))

    calendar = sync(services.add_calendar(owner=tokyo, url=server.url("/basic.ics"), now=NOW))

    assert (at(3, 11, 15), at(3, 12, 15)) in stored(calendar)  # 12 March in Tokyo


def test_a_calendar_removed_during_its_sync_stores_nothing(owner, server, allow_private):
    server.serve("/basic.ics", ics("google"))
    calendar = connect(owner, server.url("/basic.ics"))
    BusyCalendar.objects.filter(pk=calendar.pk).delete()

    assert services.sync_calendar(calendar_id=calendar.pk, now=NOW) is None
    assert not BusyInterval.objects.exists()


# --- Removing ---


def test_removing_a_calendar_forgets_its_busy_times(owner, server, allow_private):
    server.serve("/basic.ics", ics("google"))
    calendar = sync(connect(owner, server.url("/basic.ics")))

    services.remove_calendar(owner=owner, calendar_id=calendar.pk)

    assert not BusyCalendar.objects.exists()
    assert not BusyInterval.objects.exists()


def test_nobody_removes_someone_elses_calendar(owner):
    calendar = connect(owner, "https://calendar.example.com/a.ics")

    with pytest.raises(BusyCalendar.DoesNotExist):
        services.remove_calendar(owner=UserFactory(), calendar_id=calendar.pk)
    assert BusyCalendar.objects.filter(pk=calendar.pk).exists()


# --- Claiming the calendars due ---


def test_the_calendars_due_are_claimed_once_until_their_interval_has_passed(owner):
    due = connect(owner, "https://calendar.example.com/due.ics")
    later = connect(owner, "https://calendar.example.com/later.ics")
    BusyCalendar.objects.filter(pk=later.pk).update(next_sync_at=NOW + timedelta(minutes=5))

    assert services.claim_due_calendars(now=NOW) == [due.pk]
    assert services.claim_due_calendars(now=NOW + timedelta(minutes=1)) == []  # being synced
    assert services.claim_due_calendars(now=NOW + timedelta(minutes=15)) == [later.pk, due.pk]
