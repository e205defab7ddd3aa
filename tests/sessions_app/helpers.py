"""Helpers of the sessions tests."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone


def slot(days: int = 2, hour: int = 10, minute: int = 0) -> datetime:
    """A UTC instant `days` days from today at hh:mm UTC (on the grid for whole-hour zones such as Berlin)."""
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=UTC)
