"""Django validators for the time inputs of page forms: the supported range of marketplace.instants.

The API's fields are marketplace.api_fields; both refuse what marketplace.instants refuses, with its words.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from marketplace.instants import DAY_OUT_OF_RANGE, FIRST_DAY, LAST_DAY, InstantError, check_day, check_instant


def instant_message(error: InstantError) -> str:
    """What marketplace.instants refused, in the reader's language (instants itself is pure: no Django)."""
    years = {"first": FIRST_DAY.year, "last": LAST_DAY.year}
    if error.code == "naive":
        return gettext(
            "Give the time with an offset, e.g. 2026-03-10T09:00:00+01:00 or 2026-03-10T08:00:00Z."
        )
    if error.code == "out_of_range" and error.message == DAY_OUT_OF_RANGE:
        return gettext("Give a date between the years %(first)s and %(last)s.") % years
    if error.code == "out_of_range":
        return gettext("Give a time between the years %(first)s and %(last)s.") % years
    return gettext("Give a time in ISO 8601, e.g. 2026-03-10T09:00:00+01:00 or 2026-03-10T08:00:00Z.")


def instant_in_range(value: datetime) -> None:
    """For a form's aware datetime (a local time the form has read in the person's zone)."""
    try:
        check_instant(value)
    except InstantError as error:
        raise ValidationError(instant_message(error), code=error.code) from None


def day_in_range(value: date) -> None:
    try:
        check_day(value)
    except InstantError as error:
        raise ValidationError(instant_message(error), code=error.code) from None
