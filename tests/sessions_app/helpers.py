"""Helpers of the sessions tests."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

BOOKINGS = "/api/v1/bookings/"


def slot(days: int = 2, hour: int = 10, minute: int = 0) -> datetime:
    """A UTC instant `days` days from today at hh:mm UTC (on the grid for whole-hour zones such as Berlin)."""
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=UTC)


def z(instant: datetime) -> str:
    """An instant as the API writes it: UTC with Z, to the second."""
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def payload(who, **change) -> dict:
    """A booking request body for the mentor `who`, two days ahead at 10:00 UTC, with `change` applied."""
    return {"mentor": who.pk, "start": z(slot()), "duration": 30, "topic": "Board presentation"} | change
