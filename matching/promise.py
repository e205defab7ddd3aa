"""The time-to-help promise in force: HR's admin setting (matching.HelpPromise) or, without one, the
HELP_PROMISE_HOURS and ASKS_PER_MENTOR_PER_DAY environment variables."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from matching.models import HelpPromise


@dataclass(frozen=True)
class Promise:
    hours: int
    asks_per_mentor_per_day: int

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.hours)

    def due_at(self, made_at: datetime) -> datetime:
        """When a request made at `made_at` should have been helped."""
        return made_at + self.window


def current() -> Promise:
    """One query: the admin's row when HR set one, else the environment's defaults."""
    stored = HelpPromise.objects.order_by("pk").first()
    if stored is not None:
        return Promise(hours=stored.hours, asks_per_mentor_per_day=stored.asks_per_mentor_per_day)
    return Promise(
        hours=settings.HELP_PROMISE_HOURS, asks_per_mentor_per_day=settings.ASKS_PER_MENTOR_PER_DAY
    )
