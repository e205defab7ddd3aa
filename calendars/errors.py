"""Why a calendar could not be read, in words its owner understands (stored as a code, worded when read,
so that each reader gets their own language)."""

from django.utils.translation import gettext

from calendars.models import SYNC_WINDOW


class SyncFailed(Exception):
    """A sync that could not read the calendar; `code` is stored with the calendar, `detail` beside it."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def error_message(code: str, detail: str = "") -> str:
    """The words for a stored error code ("" for none)."""
    if not code:
        return ""
    if code == "http_status":
        return gettext("The calendar address answered %(status)s.") % {"status": detail}
    if code == "too_large":
        return gettext("Too large: the calendar is over %(megabytes)s MB.") % {"megabytes": detail}
    if code == "too_many_events":
        return gettext("Too many events: over %(count)s in the next %(days)s days.") % {
            "count": detail,
            "days": SYNC_WINDOW.days,
        }
    words = {
        "not_icalendar": gettext("Not an iCalendar file."),
        "private_address": gettext("Refused: a private network address."),
        "timeout": gettext("The calendar server did not answer in time."),
        "unknown_host": gettext("No server has that name: check the address."),
        "unreachable": gettext("The calendar server could not be reached."),
        "tls": gettext("The calendar server's certificate could not be verified."),
        "too_many_redirects": gettext("Too many redirects."),
        "bad_redirect": gettext("The calendar address sent us to an address that is not https://."),
        "repeats_too_often": gettext("An event repeats more often than every hour: not read."),
        "bad_response": gettext("The calendar server's answer could not be read."),
    }
    return words.get(code, gettext("The calendar could not be read."))
