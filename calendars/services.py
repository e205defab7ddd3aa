"""Every write to a person's own calendars: add, remove, sync (fetch, read, store), and claiming those due.

A sync holds no lock and no transaction while it fetches and reads the file (calendars.fetch bounds the
fetch); it records the outcome in one short transaction afterwards, on the calendar row if it still exists.
"""

import logging
import math
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext, ngettext

from calendars.busy import MAX_BUSY_EVENTS, CalendarRefused, busy_intervals
from calendars.errors import SyncFailed
from calendars.fetch import fetch_calendar, target
from calendars.models import CALENDARS_PER_PERSON, SYNC_WINDOW, URL_MAX_LENGTH, BusyCalendar, BusyInterval
from calendars.selectors import calendar_of
from config.publishing import publish_quietly
from marketplace.errors import InvalidInput, TooSoon
from marketplace.models import User
from marketplace.timezones import is_valid_timezone

logger = logging.getLogger(__name__)

SYNC_DUE_TASK = "calendars.tasks.sync_due_calendars"
# After a failed sync the busy times of the last good one stay this long (a calendar server's bad hour
# does not open a person's meetings to bookings), then go: a calendar broken for longer blocks nothing.
KEEP_AFTER_FAILURE = timedelta(days=1)
# A file unchanged (304) is read again in full once its stored busy times reach less than this short of
# the window, so that the window keeps moving on.
READ_AGAIN_AFTER = timedelta(days=1)
CLAIMS_PER_RUN = 1000
# "Sync now" fetches in the request: once a minute per calendar keeps a held-down button (or a script) from
# turning Sidebar into a client that hammers someone's calendar host.
SYNC_NOW_EVERY = timedelta(minutes=1)


def add_calendar(*, owner: User, url: str, now: datetime) -> BusyCalendar:
    """Connects a calendar address; its first sync starts at once (on a worker, or in-process)."""
    url = url.strip()
    check_address(url)
    with transaction.atomic():
        # The owner's row, so that two adds at once cannot pass the count together.
        User.objects.select_for_update().filter(pk=owner.pk).first()
        mine = BusyCalendar.objects.filter(owner=owner)
        if mine.filter(url=url).exists():
            raise InvalidInput("url", gettext("This calendar is already connected."))
        if mine.count() >= CALENDARS_PER_PERSON:
            raise InvalidInput(
                "url",
                ngettext(
                    "You can connect %(count)s calendar.",
                    "You can connect up to %(count)s calendars.",
                    CALENDARS_PER_PERSON,
                )
                % {"count": CALENDARS_PER_PERSON},
            )
        calendar = BusyCalendar.objects.create(owner=owner, url=url, next_sync_at=now, created_at=now)
        transaction.on_commit(lambda: publish_quietly(SYNC_DUE_TASK))
    return calendar


def check_address(url: str) -> None:
    """InvalidInput on "url" for an address Sidebar would never fetch (checked again at each fetch)."""
    allow_private = settings.CALENDAR_FETCH_ALLOW_PRIVATE
    if not url:
        raise InvalidInput("url", gettext("Give your calendar's address."))
    if len(url) > URL_MAX_LENGTH:
        raise InvalidInput(
            "url", gettext("Keep the address under %(count)s characters.") % {"count": URL_MAX_LENGTH}
        )
    as_shown = gettext("Give the address as your calendar shows it.")
    if any(character.isspace() or not character.isprintable() for character in url):
        raise InvalidInput("url", as_shown)
    try:
        target(url, allow_private=allow_private)
    except SyncFailed as error:
        if error.code == "private_address":
            raise InvalidInput("url", gettext("Refused: a private network address.")) from error
        if error.code == "bad_scheme":
            message = (
                gettext("Give an https://, webcal:// or http:// address.")
                if allow_private
                else gettext("Give an https:// or webcal:// address, as your calendar shows it.")
            )
            raise InvalidInput("url", message) from error
        if error.code == "credentials":
            raise InvalidInput("url", gettext("Give the address without a user name or password.")) from error
        raise InvalidInput("url", as_shown) from error


def remove_calendar(*, owner: User, calendar_id: int) -> None:
    """Disconnects one of the owner's calendars and forgets its busy times (BusyCalendar.DoesNotExist for
    any other)."""
    deleted, _ = BusyCalendar.objects.filter(owner=owner, pk=calendar_id).delete()
    if not deleted:
        raise BusyCalendar.DoesNotExist


