"""Django validators for the time inputs of page forms: the supported range of marketplace.instants.

The API's fields are marketplace.api_fields; both refuse what marketplace.instants refuses, with its words.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError

from marketplace.instants import InstantError, check_day, check_instant


def instant_in_range(value: datetime) -> None:
    """For a form's aware datetime (a local time the form has read in the person's zone)."""
    try:
        check_instant(value)
    except InstantError as error:
        raise ValidationError(error.message, code=error.code) from None


def day_in_range(value: date) -> None:
    try:
        check_day(value)
    except InstantError as error:
        raise ValidationError(error.message, code=error.code) from None