def claim_due_calendars(*, now: datetime) -> list[int]:
    """The calendars whose sync is due, claimed for one interval so that the next run does not queue them
    again while they are being synced (a sync that dies is retried once the claim runs out)."""
    every = timedelta(minutes=settings.CALENDAR_SYNC_EVERY_MINUTES)
    with transaction.atomic():
        ids = list(
            BusyCalendar.objects.filter(next_sync_at__lte=now)
            .order_by("next_sync_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:CLAIMS_PER_RUN]
        )
        BusyCalendar.objects.filter(pk__in=ids).update(next_sync_at=now + every)
    return ids


def sync_calendar_now(*, owner: User, calendar_id: int, now: datetime) -> BusyCalendar | None:
    """The owner's "sync now": at most once a minute per calendar, claimed in one UPDATE so that two clicks
    at once fetch once. TooSoon otherwise; BusyCalendar.DoesNotExist for a calendar that is not theirs."""
    calendar = calendar_of(owner, calendar_id)
    claimed = (
        BusyCalendar.objects.filter(pk=calendar.pk)
        .filter(Q(last_sync_now_at__isnull=True) | Q(last_sync_now_at__lte=now - SYNC_NOW_EVERY))
        .update(last_sync_now_at=now)
    )
    if not claimed:
        calendar.refresh_from_db(fields=["last_sync_now_at"])
        last = calendar.last_sync_now_at or now
        wait = max(1, math.ceil((last + SYNC_NOW_EVERY - now).total_seconds()))
        raise TooSoon(
            "too_soon",
            ngettext(
                "You asked for this calendar to be read moments ago. Try again in %(seconds)s second.",
                "You asked for this calendar to be read moments ago. Try again in %(seconds)s seconds.",
                wait,
            )
            % {"seconds": wait},
            retry_after_seconds=wait,
        )
    return sync_calendar(calendar_id=calendar.pk, now=now)


def sync_calendar(*, calendar_id: int, now: datetime) -> BusyCalendar | None:
    """Fetches and reads one calendar now and stores what it found; None if it no longer exists.

    Never raises for what the calendar does: every failure is stored on it, in a code its owner reads as
    words (calendars.errors).
    """
    calendar = BusyCalendar.objects.select_related("owner").filter(pk=calendar_id).first()
    if calendar is None:
        return None
    owner = calendar.owner
    window_end = now + SYNC_WINDOW
    conditional = (
        calendar.status == BusyCalendar.Status.OK
        and calendar.expanded_until is not None
        and calendar.expanded_until >= window_end - READ_AGAIN_AFTER
    )
    intervals: list[tuple[datetime, datetime]] | None = None
    failure: SyncFailed | None = None
    etag = last_modified = ""
    try:
        fetched = fetch_calendar(
            calendar.url,
            etag=calendar.etag if conditional else "",
            last_modified=calendar.last_modified if conditional else "",
            allow_private=settings.CALENDAR_FETCH_ALLOW_PRIVATE,
        )
        etag, last_modified = fetched.etag, fetched.last_modified
        if fetched.body is not None:
            intervals = busy_intervals(
                fetched.body,
                zone=owner.timezone if is_valid_timezone(owner.timezone) else "UTC",
                start=now,
                end=window_end,
                declined_by=[owner.email],
            )
    except SyncFailed as error:
        failure = error
    except CalendarRefused as error:
        failure = SyncFailed(error.code, str(MAX_BUSY_EVENTS) if error.code == "too_many_events" else "")
    except Exception as error:  # whatever else went wrong (the task's time limit too) is the calendar's state
        logger.warning("busy calendar %s could not be synced: %r", calendar.pk, type(error).__name__)
        failure = SyncFailed("timeout" if isinstance(error, SoftTimeLimitExceeded) else "unreadable")
    if failure is not None:
        logger.info("busy calendar %s: sync failed (%s %s)", calendar.pk, failure.code, failure.detail)
    return _record(calendar.pk, owner.pk, now, intervals, failure, etag, last_modified)


def _overlaps_joined(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted intervals with those that overlap made one (touching ones stay apart): fewer rows for every
    slot listing to read, the same busy time."""
    joined: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


@transaction.atomic
def _record(
    calendar_id: int,
    owner_id: int,
    now: datetime,
    intervals: list[tuple[datetime, datetime]] | None,
    failure: SyncFailed | None,
    etag: str,
    last_modified: str,
) -> BusyCalendar | None:
    calendar = BusyCalendar.objects.select_for_update().filter(pk=calendar_id).first()
    if calendar is None:  # removed while it was being fetched
        return None
    calendar.last_attempt_at = now
    calendar.next_sync_at = now + timedelta(minutes=settings.CALENDAR_SYNC_EVERY_MINUTES)
    stored = BusyInterval.objects.filter(calendar=calendar)
    if failure is not None:
        calendar.status = BusyCalendar.Status.ERROR
        calendar.error_code, calendar.error_detail = failure.code, failure.detail[:32]
        if calendar.last_synced_at is None or calendar.last_synced_at < now - KEEP_AFTER_FAILURE:
            stored.delete()
            calendar.busy_events = 0
            calendar.expanded_until = None
            calendar.etag = calendar.last_modified = ""
    else:
        if intervals is None:  # 304: the file has not changed; what has ended is no longer needed
            stored.filter(end__lte=now).delete()
        else:
            stored.delete()
            BusyInterval.objects.bulk_create(
                (
                    BusyInterval(owner_id=owner_id, calendar=calendar, start=start, end=end)
                    for start, end in _overlaps_joined(intervals)
                ),
                batch_size=1000,
            )
            calendar.busy_events = len(intervals)
            calendar.expanded_until = now + SYNC_WINDOW
        calendar.etag, calendar.last_modified = etag[:512], last_modified[:128]
        calendar.status = BusyCalendar.Status.OK
        calendar.error_code = calendar.error_detail = ""
        calendar.last_synced_at = now
    calendar.save()
    return calendar
